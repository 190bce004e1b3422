import { Schema, model } from 'mongoose';

/** An item sent onto a later meeting's agenda (by a disposition, an overdue order, a deferred motion). */
const referralSchema = new Schema(
  {
    _id: { type: String, required: true },
    compoundId: { type: String, required: true },
    target: {
      type: String,
      enum: ['monthlyConsultation', 'periodicCoordination', 'quarterlyDeliberation'],
      required: true,
    },
    title: { type: String, required: true },
    /** A short text, or a reference to a long one in `texts` ({ ref, excerpt }). */
    detail: Schema.Types.Mixed,
    source: { meetingId: String, orderId: String, voiceIds: [String], motionId: String },
    matter: String,
    amount: Number,
    /** For the council: who carries the motion out if it passes. */
    delegateTo: String,
    consumedBy: String,
  },
  { timestamps: true },
);
referralSchema.index({ compoundId: 1, target: 1, consumedBy: 1 });
export const Referral = model('Referral', referralSchema, 'referrals');

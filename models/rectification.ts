import { Schema, model } from 'mongoose';

/** The read model of a rectification order (整改) or a delegated resolution, kept by its workflow. */
const rectificationSchema = new Schema(
  {
    _id: { type: String, required: true },
    compoundId: { type: String, required: true },
    kind: { type: String, enum: ['rectification', 'resolution'], required: true },
    title: { type: String, required: true },
    owner: { type: String, required: true },
    issuer: { type: String, required: true },
    status: { type: String, required: true },
    deadline: { type: Date, required: true },
    overdue: { type: Boolean, default: false },
    escalationLevel: { type: Number, default: 0 },
    completedAt: Date,
    onTime: Boolean,
    source: { meetingId: String, itemId: String, motionId: String },
    state: { type: Schema.Types.Mixed, required: true },
    /**
     * Procedures agreed at coordination meetings, by meeting (a key per meeting: filing twice changes
     * nothing). Kept outside `state`, which the order's workflow rewrites, so a procedure agreed after
     * the order closed is on file too.
     */
    procedures: { type: Schema.Types.Mixed, default: undefined },
  },
  { timestamps: true, minimize: false },
);
rectificationSchema.index({ compoundId: 1, status: 1, deadline: 1 });
rectificationSchema.index({ compoundId: 1, owner: 1, createdAt: -1 });
export const Rectification = model('Rectification', rectificationSchema, 'rectifications');

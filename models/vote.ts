import { Schema, model } from 'mongoose';

/** One member's vote on one motion; the unique index is the last guard against counting twice. */
const voteSchema = new Schema(
  {
    meetingId: { type: String, required: true },
    motionId: { type: String, required: true },
    userId: { type: String, required: true },
    choice: { type: String, enum: ['yes', 'no', 'abstain'], required: true },
    at: { type: Date, required: true },
  },
  { timestamps: true },
);
voteSchema.index({ motionId: 1, userId: 1 }, { unique: true });
export const Vote = model('Vote', voteSchema, 'votes');

import { Schema, model } from 'mongoose';

/** One member's vote on one motion; the unique index is the last guard against counting twice. */
const voteSchema = new Schema(
  {
    /** `<meetingId>|<motionId>|<userId>` (older ballots: an ObjectId). */
    _id: { type: Schema.Types.Mixed, required: true },
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

/** A ballot's id: found by lookup, never by a scan of every ballot. */
export const voteId = (meetingId: string, motionId: string, userId: string) =>
  `${meetingId}|${motionId}|${userId}`;

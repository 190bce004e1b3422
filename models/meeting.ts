import { Schema, model } from 'mongoose';

/** The read model of one meeting: the workflow's state, saved after every change. */
const meetingSchema = new Schema(
  {
    _id: { type: String, required: true }, // the workflow id, e.g. monthly-consultation/dongshunyuan/2026-11
    compoundId: { type: String, required: true },
    type: { type: String, required: true },
    period: { type: String, required: true },
    status: { type: String, required: true },
    plannedAt: { type: Date, required: true },
    holdBy: { type: Date, required: true },
    overdue: { type: Boolean, default: false },
    escalationLevel: { type: Number, default: 0 },
    heldAt: Date,
    heldOnTime: Boolean,
    state: { type: Schema.Types.Mixed, required: true },
  },
  { timestamps: true, minimize: false },
);
meetingSchema.index({ compoundId: 1, type: 1, period: -1 });
meetingSchema.index({ compoundId: 1, status: 1, holdBy: 1 });
export const Meeting = model('Meeting', meetingSchema, 'meetings');

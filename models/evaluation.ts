import { Schema, model } from 'mongoose';

/** A published annual evaluation: what residents see. */
const evaluationSchema = new Schema(
  {
    _id: { type: String, required: true }, // the meeting id
    compoundId: { type: String, required: true },
    year: { type: Number, required: true },
    ratings: { type: Schema.Types.Mixed, required: true },
    proposals: { type: Schema.Types.Mixed, required: true },
    signatures: { type: Schema.Types.Mixed, required: true },
    disagreement: Schema.Types.Mixed,
    final: Schema.Types.Mixed,
    publishedAt: { type: Date, required: true },
  },
  { timestamps: true },
);
evaluationSchema.index({ compoundId: 1, year: -1 });
export const Evaluation = model('Evaluation', evaluationSchema, 'evaluations');

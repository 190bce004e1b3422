import { Schema, model } from 'mongoose';

/**
 * How far a seeding got (`stage`), so a seed interrupted half-way is redone from the start rather than
 * left half-made, and a finished one is never repeated.
 */
const seedMarkSchema = new Schema(
  {
    _id: { type: String, required: true },
    stage: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
export const SeedMark = model('SeedMark', seedMarkSchema, 'seed_marks');

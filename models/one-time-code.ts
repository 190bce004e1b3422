import { Schema, model } from 'mongoose';

/** A phone's current one-time code, hashed (services/one-time-codes.ts). */
const oneTimeCodeSchema = new Schema(
  {
    _id: { type: String, required: true }, // the phone
    hash: { type: String, required: true },
    sentAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    tries: { type: Number, default: 0 },
  },
  { versionKey: false },
);
export const OneTimeCode = model('OneTimeCode', oneTimeCodeSchema, 'one_time_codes');

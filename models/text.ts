import { Schema, model } from 'mongoose';

/**
 * Long texts people write (minutes, a motion's detail, a decision, evidence), stored once by the SHA-256
 * of their content. Workflows and the ledger carry only the reference (`text:<hash>`), so a text cannot
 * swell a workflow's history, and a changed text no longer matches the hash the ledger entry covers.
 */
const textSchema = new Schema(
  {
    _id: { type: String, required: true }, // hex SHA-256 of `text`
    compoundId: { type: String, required: true },
    text: { type: String, required: true },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
export const Text = model('Text', textSchema, 'texts');

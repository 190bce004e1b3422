import { Schema, model, type InferSchemaType } from 'mongoose';

/**
 * A key an outside system (the 12345 platform…) files voices with, for one compound. The key itself is
 * shown once, when issued; only its SHA-256 is kept, with the prefix that names it in lists.
 */
const apiKeySchema = new Schema(
  {
    /** The id inside the key (`gz311_<id>_…`), so a call finds its key by _id. */
    _id: { type: String, required: true },
    compoundId: { type: String, required: true },
    /** The outside system, as staff named it (e.g. 12345 热线平台). */
    name: { type: String, required: true },
    prefix: { type: String, required: true },
    hash: { type: String, required: true },
    issuedBy: { userId: String, name: String },
    revokedAt: Date,
    revokedBy: { userId: String, name: String },
  },
  { timestamps: true },
);
apiKeySchema.index({ compoundId: 1, createdAt: -1 });
export type ApiKeyDoc = InferSchemaType<typeof apiKeySchema> & { _id: string; createdAt: Date };
export const ApiKey = model('ApiKey', apiKeySchema, 'api_keys');

import { Schema, model } from 'mongoose';

/** 操作日志: one write by a person through the API; appended, never changed (nothing updates this collection). */
const auditEntrySchema = new Schema(
  {
    _id: { type: String, required: true },
    /** The compound written to, or '*' for the deployment's own (communities, new compounds). */
    compoundId: { type: String, required: true },
    at: { type: Date, required: true },
    actor: { userId: String, name: String, roles: [String] },
    address: String,
    method: String,
    /** The route as declared (`/compounds/:compoundId/rooms`) and the path as called. */
    route: String,
    path: String,
    status: Number,
    /** What was asked (the body) and what it became (the answer), secrets masked, each bounded. */
    request: String,
    result: String,
  },
  { versionKey: false },
);
auditEntrySchema.index({ compoundId: 1, at: -1 });
export const AuditEntry = model('AuditEntry', auditEntrySchema, 'audit_log');

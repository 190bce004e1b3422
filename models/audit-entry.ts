import { Schema, model } from 'mongoose';

/**
 * 操作日志: one write by a person through the API. Append-only, as the ledger is: every update and delete
 * path of the model refuses.
 */
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
    /**
     * The records it changed, as the services reported them: [{ collection, id, before?, after? }], only
     * the changed fields, secrets and personal numbers masked, bounded (services/audit.ts).
     */
    changes: { type: [Schema.Types.Mixed], default: undefined },
  },
  { versionKey: false },
);
auditEntrySchema.index({ compoundId: 1, at: -1 });

const refuse = function () {
  throw new Error('操作日志只能追加，不能修改或删除 (the audit log is append-only)');
};
for (const op of [
  'updateOne',
  'updateMany',
  'findOneAndUpdate',
  'replaceOne',
  'findOneAndReplace',
  'deleteOne',
  'deleteMany',
  'findOneAndDelete',
] as const) {
  auditEntrySchema.pre(op, refuse);
}
// A fetched entry's own deleteOne() too, not only the model's.
auditEntrySchema.pre('deleteOne', { document: true, query: false }, refuse);
auditEntrySchema.pre('save', function () {
  if (!this.isNew) refuse();
});
export const AuditEntry = model('AuditEntry', auditEntrySchema, 'audit_log');

import { Schema, model } from 'mongoose';

/**
 * The supervisory board's record (监事会记实): one record per matter, one timestamped entry per event
 * (一事一记，一时一记). Append-only: every update and delete path refuses.
 */
const ledgerEntrySchema = new Schema(
  {
    _id: { type: String, required: true }, // deterministic per event: a retried filing is a no-op
    compoundId: { type: String, required: true },
    matterId: { type: String, required: true },
    matterType: { type: String, required: true },
    event: { type: String, required: true },
    at: { type: Date, required: true },
    actor: { userId: String, name: String, body: String },
    summary: { type: String, required: true },
    content: Schema.Types.Mixed,
    bodies: { type: [String], default: undefined },
    /** Place in the compound's chain (1, 2, …), the previous entry's hash, and this entry's. */
    seq: { type: Number, required: true },
    prevHash: { type: String, required: true },
    hash: { type: String, required: true },
  },
  { timestamps: { createdAt: 'filedAt', updatedAt: false } },
);
// One entry per place in a compound's chain: two writers racing for the same place cannot both win.
ledgerEntrySchema.index({ compoundId: 1, seq: 1 }, { unique: true });
ledgerEntrySchema.index({ compoundId: 1, matterId: 1, at: 1 });
ledgerEntrySchema.index({ compoundId: 1, at: 1 });
ledgerEntrySchema.index({ compoundId: 1, bodies: 1, seq: 1 });

const refuse = function () {
  throw new Error('监事会记实只能追加，不能修改或删除 (the ledger is append-only)');
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
  ledgerEntrySchema.pre(op, refuse);
}
ledgerEntrySchema.pre('save', function () {
  if (!this.isNew) refuse();
});
export const LedgerEntry = model('LedgerEntry', ledgerEntrySchema, 'ledger');

/**
 * The end of each compound's chain (its last seq and hash), read by _id so appending never has to
 * search the ledger. The unique (compoundId, seq) index stays the real guard; this is an index card.
 */
const ledgerHeadSchema = new Schema({
  _id: { type: String, required: true }, // compoundId
  seq: { type: Number, required: true },
  hash: { type: String, required: true },
});
export const LedgerHead = model('LedgerHead', ledgerHeadSchema, 'ledger_heads');

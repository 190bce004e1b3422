import { Schema, model } from 'mongoose';

/**
 * The rate counters of one compound's local month (_id "dongshunyuan/2026-11"), in two documents:
 * RateMembers holds which group each voice, order and meeting of that month counts in (the truth,
 * changed one member at a time by compare-and-set); RateCounts holds the groups' counts folded from
 * it at revision `rev` (as tallies: numerators and denominators per body and category), which is all
 * the rates read.
 */
const rateMembersSchema = new Schema(
  {
    _id: { type: String, required: true },
    compoundId: { type: String, required: true },
    month: { type: String, required: true },
    rev: { type: Number, default: 0 },
    members: { type: Schema.Types.Mixed, default: {} },
  },
  { minimize: false, versionKey: false },
);
rateMembersSchema.index({ compoundId: 1 });
export const RateMembers = model('RateMembers', rateMembersSchema, 'rate_members');

const rateCountsSchema = new Schema(
  {
    _id: { type: String, required: true },
    compoundId: { type: String, required: true },
    month: { type: String, required: true },
    rev: { type: Number, required: true },
    /** The month's tallies, packed (domain/rates.ts packTallies). */
    tallies: { type: String, required: true },
  },
  { minimize: false, versionKey: false },
);
rateCountsSchema.index({ compoundId: 1 });
export const RateCounts = model('RateCounts', rateCountsSchema, 'rate_counts');

/** Where an order or a meeting was last counted (a moved deadline moves it); voices never move. */
const ratePointerSchema = new Schema(
  { _id: { type: String, required: true }, bucket: { type: String, required: true } },
  { versionKey: false },
);
export const RatePointer = model('RatePointer', ratePointerSchema, 'rate_pointers');

/**
 * One compound's counters are changed by one sync at a time: holding this document (created under its
 * unique _id) is the lock. Writes to one document are not atomic on every MongoDB-wire server (FerretDB
 * v1 reads, then writes), so compare-and-set alone is not enough there.
 */
const rateLockSchema = new Schema(
  {
    _id: { type: String, required: true },
    token: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
export const RateLock = model('RateLock', rateLockSchema, 'rate_locks');

/** Facts about the counters themselves, e.g. `installed`: they were built over the existing records. */
const rateMetaSchema = new Schema(
  { _id: { type: String, required: true }, at: { type: Date, required: true } },
  { versionKey: false },
);
export const RateMeta = model('RateMeta', rateMetaSchema, 'rate_meta');

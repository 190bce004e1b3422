import { Schema, model } from 'mongoose';

/**
 * The rate counts of one compound's local month (_id "dongshunyuan/2026-11"): the tallies folded from
 * that month's voice rows and the orders and meetings due in it (activities/projections.ts), which is
 * all the rates read.
 */
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

/**
 * One compound's projections are folded by one process at a time: holding this document (created under
 * its unique _id) is the lock. Writes to one document are not atomic on every MongoDB-wire server (FerretDB
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

/** Facts about the projections themselves, e.g. that they were built over the existing records. */
const rateMetaSchema = new Schema(
  { _id: { type: String, required: true }, at: { type: Date, required: true } },
  { versionKey: false },
);
export const RateMeta = model('RateMeta', rateMetaSchema, 'rate_meta');

/**
 * A community's counts as read together: a fresh random token written after any of its compounds' counts
 * change, so a merged reading of the community can be reused while the token is the one it was read at.
 * A lost write (FerretDB v1 is not atomic per document) still leaves some new token, never an old one.
 */
const communityCountsSchema = new Schema(
  {
    _id: { type: String, required: true },
    token: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
export const CommunityCounts = model('CommunityCounts', communityCountsSchema, 'community_counts');

import { Schema, model } from 'mongoose';

/**
 * The read projections (domain/projections.ts) and what feeds them. Every record write adds a change
 * mark (insert-only, one per revision, so a mark is never lost to a concurrent write); one folder per
 * compound at a time reads the marked records afresh, places their rows in the pages and refreshes the
 * month's rate counts, then removes the marks it folded. Pages are written by that folder alone.
 */
const changeSchema = new Schema(
  {
    _id: { type: String, required: true }, // "<kind>:<recordId>:<revision>"
    compoundId: { type: String, required: true },
    kind: { type: String, enum: ['voice', 'order', 'meeting'], required: true },
    recordId: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
export const Change = model('Change', changeSchema, 'changes');

/**
 * Some of a compound's voices of one local month, as rows: a month is spread over a few pages by a hash
 * of the voice's id (_id "dongshunyuan/2026-11#3"), so folding a busy month rewrites small pages.
 */
const voicePageSchema = new Schema(
  {
    _id: { type: String, required: true },
    compoundId: { type: String, required: true },
    month: { type: String, required: true },
    rev: { type: Number, required: true },
    rows: { type: String, required: true },
  },
  { versionKey: false },
);
export const VoicePage = model('VoicePage', voicePageSchema, 'voice_pages');

/** A compound's meetings and orders, as rows (_id the compound's). */
const matterPageSchema = new Schema(
  {
    _id: { type: String, required: true },
    rev: { type: Number, required: true },
    meetings: { type: String, required: true },
    orders: { type: String, required: true },
  },
  { versionKey: false },
);
export const MatterPage = model('MatterPage', matterPageSchema, 'matter_pages');

/** Which pages a compound has and their revisions: readers cache pages and re-read only what moved. */
const pageHeadSchema = new Schema(
  {
    _id: { type: String, required: true }, // the compound's id
    rev: { type: Number, required: true },
    months: { type: Schema.Types.Mixed, required: true }, // "2026-11#3" → that voice page's revision
    matters: { type: Number, required: true },
  },
  { versionKey: false, minimize: false },
);
export const PageHead = model('PageHead', pageHeadSchema, 'page_heads');

/**
 * That a monthly consultation took a voice up: insert-only under the voice's id, so the first
 * consultation wins and the voice's own record keeps one writer (its workflow).
 */
const voiceConsultSchema = new Schema(
  {
    _id: { type: String, required: true },
    compoundId: { type: String, required: true },
    meetingId: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
export const VoiceConsult = model('VoiceConsult', voiceConsultSchema, 'voice_consults');

/**
 * Voices stored but not yet followed by their workflow (the intake's outbox): the API starts the
 * workflow right after answering, the worker's sweep starts what is left and mends what did not follow. Small, so the sweep never scans voices.
 */
const voiceStartSchema = new Schema(
  {
    _id: { type: String, required: true }, // the voice's id
    compoundId: { type: String, required: true },
    at: { type: Date, required: true },
    /** When its workflow was seen started; the entry goes once the voice's first event is recorded. */
    startedAt: Date,
  },
  { versionKey: false },
);
export const VoiceStart = model('VoiceStart', voiceStartSchema, 'voice_starts');

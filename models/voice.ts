import { Schema, model, type InferSchemaType } from 'mongoose';
import {
  CATEGORIES,
  CHANNELS,
  RESPONSIBLE_BODIES as BODIES,
  SUBJECTS,
  VOICE_KINDS,
  VOICE_STATUSES,
} from '../domain/voices';

const timelineEntrySchema = new Schema(
  {
    /** Deterministic per workflow step, so a retried activity never files an entry twice. */
    eventId: { type: String, required: true },
    type: { type: String, required: true },
    at: { type: Date, required: true },
    message: { type: String, required: true },
    actor: { userId: String, name: String, body: String },
  },
  { _id: false },
);

/** 民情: one resident's voice, its current state (kept by the workflow) and its whole timeline. */
const voiceSchema = new Schema(
  {
    _id: { type: String, required: true },
    compoundId: { type: String, required: true },
    kind: { type: String, enum: VOICE_KINDS, required: true },
    channel: { type: String, enum: CHANNELS, required: true },
    category: { type: String, enum: CATEGORIES, required: true },
    /** Whom the voice is about (it counts against them), as opposed to its assignee (who handles it). */
    subject: { type: String, enum: SUBJECTS },
    buildingId: String,
    text: { type: String, required: true },
    /** Personal data: shown only to the author and the handlers. Address and e-mail come from outside systems. */
    contact: { name: String, phone: String, email: String, address: String },
    anonymous: { type: Boolean, default: false },
    /** The resident's name as known at intake; shown masked, and never when anonymous. */
    residentName: String,
    submittedBy: { type: String, required: true },
    /** The staff member or building leader who entered it on the resident's behalf. */
    enteredBy: String,
    idempotencyKey: { type: String, required: true },
    /** A 12345 work order this voice came with; its number is unique per compound (the voice's id is made from it). */
    hotline: {
      type: new Schema({ workOrderNo: String, classificationCode: String }, { _id: false }),
      default: undefined,
    },
    /** The outside system's key it was filed with (the open intake): only such voices are visible to keys. */
    apiKeyId: String,
    requestHash: { type: String, required: true },
    status: { type: String, enum: VOICE_STATUSES, default: 'received' },
    /** The revision its workflow last wrote (0 at intake): its events are applied in order, once. */
    rev: { type: Number, default: 0 },
    assignee: { type: String, enum: BODIES, required: true },
    responsible: { type: String, enum: BODIES },
    escalationLevel: { type: Number, default: 0 },
    acknowledgeBy: Date,
    resolveBy: Date,
    overdue: { type: Boolean, default: false },
    reopened: { type: Boolean, default: false },
    result: String,
    handledBy: { type: String, enum: BODIES },
    resolvedAt: Date,
    satisfaction: { type: String, enum: ['satisfied', 'unsatisfied'] },
    respondedOnTime: Boolean,
    workflowStartedAt: Date,
    /** The monthly consultation that took this voice up (so each is discussed once). */
    consultedIn: String,
    timeline: { type: [timelineEntrySchema], default: [] },
  },
  { timestamps: true },
);
voiceSchema.index({ compoundId: 1, submittedBy: 1, idempotencyKey: 1 }, { unique: true });
voiceSchema.index({ compoundId: 1, createdAt: -1 });
voiceSchema.index({ compoundId: 1, status: 1, createdAt: -1 });
voiceSchema.index({ compoundId: 1, responsible: 1, status: 1 });
voiceSchema.index({ status: 1, workflowStartedAt: 1 });
voiceSchema.index({ compoundId: 1, consultedIn: 1, createdAt: 1 });
voiceSchema.index({ compoundId: 1, apiKeyId: 1, createdAt: -1 });
// The rates: by compound and period, grouped by body and category.
voiceSchema.index({ compoundId: 1, createdAt: 1, assignee: 1, category: 1 });
export type VoiceDoc = InferSchemaType<typeof voiceSchema>;
export const Voice = model('Voice', voiceSchema, 'voices');

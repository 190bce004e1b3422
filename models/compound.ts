import { Schema, model, type InferSchemaType } from 'mongoose';
import { DEFAULT_TIME_ZONE } from '../domain/calendar';
import { DEFAULT_VOICE_SETTINGS } from '../domain/voices';

/** 社区: a community holds many compounds. */
const communitySchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    subdistrict: String,
    county: String,
  },
  { timestamps: true },
);
export const Community = model('Community', communitySchema, 'communities');

const buildingSchema = new Schema(
  { _id: { type: String, required: true }, name: { type: String, required: true }, leaderUserId: String },
  { _id: false },
);

let defaultTimeZone = DEFAULT_TIME_ZONE;
/** The zone of compounds that name none: DEFAULT_TIME_ZONE from the environment (config.ts), once at start. */
export function setDefaultTimeZone(zone: string): void {
  defaultTimeZone = zone;
}
/** A compound's time zone: its own, else the deployment's default. Month, quarter and year are local to it. */
export function timeZoneOf(c: { timeZone?: string | null } | null | undefined): string {
  return c?.timeZone || defaultTimeZone;
}

/** 小区: the unit of co-governance; every other record belongs to one. */
const compoundSchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    communityId: { type: String, required: true, index: true },
    timeZone: { type: String, default: () => defaultTimeZone },
    /** Opt-in: the echo wall and the public (masked) ledger and evaluations may be read without signing in. */
    echoWallPublic: { type: Boolean, default: false },
    buildings: { type: [buildingSchema], default: [] },
    settings: {
      voices: { type: Schema.Types.Mixed, default: () => structuredClone(DEFAULT_VOICE_SETTINGS) },
      /** Partial MeetingSettings over DEFAULT_MEETING_SETTINGS. */
      meetings: { type: Schema.Types.Mixed },
      /** { staffSeeAnonymousAuthors }: who may see the author of an anonymous voice (default: nobody). */
      privacy: { type: Schema.Types.Mixed },
    },
  },
  { timestamps: true, minimize: false },
);
export type CompoundDoc = InferSchemaType<typeof compoundSchema>;
export const Compound = model('Compound', compoundSchema, 'compounds');

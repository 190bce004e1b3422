import { Schema, Types, model, type InferSchemaType } from 'mongoose';
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

const unitSchema = new Schema(
  { _id: { type: String, required: true }, name: { type: String, required: true }, retiredAt: Date },
  { _id: false },
);

/** 楼栋: kept in its compound (every voice names one); retired, never removed, so old voices still name it. */
const buildingSchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    leaderUserId: String,
    /** The building's invitation code (printed as a QR code): residents register with it. */
    invitationCode: { type: String, index: true, sparse: true },
    /** 单元 */
    units: { type: [unitSchema], default: undefined },
    retiredAt: Date,
  },
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
    /** Retired compounds keep their records and are read-only: nothing new is raised or held there. */
    retiredAt: Date,
    /** Bumped by every change of the buildings: their compare-and-set token (services/places.ts). */
    placesRev: Number,
    settings: {
      voices: { type: Schema.Types.Mixed, default: () => structuredClone(DEFAULT_VOICE_SETTINGS) },
      /** Partial MeetingSettings over DEFAULT_MEETING_SETTINGS. */
      meetings: { type: Schema.Types.Mixed },
      /** { staffSeeAnonymousAuthors }: who may see the author of an anonymous voice (default: nobody). */
      privacy: { type: Schema.Types.Mixed },
      /** [{ body, vendor, url, secret? }]: the offices' group robots (domain/robots.ts); URL and secret are secrets. */
      robots: { type: Schema.Types.Mixed },
    },
  },
  { timestamps: true, minimize: false },
);
export type CompoundDoc = InferSchemaType<typeof compoundSchema>;
/**
 * The compounds' revision: a fresh random token written after any compound is created, changed or
 * removed through this model, so readers that keep what they derived from the compounds (a
 * community's scope) know by one lookup whether it still holds. A lost write (FerretDB v1 is not atomic
 * per document) still leaves some new token.
 */
const compoundsRevSchema = new Schema(
  { _id: { type: String, required: true }, token: { type: String, required: true } },
  { versionKey: false },
);
export const CompoundsRev = model('CompoundsRev', compoundsRevSchema, 'compounds_rev');
const COMPOUNDS_REV = 'compounds';
async function bumpCompoundsRev() {
  await CompoundsRev.replaceOne(
    { _id: COMPOUNDS_REV },
    { token: new Types.ObjectId().toHexString() },
    { upsert: true },
  ).catch((err: { code?: number }) => {
    if (err.code !== 11000) throw err; // two first writers at once: the other one's token stands
  });
}
compoundSchema.post('save', bumpCompoundsRev);
compoundSchema.post('insertMany', bumpCompoundsRev);
compoundSchema.post(
  [
    'updateOne',
    'updateMany',
    'findOneAndUpdate',
    'replaceOne',
    'deleteOne',
    'deleteMany',
    'findOneAndDelete',
  ],
  bumpCompoundsRev,
);

/** The compounds' current revision token (made on first read). */
export async function compoundsRevision(): Promise<string> {
  const doc = await CompoundsRev.findById(COMPOUNDS_REV).lean();
  if (doc) return doc.token;
  await bumpCompoundsRev();
  return (await CompoundsRev.findById(COMPOUNDS_REV).lean().orFail()).token;
}

export const Compound = model('Compound', compoundSchema, 'compounds');

/** Compounds as requests and services read them: kept a few seconds, with their settings filled in. */
import { DomainError } from '../domain/errors';
import { DEFAULT_MEETING_SETTINGS, type MeetingSettings } from '../domain/meetings';
import { ROBOT_VENDORS, type RobotSetting } from '../domain/robots';
import { BODIES } from '../domain/bodies';
import { DEFAULT_VOICE_SETTINGS, type VoiceSettings } from '../domain/voices';
import { Compound } from '../models/compound';

type CompoundDocument = NonNullable<Awaited<ReturnType<typeof readCompound>>>;
export type CompoundRecord = CompoundDocument;
const readCompound = (id: string) => Compound.findById(id).lean();
/**
 * Compounds as requests need them, kept a few seconds (every request of a burst reads the same one);
 * this process forgets one as soon as it changes it (forgetCompound).
 */
const COMPOUND_TTL_MS = 3_000;
const compounds = new Map<string, { at: number; compound: CompoundDocument }>();

export async function loadCompound(compoundId: string): Promise<CompoundDocument> {
  const hit = compounds.get(compoundId);
  if (hit && Date.now() - hit.at < COMPOUND_TTL_MS) return hit.compound;
  const compound = await readCompound(compoundId);
  if (!compound) throw new DomainError('not_found', `没有这个小区：${compoundId}`);
  if (compounds.size > 5_000) compounds.clear();
  compounds.set(compoundId, { at: Date.now(), compound });
  return compound;
}

export function forgetCompound(compoundId: string): void {
  compounds.delete(compoundId);
}

export function voiceSettingsOf(compound: { settings?: { voices?: unknown } | null }): VoiceSettings {
  return (compound.settings?.voices as VoiceSettings | undefined) ?? DEFAULT_VOICE_SETTINGS;
}

export function meetingSettingsOf(compound: { settings?: unknown }): MeetingSettings {
  const s = (compound.settings as { meetings?: Partial<MeetingSettings> } | undefined)?.meetings;
  return { ...DEFAULT_MEETING_SETTINGS, ...s };
}

/** Whether the compound lets the triage desk (community staff) see who raised an anonymous voice. */
export function staffSeeAnonymousAuthors(compound: { settings?: unknown }): boolean {
  const privacy = (compound.settings as { privacy?: { staffSeeAnonymousAuthors?: boolean } } | undefined)
    ?.privacy;
  return privacy?.staffSeeAnonymousAuthors === true;
}

/** The compound's group robots (settings.robots), each well formed; none when it set none. */
export function robotsOf(compound: { settings?: unknown } | null | undefined): RobotSetting[] {
  const robots = (compound?.settings as { robots?: unknown } | undefined)?.robots;
  if (!Array.isArray(robots)) return [];
  return robots.filter(
    (r): r is RobotSetting =>
      !!r &&
      typeof r === 'object' &&
      BODIES.includes((r as RobotSetting).body) &&
      ROBOT_VENDORS.includes((r as RobotSetting).vendor) &&
      typeof (r as RobotSetting).url === 'string' &&
      ((r as RobotSetting).secret === undefined || typeof (r as RobotSetting).secret === 'string'),
  );
}

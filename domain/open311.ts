/**
 * The open intake (Open311 GeoReport v2) as this domain speaks it: services are the kinds of voice ×
 * their categories, a request is a voice, its status open or closed, the agency the body responsible.
 * Also the rules for the keys staff issue to outside systems. Pure: no I/O, no clock.
 */
import { BODY_NAMES } from './bodies';
import {
  CATEGORIES,
  CATEGORY_LABELS,
  VOICE_KINDS,
  VOICE_KIND_LABELS,
  VOICE_STATUS_LABELS,
  type Category,
  type ResponsibleBody,
  type VoiceKind,
  type VoiceStatus,
} from './voices';

/** A service code: the kind and the category of the voice it files, e.g. `complaint.sanitation`. */
export type ServiceCode = `${VoiceKind}.${Category}`;

export const SERVICE_CODES: readonly ServiceCode[] = VOICE_KINDS.flatMap((k) =>
  CATEGORIES.map((c): ServiceCode => `${k}.${c}`),
);

export interface Open311Service {
  service_code: ServiceCode;
  service_name: string;
  description: string;
  metadata: false;
  type: 'realtime';
  keywords: string;
  group: string;
}

const KIND_NOTES: Record<VoiceKind, string> = {
  complaint: '限期响应、限期办结，超期自动逐级上报',
  appeal: '限期响应、限期办结，超期自动逐级上报',
  suggestion: '由责任方研究答复',
  praise: '登记后在回音壁公示，不设办理期限',
};

/** The service list: every kind of voice for every category, grouped by category. */
export function open311Services(): Open311Service[] {
  return SERVICE_CODES.map((code) => {
    const { kind, category } = parseServiceCode(code)!;
    return {
      service_code: code,
      service_name: `${CATEGORY_LABELS[category]} · ${VOICE_KIND_LABELS[kind]}`,
      description: `关于“${CATEGORY_LABELS[category]}”的${VOICE_KIND_LABELS[kind]}：${KIND_NOTES[kind]}。`,
      metadata: false,
      type: 'realtime',
      keywords: [CATEGORY_LABELS[category], ...VOICE_KIND_LABELS[kind].split('/')].join(','),
      group: CATEGORY_LABELS[category],
    };
  });
}

/** The kind and category a service code names, or undefined when it names none of the list. */
export function parseServiceCode(code: string): { kind: VoiceKind; category: Category } | undefined {
  if (!(SERVICE_CODES as readonly string[]).includes(code)) return undefined;
  const [kind, category] = code.split('.') as [VoiceKind, Category];
  return { kind, category };
}

export function serviceCodeOf(kind: VoiceKind, category: Category): ServiceCode {
  return `${kind}.${category}`;
}

export function serviceNameOf(kind: VoiceKind, category: Category): string {
  return `${CATEGORY_LABELS[category]} · ${VOICE_KIND_LABELS[kind]}`;
}

/**
 * Open311 knows two states. A voice is open until it is closed: resolved still counts as open, since the
 * resident may be unsatisfied and it is then handled once more; praise, once published, is closed.
 */
export function open311Status(status: VoiceStatus): 'open' | 'closed' {
  return status === 'closed' || status === 'published' ? 'closed' : 'open';
}

/** The status notes: the status in words, and on closing the result the responsible body reported. */
export function open311StatusNotes(status: VoiceStatus, result?: string | null): string {
  const label = VOICE_STATUS_LABELS[status];
  return result && (status === 'resolved' || status === 'closed') ? `${label}：${result}` : label;
}

/** The agency responsible: the body that answers for the voice now (after any escalation), by full name. */
export function agencyOf(responsible: ResponsibleBody): string {
  return BODY_NAMES[responsible];
}

// Keys for outside systems: `gz311_<id>_<secret>`. The id (10 hex) finds the key without a search; only
// the SHA-256 of the whole key is stored, and `gz311_<id>` is the part shown again in lists.
export const API_KEY_PATTERN = /^gz311_([0-9a-f]{10})_([A-Za-z0-9_-]{43})$/;
/** Keys in force at once per compound: enough for the 12345 platform and a few others, not a key per clerk. */
export const MAX_ACTIVE_API_KEYS = 10;

export function apiKeyOf(id: string, secret: string): string {
  return `gz311_${id}_${secret}`;
}

/** The key's id, if the text has a key's shape. */
export function apiKeyIdOf(key: string): string | undefined {
  return API_KEY_PATTERN.exec(key)?.[1];
}

export function apiKeyPrefixOf(id: string): string {
  return `gz311_${id}`;
}

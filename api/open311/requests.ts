/**
 * Service requests of the open intake as voices: a POST files a voice through the app's own intake; a GET
 * reads voices filed with the compound's keys, as Open311 shows a request — never the resident's
 * personal data (name, phone, e-mail, address) and the text only as a masked summary.
 */
import { DomainError } from '../../domain/errors';
import {
  agencyOf,
  open311Status,
  open311StatusNotes,
  parseServiceCode,
  serviceCodeOf,
  serviceNameOf,
} from '../../domain/open311';
import { maskedSummary } from '../../domain/privacy';
import { BODY_NAMES } from '../../domain/bodies';
import type { Category, ResponsibleBody, VoiceKind, VoiceStatus } from '../../domain/voices';
import { Voice } from '../../models/voice';
import type { ApiKeyPrincipal } from '../../services/api-keys';
import { loadCompound } from '../../services/compounds';
import { submitVoice, type VoiceRecord } from '../../services/intake';
import type { TemporalHandle } from '../../services/temporal-client';

/** A key belongs to one compound: naming another (that exists or not) is the key's fault, 403. */
export function checkJurisdiction(key: ApiKeyPrincipal, jurisdictionId: string): void {
  if (jurisdictionId !== key.compoundId)
    throw new DomainError('forbidden', `该 api_key 不属于 jurisdiction_id=${jurisdictionId}`);
}

export interface RequestInput {
  jurisdiction_id: string;
  service_code: string;
  lat?: number;
  long?: number;
  address_string?: string;
  address_id?: string;
  email?: string;
  device_id?: string;
  account_id?: string;
  first_name?: string;
  last_name?: string;
  phone?: string;
  description: string;
  media_url?: string;
  hotline_work_order_no?: string;
  hotline_classification_code?: string;
}

/** A rule beyond the request's shape (Open311 answers it 400, like any request it cannot fulfil). */
const invalid = (field: string, message: string) => new DomainError('unprocessable', message, { field });

/** Files one request as a voice; a repeat (same Idempotency-Key, or same work order) files nothing more. */
export async function fileRequest(
  deps: { temporal: TemporalHandle; log?: (msg: string) => void; clock?: () => Date },
  key: ApiKeyPrincipal,
  b: RequestInput,
  idempotencyKey: string | undefined,
): Promise<{ service_request_id: string; service_notice: string }[]> {
  checkJurisdiction(key, b.jurisdiction_id);
  const service = parseServiceCode(b.service_code);
  if (!service)
    throw new DomainError('not_found', `没有这个服务类型：service_code=${b.service_code}`, {
      field: 'service_code',
    });
  if ((b.lat === undefined) !== (b.long === undefined)) throw invalid('lat', 'lat 与 long 须同时提供');
  if (b.lat === undefined && !b.address_string && !b.address_id)
    throw invalid('address_string', '请提供位置：lat 与 long、address_string 或 address_id（楼栋编号）之一');
  if (b.address_id) {
    const compound = await loadCompound(key.compoundId);
    if (!compound.buildings.some((x) => x._id === b.address_id))
      throw invalid('address_id', `该小区没有这个楼栋：address_id=${b.address_id}`);
  }
  if (b.hotline_classification_code && !b.hotline_work_order_no)
    throw invalid(
      'hotline_classification_code',
      'hotline_classification_code 须与 hotline_work_order_no 一同提供',
    );
  const name = [b.last_name, b.first_name].filter(Boolean).join('') || undefined;
  const address = b.address_string ?? (b.lat !== undefined ? `经纬度 ${b.lat},${b.long}` : undefined);
  const hotline = b.hotline_work_order_no
    ? {
        workOrderNo: b.hotline_work_order_no,
        ...(b.hotline_classification_code ? { classificationCode: b.hotline_classification_code } : {}),
      }
    : undefined;
  const { voice, created } = await submitVoice(
    deps,
    key.compoundId,
    { id: `apikey:${key.id}`, name: key.name, roles: [], apiKeyId: key.id },
    {
      kind: service.kind,
      category: service.category,
      channel: hotline ? 'hotline12345' : 'outsideSystem',
      buildingId: b.address_id,
      text: b.description,
      anonymous: !name,
      idempotencyKey,
      hotline,
      onBehalfOf: { name, phone: b.phone, email: b.email, address },
    },
  );
  const kept = b.media_url ? '；附件链接（media_url）未保存，请另行提供' : '';
  const notice = created
    ? `已受理，由${BODY_NAMES[voice.assignee as ResponsibleBody]}办理，可凭 service_request_id 查询进展${kept}`
    : '已受理（重复提交，未重复登记）';
  return [{ service_request_id: voice._id, service_notice: notice }];
}

/** A voice as Open311 shows a request (see the module's comment on what is left out). */
export function requestView(v: VoiceRecord) {
  const kind = v.kind as VoiceKind;
  const category = v.category as Category;
  const status = v.status as VoiceStatus;
  return {
    service_request_id: v._id,
    status: open311Status(status),
    status_notes: open311StatusNotes(status, v.result ? maskedSummary(v.result, 200) : undefined),
    service_name: serviceNameOf(kind, category),
    service_code: serviceCodeOf(kind, category),
    description: maskedSummary(v.text, 60),
    agency_responsible: agencyOf((v.responsible ?? v.assignee) as ResponsibleBody),
    service_notice: null,
    requested_datetime: v.createdAt.toISOString(),
    updated_datetime: (v.updatedAt ?? v.createdAt).toISOString(),
    expected_datetime: v.resolveBy ? v.resolveBy.toISOString() : null,
    address_id: v.buildingId ?? null,
    hotline_work_order_no: v.hotline?.workOrderNo ?? null,
  };
}

/** A request of this key's compound, filed through the open intake; anything else is not found. */
async function visible(key: ApiKeyPrincipal, id: string): Promise<VoiceRecord | undefined> {
  const v = await Voice.findById(id).lean<VoiceRecord>();
  return v && v.compoundId === key.compoundId && v.apiKeyId ? v : undefined;
}

export async function getRequest(key: ApiKeyPrincipal, jurisdictionId: string, id: string) {
  checkJurisdiction(key, jurisdictionId);
  const v = await visible(key, id);
  if (!v) throw new DomainError('not_found', `没有这个服务请求：service_request_id=${id}`);
  return [requestView(v)];
}

const DAY_MS = 86_400_000;
/** Open311's default and widest window, and its most requests in one answer. */
const WINDOW_DAYS = 90;
const MAX_REQUESTS = 1000;
const MAX_IDS = 100;

const list = (s?: string) =>
  s
    ? s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : [];

export async function findRequests(
  key: ApiKeyPrincipal,
  q: {
    jurisdiction_id: string;
    service_request_id?: string;
    service_code?: string;
    start_date?: string;
    end_date?: string;
    status?: string;
  },
  now: Date,
) {
  checkJurisdiction(key, q.jurisdiction_id);
  const ids = list(q.service_request_id);
  if (ids.length > MAX_IDS)
    throw invalid('service_request_id', `一次最多查询 ${MAX_IDS} 个 service_request_id`);
  // Ids override every other argument (the spec): each is looked up, the unknown ones left out.
  if (ids.length) {
    const found = await Promise.all(ids.map((id) => visible(key, id)));
    return found.flatMap((v) => (v ? [requestView(v)] : []));
  }
  const statuses = list(q.status);
  const codes = list(q.service_code);
  const unknown = codes.find((c) => !parseServiceCode(c));
  if (unknown)
    throw new DomainError('not_found', `没有这个服务类型：service_code=${unknown}`, {
      field: 'service_code',
    });
  const end = q.end_date
    ? new Date(q.end_date)
    : q.start_date
      ? new Date(Date.parse(q.start_date) + WINDOW_DAYS * DAY_MS)
      : now;
  const start = q.start_date ? new Date(q.start_date) : new Date(end.getTime() - WINDOW_DAYS * DAY_MS);
  if (end < start) throw invalid('end_date', 'end_date 不能早于 start_date');
  if (end.getTime() - start.getTime() > WINDOW_DAYS * DAY_MS)
    throw invalid('end_date', `start_date 与 end_date 相隔不能超过 ${WINDOW_DAYS} 天`);
  const voices = await Voice.find({
    compoundId: key.compoundId,
    apiKeyId: { $ne: null },
    createdAt: { $gte: start, $lte: end },
  })
    .sort({ createdAt: -1 })
    .limit(MAX_REQUESTS)
    .lean<VoiceRecord[]>();
  return voices
    .map(requestView)
    .filter(
      (r) =>
        (!statuses.length || statuses.includes(r.status)) &&
        (!codes.length || codes.includes(r.service_code)),
    );
}

/**
 * Keys for outside systems (the 12345 platform, a sub-district's app…) to file voices of one compound
 * through the open intake. Staff issue them; the key is shown once and only its SHA-256 is stored; every
 * issue and revocation is filed in the compound's supervisory ledger (监事会记实).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { DomainError } from '../domain/errors';
import { MAX_ACTIVE_API_KEYS, apiKeyIdOf, apiKeyOf, apiKeyPrefixOf } from '../domain/open311';
import { appendLedgerEntry } from '../activities/ledger';
import { ApiKey, type ApiKeyDoc } from '../models/api-key';
import { loadCompound } from './compounds';

/** Who called with a key: the key, its compound and the outside system it was issued to. */
export interface ApiKeyPrincipal {
  id: string;
  compoundId: string;
  name: string;
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

export interface ApiKeyView {
  id: string;
  name: string;
  /** The part of the key shown again (the rest is never stored). */
  masked: string;
  issuedAt: Date;
  issuedBy?: string;
  revokedAt?: Date;
  revokedBy?: string;
  active: boolean;
}

function view(k: ApiKeyDoc): ApiKeyView {
  return {
    id: k._id,
    name: k.name,
    masked: `${k.prefix}_****`,
    issuedAt: k.createdAt,
    issuedBy: k.issuedBy?.name ?? undefined,
    revokedAt: k.revokedAt ?? undefined,
    revokedBy: k.revokedBy?.name ?? undefined,
    active: !k.revokedAt,
  };
}

type Staff = { userId: string; name: string };

/** Issues a key: the answer carries the key in full, the one time it is ever shown. */
export async function issueApiKey(
  compoundId: string,
  name: string,
  by: Staff,
  now: Date,
): Promise<ApiKeyView & { key: string }> {
  await loadCompound(compoundId);
  const active = await ApiKey.countDocuments({ compoundId, revokedAt: null });
  if (active >= MAX_ACTIVE_API_KEYS) {
    throw new DomainError(
      'conflict',
      `本小区已有 ${MAX_ACTIVE_API_KEYS} 个在用的外部系统密钥，请先吊销不再使用的密钥`,
    );
  }
  const id = randomBytes(5).toString('hex');
  const key = apiKeyOf(id, randomBytes(32).toString('base64url'));
  const doc = await ApiKey.create({
    _id: id,
    compoundId,
    name,
    prefix: apiKeyPrefixOf(id),
    hash: sha256(key),
    issuedBy: by,
    createdAt: now,
  });
  await appendLedgerEntry({
    entryId: `apikey-${id}#issued`,
    compoundId,
    matterId: `apikey-${id}`,
    matterType: 'apiKey',
    event: 'issued',
    at: now.toISOString(),
    actor: by,
    summary: `${by.name}为外部系统“${name}”签发接入密钥（${apiKeyPrefixOf(id)}）`,
    content: { keyId: id, name, prefix: apiKeyPrefixOf(id) },
    bodies: ['staff'],
  });
  return { ...view(doc.toObject() as ApiKeyDoc), key };
}

export async function listApiKeys(compoundId: string): Promise<ApiKeyView[]> {
  await loadCompound(compoundId);
  const keys = await ApiKey.find({ compoundId }).sort({ createdAt: -1 }).lean<ApiKeyDoc[]>();
  return keys.map(view);
}

/** Revokes a key at once; revoking it again changes nothing and files nothing more. */
export async function revokeApiKey(
  compoundId: string,
  keyId: string,
  by: Staff,
  now: Date,
): Promise<ApiKeyView> {
  const k = await ApiKey.findById(keyId).lean<ApiKeyDoc>();
  if (!k || k.compoundId !== compoundId) throw new DomainError('not_found', '没有这个外部系统密钥');
  if (k.revokedAt) return view(k);
  await ApiKey.updateOne({ _id: keyId, revokedAt: null }, { $set: { revokedAt: now, revokedBy: by } });
  await appendLedgerEntry({
    entryId: `apikey-${keyId}#revoked`,
    compoundId,
    matterId: `apikey-${keyId}`,
    matterType: 'apiKey',
    event: 'revoked',
    at: now.toISOString(),
    actor: by,
    summary: `${by.name}吊销外部系统“${k.name}”的接入密钥（${k.prefix}）`,
    content: { keyId, name: k.name, prefix: k.prefix },
    bodies: ['staff'],
  });
  return view({ ...k, revokedAt: now, revokedBy: by });
}

/**
 * The key a call carries, checked: of our shape, known, its hash equal (compared in constant time),
 * not revoked. Any failure is the same 403, so a caller learns nothing about which keys exist.
 */
export async function verifyApiKey(key: unknown): Promise<ApiKeyPrincipal> {
  if (typeof key !== 'string' || !key) throw new DomainError('forbidden', '缺少 api_key（外部系统接入密钥）');
  const id = apiKeyIdOf(key);
  const k = id ? await ApiKey.findById(id).lean<ApiKeyDoc>() : null;
  const ok =
    k !== null &&
    timingSafeEqual(Buffer.from(k.hash, 'hex'), Buffer.from(sha256(key), 'hex')) &&
    !k.revokedAt;
  if (!ok || !k) throw new DomainError('forbidden', 'api_key 无效或已吊销');
  return { id: k._id, compoundId: k.compoundId, name: k.name };
}

/**
 * Long texts on their way into workflows and back out. A text longer than a workflow may carry
 * (LIMITS.inlineTextChars) is stored in `texts` by the SHA-256 of its content and replaced by a
 * reference with a short excerpt; reads put the whole text back where the reference stands.
 */
import { createHash } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { LIMITS, isTextRef, type TextRef } from '../domain/limits';
import { Text } from '../models/text';

/** Fields whose value may be a long text, wherever they appear in a request body. */
const LONG_TEXT_KEYS = new Set([
  'minutes',
  'decision',
  'handlingOpinion',
  'procedure',
  'detail',
  'comment',
  'note',
  'evidence',
]);

export function textRefOf(text: string): TextRef & { id: string } {
  const id = createHash('sha256').update(text, 'utf8').digest('hex');
  const chars = [...text.replace(/\s+/g, ' ').trim()];
  const excerpt =
    chars.length > LIMITS.excerptChars ? `${chars.slice(0, LIMITS.excerptChars).join('')}…` : chars.join('');
  return { id, ref: `text:${id}`, excerpt };
}

/** Stores one text (idempotent: the same text is the same document) and returns its reference. */
export async function storeText(compoundId: string, text: string): Promise<TextRef> {
  const { id, ref, excerpt } = textRefOf(text);
  await Text.updateOne({ _id: id }, { $setOnInsert: { compoundId, text } }, { upsert: true });
  return { ref, excerpt };
}

/** A request body with every long text under a long-text field replaced by a stored reference. */
export async function storeLongTexts<T>(compoundId: string, body: T): Promise<T> {
  const walk = async (v: unknown, key?: string): Promise<unknown> => {
    if (typeof v === 'string') {
      return key && LONG_TEXT_KEYS.has(key) && [...v].length > LIMITS.inlineTextChars
        ? storeText(compoundId, v.trim())
        : v;
    }
    if (Array.isArray(v)) return Promise.all(v.map((x) => walk(x, key)));
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = await walk(x, k);
      return out;
    }
    return v;
  };
  return (await walk(body)) as T;
}

/** A read model with each text reference replaced by its whole text (as people read it). */
export async function expandTexts<T>(value: T): Promise<T> {
  const ids = new Set<string>();
  const collect = (v: unknown) => {
    if (isTextRef(v)) ids.add(v.ref.slice('text:'.length));
    else if (Array.isArray(v)) v.forEach(collect);
    else if (v && typeof v === 'object') Object.values(v).forEach(collect);
  };
  collect(value);
  if (!ids.size) return value;
  const texts = new Map(
    (await Text.find({ _id: { $in: [...ids] } }).lean()).map((t) => [`text:${t._id}`, t.text]),
  );
  const replace = (v: unknown): unknown => {
    if (isTextRef(v)) return texts.get(v.ref) ?? v.excerpt;
    if (Array.isArray(v)) return v.map(replace);
    if (v instanceof Date) return v;
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, replace(x)]));
    }
    return v;
  };
  return replace(value) as T;
}

/**
 * Sends a workflow update made from a request body, long texts stored first (the workflow gets references,
 * so its history stays bounded) and put back in the answer.
 */
export async function updateWithTexts<B, A, R>(
  handle: Pick<WorkflowHandle, 'executeUpdate'>,
  compoundId: string,
  update: UpdateDefinition<R, [A]>,
  body: B,
  input: (stored: B) => A,
): Promise<R> {
  const stored = await storeLongTexts(compoundId, body);
  return expandTexts(await handle.executeUpdate(update, { args: [input(stored)] }));
}

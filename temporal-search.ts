/**
 * The workflows' search attributes on the client side: registering them on the namespace (the worker
 * does it at start; a deployment may have done it already) and the attributes a workflow starts with —
 * only when the namespace has them, since a start naming an unknown attribute is refused.
 */
import type { Client, Connection } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import { COMPOUND_KEY, KIND_KEY, SEARCH_ATTRIBUTE_KEYS, STATUS_KEY } from './workflows/search-attributes';

const KEYWORD = 2; // temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD

async function missingOn(connection: Connection, namespace: string): Promise<string[]> {
  const res = await connection.operatorService.listSearchAttributes({ namespace });
  const have = new Set(Object.keys(res.customAttributes ?? {}));
  return SEARCH_ATTRIBUTE_KEYS.map((k) => k.name).filter((n) => !have.has(n));
}

/** What each client learnt of its namespace (see searchAttributesReady). */
const ready = new WeakMap<Client, { at: number; answer: Promise<boolean> }>();
const known = (client: Client) => (ready.set(client, { at: Infinity, answer: Promise.resolve(true) }), true);

/** Registers the attributes the namespace lacks; answers whether all are there afterwards. */
export async function ensureSearchAttributes(
  client: Client,
  log: (msg: string) => void = console.log,
): Promise<boolean> {
  const connection = client.connection as Connection;
  const namespace = client.options.namespace;
  try {
    const missing = await missingOn(connection, namespace);
    if (!missing.length) return known(client);
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((n) => [n, KEYWORD])),
    });
    log(`[worker] search attributes registered: ${missing.join(', ')}`);
    return (await missingOn(connection, namespace)).length === 0 && known(client);
  } catch (err) {
    log(`[worker] search attributes not registered (${String(err)}); workflows start without them`);
    return false;
  }
}

const ASK_AGAIN_MS = 60_000;

/**
 * Whether the client's namespace has the attributes: yes is kept; no (or no answer) is asked again a
 * minute later, as the worker may register them after the API started.
 */
export function searchAttributesReady(client: Client): Promise<boolean> {
  const known = ready.get(client);
  if (known && Date.now() - known.at < ASK_AGAIN_MS) return known.answer;
  const answer = missingOn(client.connection as Connection, client.options.namespace).then(
    (m) => m.length === 0,
    () => false,
  );
  void answer.then((yes) => yes && ready.set(client, { at: Infinity, answer }));
  ready.set(client, { at: Date.now(), answer });
  return answer;
}

/** The attributes a workflow starts with, or none when the namespace lacks them. */
export async function startAttributes(
  client: Client,
  a: { compoundId: string; kind: string; status: string },
): Promise<{ typedSearchAttributes?: SearchAttributePair[] }> {
  if (!(await searchAttributesReady(client))) return {};
  return {
    typedSearchAttributes: [
      { key: COMPOUND_KEY, value: a.compoundId },
      { key: KIND_KEY, value: a.kind },
      { key: STATUS_KEY, value: a.status },
    ],
  };
}

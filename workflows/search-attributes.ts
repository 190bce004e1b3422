/**
 * What operators find workflows by in the Temporal Web UI: the compound, the kind (a voice's kind, a
 * meeting's type, an order) and the status. Registered on the namespace by the worker at start (or by
 * the deployment); workflows started without them (older ones, or a server without them) never upsert.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';

export const COMPOUND_KEY = defineSearchAttributeKey('GongzhiCompound', SearchAttributeType.KEYWORD);
export const KIND_KEY = defineSearchAttributeKey('GongzhiKind', SearchAttributeType.KEYWORD);
export const STATUS_KEY = defineSearchAttributeKey('GongzhiStatus', SearchAttributeType.KEYWORD);
export const SEARCH_ATTRIBUTE_KEYS = [COMPOUND_KEY, KIND_KEY, STATUS_KEY] as const;

/**
 * A function that keeps the workflow's status attribute current, if it was started with one. Calling it
 * with an unchanged status adds no command, so replays of older histories see the same commands.
 */
export function statusAttribute(): (status: string) => void {
  let last = workflowInfo().typedSearchAttributes.get(STATUS_KEY);
  return (status) => {
    if (last === undefined || status === last) return;
    upsertSearchAttributes([{ key: STATUS_KEY, value: status }]);
    last = status;
  };
}

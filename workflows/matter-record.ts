/**
 * What the workflows of meetings and orders share: their activities, and each matter's record — its
 * ledger entries and its notices, with ids stable across retries and replays.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { LedgerEntryInput } from '../activities/meetings';
import type { Role } from '../domain/roles';
import type { Actor } from './contract';

export const acts = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumInterval: '1 minute' },
});
const notifyActs = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 5, maximumInterval: '1 minute' },
});

export const iso = (t: number) => new Date(t).toISOString();

/** A long text trimmed, if it is text (a stored reference stays as it is). */
export const trimmed = <T>(t: T): T => (typeof t === 'string' ? (t.trim() as T) : t);

/** Notifications and ledger filing for one matter, with ids stable across retries and replays. */
export function recorder(
  compoundId: string,
  matterId: string,
  matterType: LedgerEntryInput['matterType'],
  /** The bodies the matter concerns, so the ledger can be browsed by body. */
  bodies: string[] = [],
) {
  let seq = 0;
  /** One notice to each recipient; a channel that stays down loses only its outside copy. */
  const notifyEach = async (
    recipients: { key: string; to: { role: Role } | { userId: string } }[],
    title: string,
    body: string,
  ) => {
    for (const { key, to } of recipients) {
      try {
        await notifyActs.sendNotification({
          key: `${matterId}:${key}`,
          compoundId,
          to,
          title,
          body,
          at: iso(Date.now()),
        });
      } catch {
        // The inbox copy is written first; only an outside channel was lost.
      }
    }
  };
  return {
    file(event: string, summary: string, actor?: Actor, content?: unknown) {
      return acts.fileLedgerEntry({
        entryId: `${matterId}#${++seq}`,
        compoundId,
        matterId,
        matterType,
        event,
        at: iso(Date.now()),
        actor: actor && { userId: actor.userId, name: actor.name },
        summary,
        content,
        bodies,
      });
    },
    // Not async themselves: each returns the loop's promise, so its steps keep their timing in replays.
    notifyUsers(userIds: string[], key: string, title: string, body: string): Promise<void> {
      return notifyEach(
        userIds.map((userId) => ({ key: `${key}:user:${userId}`, to: { userId } })),
        title,
        body,
      );
    },
    notify(roles: Role[], key: string, title: string, body: string): Promise<void> {
      return notifyEach(
        roles.map((role) => ({ key: `${key}:${role}`, to: { role } })),
        title,
        body,
      );
    },
  };
}
export type MatterRecord = ReturnType<typeof recorder>;

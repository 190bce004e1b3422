import { Notification } from '../models/notification';
import type { Role } from '../domain/roles';

export interface NotificationInput {
  /** Stable per event: sending the same key twice delivers once. */
  key: string;
  compoundId: string;
  to: { role?: Role; userId?: string };
  title: string;
  body: string;
  voiceId?: string;
  /** When it happened (the workflow's time); the inbox is sorted by it. Default: now. */
  at?: string;
}

/** An outside channel (log, webhook, SMS…). The in-app inbox is not one: it is always written. */
export interface NotificationChannel {
  name: string;
  deliver(n: NotificationInput): Promise<void>;
}

export interface Notifier {
  send(n: NotificationInput): Promise<void>;
}

export function createNotifier({ channels }: { channels: NotificationChannel[] }): Notifier {
  return {
    async send(n) {
      const at = n.at ? new Date(n.at) : new Date();
      await Notification.updateOne(
        { key: n.key },
        {
          $setOnInsert: {
            key: n.key,
            compoundId: n.compoundId,
            to: n.to,
            title: n.title,
            body: n.body,
            voiceId: n.voiceId,
            deliveries: [],
            readBy: [],
            createdAt: at,
            updatedAt: at,
          },
        },
        { upsert: true, timestamps: false },
      );
      const sent = await Notification.findOne({ key: n.key }, { deliveries: 1 }).lean();
      const done = new Set((sent?.deliveries ?? []).map((d) => d.channel));
      for (const channel of channels) {
        if (done.has(channel.name)) continue;
        await channel.deliver(n); // a failure throws: the activity retries the channels not yet done
        await Notification.updateOne(
          { key: n.key, 'deliveries.channel': { $ne: channel.name } },
          { $push: { deliveries: { channel: channel.name, at: new Date() } } },
        );
      }
    },
  };
}

export function logChannel(log: (line: string) => void = (l) => console.log(l)): NotificationChannel {
  return {
    name: 'log',
    async deliver(n) {
      const to = n.to.userId ? `user:${n.to.userId}` : `role:${n.to.role}`;
      log(`[通知] ${n.compoundId} → ${to} | ${n.title} | ${n.body}`);
    },
  };
}

/** POSTs the notification as JSON, e.g. to an enterprise WeChat robot relay. */
export function webhookChannel(url: string, fetchImpl: typeof fetch = fetch): NotificationChannel {
  return {
    name: 'webhook',
    async deliver(n) {
      const res = await fetchImpl(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': n.key },
        body: JSON.stringify({
          msgtype: 'text',
          text: { content: `${n.title}\n${n.body}` },
          notification: n,
        }),
        signal: AbortSignal.timeout(10_000),
      });
      if (!res.ok) throw new Error(`webhook answered HTTP ${res.status}`);
    },
  };
}

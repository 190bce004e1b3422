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

export function createNotifier({
  channels,
  route,
}: {
  channels: NotificationChannel[];
  /** Channels chosen per notification (e.g. the robots its compound set for the body it is addressed to). */
  route?: (n: NotificationInput) => Promise<NotificationChannel[]>;
}): Notifier {
  return {
    async send(n) {
      const at = n.at ? new Date(n.at) : new Date();
      // Stored under its key as _id: found by lookup (not a scan of every notification), once.
      const stored = await Notification.updateOne(
        { _id: n.key },
        {
          $setOnInsert: {
            key: n.key,
            compoundId: n.compoundId,
            to: n.to,
            title: n.title,
            body: n.body,
            voiceId: n.voiceId,
            delivered: {},
            readBy: [],
            createdAt: at,
            updatedAt: at,
          },
        },
        { upsert: true, timestamps: false },
      ).catch((err: unknown) => {
        // Two sends of one key raced to insert it: the other one did.
        if ((err as { code?: number }).code !== 11000) throw err;
        return undefined;
      });
      const all = route ? [...channels, ...(await route(n))] : channels;
      if (!all.length) return;
      // Just inserted: nothing was delivered yet; otherwise (a retry) see which channels already were.
      const sent =
        stored?.upsertedCount === 1
          ? undefined
          : await Notification.findById(n.key, { delivered: 1, deliveries: 1 }).lean();
      const done = new Set([
        ...Object.keys((sent?.delivered ?? {}) as Record<string, unknown>),
        ...(sent?.deliveries ?? []).map((d) => d.channel),
      ]);
      for (const channel of all) {
        if (done.has(channel.name)) continue;
        await channel.deliver(n); // a failure throws: the activity retries the channels not yet done
        // A field per channel: setting it twice is the same as once (no array guard, which FerretDB v1
        // matches wrongly). One send of a key at a time: its activity's retries are sequential.
        await Notification.updateOne({ _id: n.key }, { $set: { [`delivered.${channel.name}`]: new Date() } });
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
/**
 * WeCom and DingTalk robots answer HTTP 200 with `errcode` ≠ 0 when they refuse a message (bad key,
 * too long, over the rate limit); Feishu with `code` ≠ 0. Such an answer is a failed delivery.
 */
export function vendorRefusal(body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined; // not JSON: a plain endpoint that said 2xx
  }
  if (!parsed || typeof parsed !== 'object') return undefined;
  const r = parsed as Record<string, unknown>;
  const code = r.errcode ?? r.code ?? r.StatusCode;
  if (code === undefined || code === 0 || code === '0') return undefined;
  const message = r.errmsg ?? r.msg ?? r.StatusMessage ?? '';
  return `code ${String(code)}${message ? ` (${String(message).slice(0, 200)})` : ''}`;
}

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
        // A robot URL that redirects is not the robot: never follow it elsewhere with the message.
        redirect: 'manual',
      });
      if (res.status >= 300 && res.status < 400) throw new Error(`webhook redirected (HTTP ${res.status})`);
      if (!res.ok) throw new Error(`webhook answered HTTP ${res.status}`);
      const refused = vendorRefusal(await res.text());
      if (refused) throw new Error(`webhook refused the message: ${refused}`);
    },
  };
}

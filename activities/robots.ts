/**
 * The offices' group robots as notification channels: a notification addressed to a body goes to the
 * robots its compound set for that body (settings.robots), each in its vendor's format, signed when a
 * secret is set, never following a redirect. Past the vendor's per-minute limit a notification is held
 * for that robot's digest of the minute, which one flush sends once the minute has passed.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { BODIES, type Body } from '../domain/bodies';
import {
  ROBOT_PER_MINUTE,
  ROBOT_RATE_LIMIT_CODES,
  digestText,
  minuteOf,
  notificationText,
  robotChannelName,
  robotMessage,
  robotUrlProblem,
  stringToSign,
  type RobotSetting,
  type RobotVendor,
} from '../domain/robots';
import { Compound } from '../models/compound';
import { RobotDigest, RobotDigestClaim, RobotDigestItem, RobotSlot } from '../models/robot-send';
import { robotsOf } from '../services/compounds';
import { vendorRefusal, type NotificationChannel, type NotificationInput } from './notifications';

export interface RobotDeps {
  fetch?: typeof fetch;
  /**
   * Why a robot may not be posted to (undefined: it may). Production: the vendor's own HTTPS host and
   * path (domain/robots.ts); tests point robots at a local stand-in server instead.
   */
  urlProblem?: (r: RobotSetting) => string | undefined;
  clock?: () => Date;
  timeoutMs?: number;
  warn?: (line: string) => void;
}

const MINUTE_MS = 60_000;
/** A digest claim this old without `sentAt` belongs to a flush that died: it may be taken over. */
const STALE_CLAIM_MS = 2 * MINUTE_MS;
/** A digest still not accepted an hour after it was due is dropped (the inbox holds its notices). */
const GIVE_UP_MS = 3600_000;
/** Slots and claims are kept a day, for a look at what went out, then removed by the periodic flush. */
const KEEP_MS = 24 * 3600_000;

const productionPolicy = (r: RobotSetting) => robotUrlProblem(r.vendor, r.url);
const robotId = (compoundId: string, r: { body: Body; vendor: RobotVendor }) =>
  `${compoundId}|${r.body}|${r.vendor}`;
const isDuplicate = (err: unknown) => (err as { code?: number }).code === 11000;

/** The robots a notification goes to: the body it is addressed to, in its compound's settings. */
export function robotChannels(
  deps: RobotDeps = {},
): (n: NotificationInput) => Promise<NotificationChannel[]> {
  const policy = deps.urlProblem ?? productionPolicy;
  const warn = deps.warn ?? ((l: string) => console.warn(l));
  return async (n) => {
    const body = n.to.role as Body | undefined;
    if (!body || n.to.userId || !BODIES.includes(body)) return [];
    const compound = await Compound.findById(n.compoundId, { settings: 1 }).lean();
    return robotsOf(compound)
      .filter((r) => r.body === body)
      .filter((r) => {
        // The API refuses such a URL; one stored another way is skipped, not posted to.
        const problem = policy(r);
        if (problem) warn(`[robot] ${n.compoundId} ${robotChannelName(r)} skipped: ${problem}`);
        return !problem;
      })
      .map((r) => robotChannel(n.compoundId, r, deps));
  };
}

function robotChannel(compoundId: string, r: RobotSetting, deps: RobotDeps): NotificationChannel {
  const clock = deps.clock ?? (() => new Date());
  const warn = deps.warn ?? ((l: string) => console.warn(l));
  const robot = robotId(compoundId, r);
  return {
    name: robotChannelName(r),
    async deliver(n) {
      const now = clock();
      // A digest whose minute has passed goes out before this robot's next message.
      await flushRobotDigests(now, deps, robot).catch((err: unknown) =>
        warn(`[robot] digest flush for ${robot} failed: ${String(err)}`),
      );
      if (!(await takeSlot(robot, r.vendor, n.key, now))) {
        await holdForDigest(robot, compoundId, r, n, now);
        return;
      }
      await postToRobot(r, notificationText(n), now, deps);
    },
  };
}

/**
 * Takes one of the robot's sends for this minute (or finds the one this notification took before a
 * retry). False when the vendor's limit is reached: in the minute's numbered slots, or in the last 60
 * seconds across the minute's edge (vendors count a moving minute; a fixed one would let 2× through).
 */
async function takeSlot(robot: string, vendor: RobotVendor, key: string, now: Date): Promise<boolean> {
  const minute = minuteOf(now);
  if (await RobotSlot.exists({ robot, minute, key })) return true;
  const limit = ROBOT_PER_MINUTE[vendor];
  const previous = minuteOf(new Date(now.getTime() - MINUTE_MS));
  const recent = await RobotSlot.countDocuments({
    robot,
    minute: { $in: [previous, minute] },
    at: { $gt: new Date(now.getTime() - MINUTE_MS) },
  });
  if (recent >= limit) return false;
  const taken = await RobotSlot.countDocuments({ robot, minute });
  for (let i = taken + 1; i <= limit; i++) {
    try {
      await RobotSlot.create({ _id: `${robot}|${minute}|${i}`, robot, minute, key, at: now });
      return true;
    } catch (err) {
      if (!isDuplicate(err)) throw err; // another send took slot i: try the next
    }
  }
  return false;
}

async function holdForDigest(
  robot: string,
  compoundId: string,
  r: RobotSetting,
  n: NotificationInput,
  now: Date,
): Promise<void> {
  const minute = minuteOf(now);
  const ignoreDuplicate = (err: unknown) => {
    if (!isDuplicate(err)) throw err; // already held (a retry), or the digest already made
  };
  await RobotDigestItem.create({
    _id: `${robot}|${minute}|${n.key}`,
    robot,
    minute,
    key: n.key,
    title: n.title,
    at: now,
  }).catch(ignoreDuplicate);
  await RobotDigest.create({
    _id: `${robot}|${minute}`,
    robot,
    minute,
    compoundId,
    body: r.body,
    vendor: r.vendor,
    dueAt: new Date(new Date(minute).getTime() + MINUTE_MS),
  }).catch(ignoreDuplicate);
}

/**
 * Sends the digests whose minute has passed (of one robot, or all); the worker calls it every few
 * seconds and each robot send calls it first. Each digest goes out once even when flushes race: the
 * flush that creates its claim (a unique `_id`) sends it. Returns how many it sent.
 */
export async function flushRobotDigests(now: Date, deps: RobotDeps = {}, robot?: string): Promise<number> {
  const due = await RobotDigest.find({ dueAt: { $lte: now }, ...(robot ? { robot } : {}) })
    .sort({ dueAt: 1 })
    .lean();
  let sent = 0;
  let failure: unknown;
  for (const d of due) {
    // One robot that is down does not hold back the others' digests.
    try {
      if (await flushDigest(d, now, deps)) sent++;
    } catch (err) {
      failure ??= err;
    }
  }
  if (!robot) {
    const old = new Date(now.getTime() - KEEP_MS);
    await RobotSlot.deleteMany({ at: { $lt: old } });
    await RobotDigestClaim.deleteMany({ at: { $lt: old } });
  }
  if (failure) throw failure;
  return sent;
}

async function flushDigest(
  d: {
    _id: string;
    robot: string;
    minute: string;
    compoundId: string;
    body: string;
    vendor: string;
    dueAt: Date;
  },
  now: Date,
  deps: RobotDeps,
): Promise<boolean> {
  const token = randomUUID();
  try {
    await RobotDigestClaim.create({ _id: d._id, token, at: now });
  } catch (err) {
    if (!isDuplicate(err)) throw err;
    const claim = await RobotDigestClaim.findById(d._id).lean();
    if (claim?.sentAt)
      await RobotDigest.deleteOne({ _id: d._id }); // sent; its flusher stopped short of this
    else if (claim && now.getTime() - claim.at.getTime() > STALE_CLAIM_MS)
      await RobotDigestClaim.deleteOne({ _id: d._id, token: claim.token }); // the next flush takes it over
    return false;
  }
  const release = () => RobotDigestClaim.deleteOne({ _id: d._id, token });
  const finish = async () => {
    await RobotDigestClaim.updateOne({ _id: d._id, token }, { $set: { sentAt: now } });
    await RobotDigestItem.deleteMany({ robot: d.robot, minute: d.minute });
    await RobotDigest.deleteOne({ _id: d._id });
  };
  try {
    const compound = await Compound.findById(d.compoundId, { settings: 1 }).lean();
    const r = robotsOf(compound).find((x) => x.body === d.body && x.vendor === d.vendor);
    const items = await RobotDigestItem.find({ robot: d.robot, minute: d.minute })
      .sort({ at: 1, _id: 1 })
      .lean();
    const policy = deps.urlProblem ?? productionPolicy;
    const tooLate = now.getTime() - d.dueAt.getTime() > GIVE_UP_MS;
    if (!r || policy(r) || !items.length || tooLate) {
      // The robot was removed or kept refusing for an hour, or nothing was held: the notices stay in
      // the inbox, and the digest is not tried again.
      if (tooLate) (deps.warn ?? console.warn)(`[robot] digest ${d._id} given up after an hour of failures`);
      await finish();
      return false;
    }
    if (!(await takeSlot(d.robot, r.vendor, `digest:${d._id}`, now))) {
      await release(); // this minute is full too: a later flush sends it
      return false;
    }
    await postToRobot(r, digestText(items), now, deps);
    await finish();
    return true;
  } catch (err) {
    await release();
    throw err;
  }
}

/** One POST to a robot; throws unless the vendor accepted the message (2xx and errcode/code 0). */
export async function postToRobot(
  r: RobotSetting,
  text: string,
  now: Date,
  deps: RobotDeps = {},
): Promise<void> {
  const fetchImpl = deps.fetch ?? fetch;
  const url = new URL(r.url);
  const message: Record<string, unknown> = { ...robotMessage(r.vendor, text) };
  if (r.secret && r.vendor === 'dingtalk') {
    // 加签: timestamp in ms and base64(HMAC-SHA256 keyed by the secret) as URL parameters.
    const timestamp = now.getTime();
    const sign = createHmac('sha256', r.secret).update(stringToSign(timestamp, r.secret)).digest('base64');
    url.searchParams.set('timestamp', String(timestamp));
    url.searchParams.set('sign', sign);
  } else if (r.secret && r.vendor === 'feishu') {
    // 签名校验: timestamp in seconds; the HMAC is keyed by the string to sign, over nothing; in the body.
    const timestamp = String(Math.floor(now.getTime() / 1000));
    message.timestamp = timestamp;
    message.sign = createHmac('sha256', stringToSign(timestamp, r.secret)).update('').digest('base64');
  }
  const res = await fetchImpl(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(message),
    signal: AbortSignal.timeout(deps.timeoutMs ?? 8_000),
    // A robot URL that redirects is not the robot: never follow it elsewhere with the message.
    redirect: 'manual',
  });
  const name = robotChannelName(r);
  if (res.status >= 300 && res.status < 400) throw new Error(`${name} redirected (HTTP ${res.status})`);
  const answer = await res.text();
  if (!res.ok) throw new Error(`${name} answered HTTP ${res.status}`);
  const refused = vendorRefusal(answer);
  if (refused) {
    const code = Number(/^code (-?\d+)/.exec(refused)?.[1]);
    const throttled = ROBOT_RATE_LIMIT_CODES[r.vendor].includes(code);
    throw new Error(`${name} refused the message${throttled ? ' (rate limited 限流)' : ''}: ${refused}`);
  }
}

/**
 * Group robots the offices use (企业微信群机器人, 钉钉自定义机器人, 飞书自定义机器人): which URLs are a
 * vendor's own, what each vendor accepts as a message and how much of it, how many messages a minute,
 * and the digest sent instead of a flood. Pure: no I/O, no clock (time comes in as an argument).
 *
 * Vendor facts, as their documentation says them (looked up 2026-12-02):
 * - WeCom (work.weixin.qq.com/api/doc/90000/90136/91770): text `content` at most 2048 bytes, markdown
 *   `content` at most 4096 bytes, UTF-8; "每个机器人发送的消息不能超过20条/分钟"; errcode 45009
 *   (api freq out of limit) when over it.
 * - DingTalk (open.dingtalk.com/document/group/custom-robot-access): 20 messages a minute per robot,
 *   then throttled for 10 minutes (errcode 130101 "send too fast, exceed 20 times per minute", as seen
 *   in ccfos/nightingale#369; 410100, from memory of DingTalk's code table and not re-verified here). The custom-robot page gives
 *   no text size; the nearest figure DingTalk documents for robot messages is 15,000 bytes (msgParam of
 *   robot/groupMessages/send), so that is the cap used here.
 * - Feishu/Lark (open.feishu.cn/document/client-docs/bot-v3/add-custom-bot): 100 a minute and 5 a
 *   second per robot; the request body at most 20 KB; code 11232 when throttled, 19021 for a bad sign.
 */
import { BODIES, type Body } from './bodies';

export const ROBOT_VENDORS = ['wecom', 'dingtalk', 'feishu'] as const;
export type RobotVendor = (typeof ROBOT_VENDORS)[number];

export const ROBOT_VENDOR_LABELS: Record<RobotVendor, string> = {
  wecom: '企业微信群机器人',
  dingtalk: '钉钉自定义机器人',
  feishu: '飞书自定义机器人',
};

/** One robot of a compound: the group of one body on one vendor. */
export interface RobotSetting {
  body: Body;
  vendor: RobotVendor;
  url: string;
  /** DingTalk 加签 / Feishu 签名校验 secret; WeCom robots have none. */
  secret?: string;
}

/** At most one robot per body and vendor. */
export const MAX_ROBOTS = BODIES.length * ROBOT_VENDORS.length;

/** Messages a robot may send in a minute (the vendors' own limits, above). */
export const ROBOT_PER_MINUTE: Record<RobotVendor, number> = { wecom: 20, dingtalk: 20, feishu: 100 };

/** Answers (errcode / code) that mean "over the rate limit". */
export const ROBOT_RATE_LIMIT_CODES: Record<RobotVendor, readonly number[]> = {
  wecom: [45009],
  dingtalk: [130101, 410100],
  feishu: [11232, 99991400],
};

const HOSTS: Record<RobotVendor, readonly string[]> = {
  wecom: ['qyapi.weixin.qq.com'],
  dingtalk: ['oapi.dingtalk.com'],
  feishu: ['open.feishu.cn', 'open.larksuite.com'],
};
const TOKEN = /^[A-Za-z0-9_-]{8,128}$/;

/** Where a robot URL keeps its credential: a query parameter, or Feishu's last path segment. */
function credentialOf(vendor: RobotVendor, url: URL): string | undefined {
  if (vendor === 'wecom') return url.searchParams.get('key') ?? undefined;
  if (vendor === 'dingtalk') return url.searchParams.get('access_token') ?? undefined;
  return url.pathname.slice('/open-apis/bot/v2/hook/'.length) || undefined;
}

/**
 * Why a URL is not this vendor's robot (a message for people), or undefined when it is: HTTPS on the
 * vendor's own host and path, with its key or token and nothing else (no user, port, fragment or extra
 * parameter a look-alike could use).
 */
export function robotUrlProblem(vendor: RobotVendor, raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return '不是有效的网址';
  }
  if (url.protocol !== 'https:') return '必须是 https 地址';
  if (!HOSTS[vendor].includes(url.hostname))
    return `${ROBOT_VENDOR_LABELS[vendor]}的地址必须在 ${HOSTS[vendor].join(' 或 ')} 上`;
  if (url.username || url.password || url.port || url.hash) return '地址不能带用户名、端口或 # 片段';
  const params = [...url.searchParams.keys()];
  if (vendor === 'wecom') {
    if (url.pathname !== '/cgi-bin/webhook/send' || params.join() !== 'key')
      return '应为 https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…';
  } else if (vendor === 'dingtalk') {
    if (url.pathname !== '/robot/send' || params.join() !== 'access_token')
      return '应为 https://oapi.dingtalk.com/robot/send?access_token=…（签名由系统按密钥添加）';
  } else if (!url.pathname.startsWith('/open-apis/bot/v2/hook/') || params.length) {
    return '应为 https://open.feishu.cn/open-apis/bot/v2/hook/…';
  }
  if (!TOKEN.test(credentialOf(vendor, url) ?? '')) return '地址中的 key / token 格式不对';
  return undefined;
}

/** Why a whole robot setting is wrong, with the field it concerns; undefined when it is right. */
export function robotSettingProblem(
  r: RobotSetting,
): { field: 'url' | 'secret'; message: string } | undefined {
  const url = robotUrlProblem(r.vendor, r.url);
  if (url) return { field: 'url', message: url };
  if (r.secret !== undefined && r.vendor === 'wecom')
    return { field: 'secret', message: '企业微信群机器人没有签名密钥，请不要填写' };
  return undefined;
}

/** Shown instead of a secret that is set: reads never return it. */
export const SECRET_SET = '已设置';

/** The URL with its key or token hidden but for its last four characters. */
export function maskRobotUrl(vendor: RobotVendor, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return '****';
  }
  const credential = credentialOf(vendor, url) ?? '';
  const masked = `****${credential.slice(-4)}`;
  if (vendor === 'feishu') return `${url.origin}/open-apis/bot/v2/hook/${masked}`;
  const name = vendor === 'wecom' ? 'key' : 'access_token';
  return `${url.origin}${url.pathname}?${name}=${masked}`;
}

/** A robot as reads show it: the URL masked, the secret only said to be set. */
export function maskRobot(r: RobotSetting): {
  body: Body;
  vendor: RobotVendor;
  url: string;
  secret?: string;
} {
  return {
    body: r.body,
    vendor: r.vendor,
    url: maskRobotUrl(r.vendor, r.url),
    ...(r.secret ? { secret: SECRET_SET } : {}),
  };
}

/** Bytes of a string in UTF-8, counted without an encoder. */
export function utf8Bytes(s: string): number {
  let n = 0;
  for (const ch of s) n += utf8CharBytes(ch);
  return n;
}
function utf8CharBytes(ch: string): number {
  const cp = ch.codePointAt(0) ?? 0;
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}
/** Bytes a character takes inside a JSON string (escapes included). */
function jsonCharBytes(ch: string): number {
  return ch.length === 1 && ch.charCodeAt(0) < 0x80 ? JSON.stringify(ch).length - 2 : utf8CharBytes(ch);
}

export const TRUNCATED_MARK = '…（已截断）';

/**
 * The text cut to at most `limit` bytes (as `cost` counts them), whole characters only, ending in the
 * truncation mark when it was cut.
 */
export function truncateBytes(
  text: string,
  limit: number,
  cost: (ch: string) => number = utf8CharBytes,
): string {
  let total = 0;
  for (const ch of text) total += cost(ch);
  if (total <= limit) return text;
  let room = limit;
  for (const ch of TRUNCATED_MARK) room -= cost(ch);
  let out = '';
  for (const ch of text) {
    const c = cost(ch);
    if (c > room) break;
    room -= c;
    out += ch;
  }
  return out + TRUNCATED_MARK;
}

/** Headroom in Feishu's 20 KB body for the envelope: msg_type, timestamp, sign. */
const FEISHU_BODY_LIMIT = 20 * 1024;
const FEISHU_ENVELOPE = 256;

/** The most a vendor's text may carry, in the bytes its limit counts. */
export const ROBOT_TEXT_LIMIT: Record<RobotVendor, number> = {
  wecom: 2048,
  dingtalk: 15_000,
  feishu: FEISHU_BODY_LIMIT - FEISHU_ENVELOPE,
};
const WECOM_MARKDOWN_LIMIT = 4096;

export type RobotMessage =
  | { msgtype: 'text'; text: { content: string } }
  | { msgtype: 'markdown'; markdown: { content: string } }
  | { msg_type: 'text'; content: { text: string } };

/** The body a vendor's robot takes for one text, cut to its size limit. */
export function robotMessage(
  vendor: RobotVendor,
  text: string,
  format: 'text' | 'markdown' = 'text',
): RobotMessage {
  if (vendor === 'wecom' && format === 'markdown')
    return { msgtype: 'markdown', markdown: { content: truncateBytes(text, WECOM_MARKDOWN_LIMIT) } };
  if (vendor === 'feishu')
    // Feishu limits the whole request body, so the text is counted as JSON writes it.
    return {
      msg_type: 'text',
      content: { text: truncateBytes(text, ROBOT_TEXT_LIMIT.feishu, jsonCharBytes) },
    };
  return { msgtype: 'text', text: { content: truncateBytes(text, ROBOT_TEXT_LIMIT[vendor]) } };
}

/** The text of one notification as a robot posts it. */
export function notificationText(n: { title: string; body: string }): string {
  return `${n.title}\n${n.body}`;
}

/** What DingTalk (ms timestamp) and Feishu (s timestamp) sign: `${timestamp}\n${secret}`. */
export function stringToSign(timestamp: number | string, secret: string): string {
  return `${timestamp}\n${secret}`;
}

/** The start of the UTC minute an instant falls in, as an ISO string: a robot's counting window. */
export function minuteOf(at: Date): string {
  const d = new Date(at.getTime());
  d.setUTCSeconds(0, 0);
  return d.toISOString();
}

/** Titles a digest names before it says "等 N 条". */
export const DIGEST_TITLES = 10;

/** The digest of notifications held back in one minute, in Chinese, bounded. */
export function digestText(items: readonly { title: string }[]): string {
  const shown = items.slice(0, DIGEST_TITLES).map((it, i) => `${i + 1}. ${it.title.slice(0, 60)}`);
  const rest = items.length - shown.length;
  return [
    `【汇总】过去一分钟另有 ${items.length} 条通知，为免刷屏合并发送：`,
    ...shown,
    ...(rest > 0 ? [`……等共 ${items.length} 条，请到系统收件箱查看全部。`] : ['详情请到系统收件箱查看。']),
  ].join('\n');
}

/** A robot's name as notifications record their deliveries: `robot:<body>:<vendor>`. */
export function robotChannelName(r: { body: Body; vendor: RobotVendor }): string {
  return `robot:${r.body}:${r.vendor}`;
}

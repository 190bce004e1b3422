/**
 * One-time codes (验证码) sent to a phone before it registers: six digits, kept hashed for ten minutes,
 * five tries, one send a minute per phone. They go out through a sender: in development one that prints
 * them; in production an SMS gateway on the Aliyun/Tencent template model (sign, template code,
 * parameters), configured by env.
 */
import { createHash, randomInt } from 'node:crypto';
import { DomainError } from '../domain/errors';
import { OneTimeCode } from '../models/one-time-code';

export interface OneTimeCodeSender {
  send(phone: string, code: string): Promise<void>;
}

/** Prints the code (development): `[验证码] 138****5678 ← 123456`. */
export function printingSender(log: (line: string) => void = (l) => console.log(l)): OneTimeCodeSender {
  return { send: async (phone, code) => log(`[验证码] ${phone} ← ${code}（10 分钟内有效）`) };
}

/**
 * An SMS gateway on the vendors' template model: the message is never free text, only a registered
 * template (`templateCode`) under a registered signature (`signName`) with its parameters. The endpoint is
 * the deployment's SMS relay or vendor adapter (HTTPS), which signs for the vendor; no key lives here.
 */
export function templateSmsSender(opts: {
  endpoint: string;
  signName: string;
  templateCode: string;
  fetchImpl?: typeof fetch;
}): OneTimeCodeSender {
  if (!opts.endpoint.startsWith('https://')) throw new Error('SMS_ENDPOINT must be an https:// URL');
  const doFetch = opts.fetchImpl ?? fetch;
  return {
    async send(phone, code) {
      const res = await doFetch(opts.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          phoneNumbers: phone,
          signName: opts.signName,
          templateCode: opts.templateCode,
          templateParam: { code },
        }),
        redirect: 'manual',
        signal: AbortSignal.timeout(10_000),
      });
      if (!res.ok)
        throw new DomainError('unavailable', '短信暂时发不出去，请稍后再试', { retryAfterSeconds: 60 });
    },
  };
}

const hashOf = (phone: string, code: string) => createHash('sha256').update(`${phone}:${code}`).digest('hex');
const VALID_MS = 10 * 60_000;
const RESEND_MS = 60_000;
const MAX_TRIES = 5;

export async function sendOneTimeCode(sender: OneTimeCodeSender, phone: string, now = new Date()) {
  const last = await OneTimeCode.findById(phone).lean();
  if (last && now.getTime() - last.sentAt.getTime() < RESEND_MS) {
    const wait = Math.ceil((RESEND_MS - (now.getTime() - last.sentAt.getTime())) / 1000);
    throw new DomainError('rate_limited', `验证码已发送，请 ${wait} 秒后再试`, { retryAfterSeconds: wait });
  }
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  await OneTimeCode.replaceOne(
    { _id: phone },
    { hash: hashOf(phone, code), sentAt: now, expiresAt: new Date(now.getTime() + VALID_MS), tries: 0 },
    { upsert: true },
  );
  await sender.send(phone, code);
  return { sent: true, validSeconds: VALID_MS / 1000 };
}

/** Spends the phone's code: right once, within its time and tries; refused otherwise. */
export async function checkOneTimeCode(phone: string, code: string, now = new Date()): Promise<void> {
  const stored = await OneTimeCode.findById(phone).lean();
  const refuse = (message: string) => {
    throw new DomainError('unprocessable', message, { field: 'body.code' });
  };
  if (!stored || stored.expiresAt.getTime() <= now.getTime()) refuse('验证码已过期，请重新获取');
  if (stored!.tries >= MAX_TRIES) refuse('验证码错误次数过多，请重新获取');
  if (stored!.hash !== hashOf(phone, code)) {
    await OneTimeCode.updateOne({ _id: phone }, { $inc: { tries: 1 } });
    refuse('验证码不正确');
  }
  await OneTimeCode.deleteOne({ _id: phone });
}

/** The group robots' rules without servers: whose URLs, which formats, how long, how many a minute. */
import { z } from 'zod';
import {
  ROBOT_PER_MINUTE,
  ROBOT_VENDORS,
  TRUNCATED_MARK,
  digestText,
  maskRobot,
  maskRobotUrl,
  minuteOf,
  robotMessage,
  robotSettingProblem,
  robotUrlProblem,
  truncateBytes,
  utf8Bytes,
} from '../../domain/robots';

const WECOM = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7aaa-4bc4-97a0-0ec2sifa5abcd';
const DINGTALK = 'https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef0123456789abcdef';
const FEISHU = 'https://open.feishu.cn/open-apis/bot/v2/hook/2b47757342ff-761b-33b9-2272125e5090';

describe('robot URLs (the production policy)', () => {
  it("accepts each vendor's own HTTPS webhook URL, Lark's host included", () => {
    expect(robotUrlProblem('wecom', WECOM)).toBeUndefined();
    expect(robotUrlProblem('dingtalk', DINGTALK)).toBeUndefined();
    expect(robotUrlProblem('feishu', FEISHU)).toBeUndefined();
    expect(robotUrlProblem('feishu', FEISHU.replace('open.feishu.cn', 'open.larksuite.com'))).toBeUndefined();
  });

  it('refuses http, another host, a look-alike host, a port, a user, a fragment or an extra parameter', () => {
    expect(robotUrlProblem('wecom', WECOM.replace('https:', 'http:'))).toMatch(/https/);
    expect(robotUrlProblem('wecom', WECOM.replace('qyapi.weixin.qq.com', 'evil.example.com'))).toMatch(
      /qyapi\.weixin\.qq\.com/,
    );
    expect(
      robotUrlProblem('wecom', WECOM.replace('qyapi.weixin.qq.com', 'qyapi.weixin.qq.com.evil.cn')),
    ).toBeTruthy();
    expect(
      robotUrlProblem('dingtalk', DINGTALK.replace('oapi.dingtalk.com', 'oapi.dingtalk.com:8443')),
    ).toBeTruthy();
    expect(robotUrlProblem('dingtalk', DINGTALK.replace('https://', 'https://u:p@'))).toBeTruthy();
    expect(robotUrlProblem('feishu', `${FEISHU}#x`)).toBeTruthy();
    expect(robotUrlProblem('dingtalk', `${DINGTALK}&redirect=https://evil.example.com`)).toBeTruthy();
    expect(robotUrlProblem('wecom', 'not a url')).toBe('不是有效的网址');
  });

  it("refuses one vendor's URL given as another's, a wrong path and a missing key", () => {
    expect(robotUrlProblem('dingtalk', WECOM)).toBeTruthy();
    expect(
      robotUrlProblem('wecom', 'https://qyapi.weixin.qq.com/cgi-bin/webhook/upload_media?key=abcdefgh1'),
    ).toBeTruthy();
    expect(robotUrlProblem('wecom', 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send')).toBeTruthy();
    expect(robotUrlProblem('feishu', 'https://open.feishu.cn/open-apis/bot/v2/hook/')).toBeTruthy();
  });

  it('refuses a secret on a WeCom robot, which has none, and names the field', () => {
    expect(robotSettingProblem({ body: 'staff', vendor: 'wecom', url: WECOM, secret: 'x' })).toEqual({
      field: 'secret',
      message: expect.stringContaining('没有签名密钥'),
    });
    expect(
      robotSettingProblem({ body: 'staff', vendor: 'dingtalk', url: DINGTALK, secret: 'SECabc' }),
    ).toBeUndefined();
  });
});

describe('masking', () => {
  it('shows only the last four characters of the key or token, and that a secret is set', () => {
    expect(maskRobotUrl('wecom', WECOM)).toBe(
      'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=****abcd',
    );
    expect(maskRobotUrl('dingtalk', DINGTALK)).toBe(
      'https://oapi.dingtalk.com/robot/send?access_token=****cdef',
    );
    expect(maskRobotUrl('feishu', FEISHU)).toBe('https://open.feishu.cn/open-apis/bot/v2/hook/****5090');
    const shown = maskRobot({ body: 'partyBranch', vendor: 'dingtalk', url: DINGTALK, secret: 'SECsecret' });
    expect(shown).toEqual({
      body: 'partyBranch',
      vendor: 'dingtalk',
      url: expect.stringContaining('****'),
      secret: '已设置',
    });
    expect(JSON.stringify(shown)).not.toContain('SECsecret');
    expect(JSON.stringify(shown)).not.toContain('0123456789abcdef0123');
  });
});

describe('message formats and sizes', () => {
  it("writes each vendor's text body", () => {
    expect(robotMessage('wecom', '通知')).toEqual({ msgtype: 'text', text: { content: '通知' } });
    expect(robotMessage('wecom', '**通知**', 'markdown')).toEqual({
      msgtype: 'markdown',
      markdown: { content: '**通知**' },
    });
    expect(robotMessage('dingtalk', '通知')).toEqual({ msgtype: 'text', text: { content: '通知' } });
    expect(robotMessage('feishu', '通知')).toEqual({ msg_type: 'text', content: { text: '通知' } });
  });

  it('cuts a WeCom text of Chinese to 2048 UTF-8 bytes without splitting a character, marked as cut', () => {
    const long = '居民反映楼道堆物'.repeat(200); // 3 bytes a character: 4800 bytes
    const m = robotMessage('wecom', long) as { text: { content: string } };
    expect(utf8Bytes(m.text.content)).toBeLessThanOrEqual(2048);
    expect(utf8Bytes(m.text.content)).toBeGreaterThan(2048 - 3 - utf8Bytes(TRUNCATED_MARK));
    expect(m.text.content.endsWith(TRUNCATED_MARK)).toBe(true);
    expect(m.text.content).not.toContain('\uFFFD');
    expect(long.startsWith(m.text.content.slice(0, -TRUNCATED_MARK.length))).toBe(true);
  });

  it('never splits a four-byte character (an emoji) at the cut', () => {
    const cut = truncateBytes('😀'.repeat(10), 20);
    expect(utf8Bytes(cut)).toBeLessThanOrEqual(20);
    expect([...cut.slice(0, -TRUNCATED_MARK.length)].every((c) => c === '😀')).toBe(true);
  });

  it('keeps a text within the limit as it is', () => {
    expect(truncateBytes('短通知', 2048)).toBe('短通知');
    const exactly = 'a'.repeat(2048);
    expect(truncateBytes(exactly, 2048)).toBe(exactly);
  });

  it('keeps the whole Feishu request body under 20 KB, counting JSON escapes', () => {
    const body = JSON.stringify({
      ...robotMessage('feishu', '"\n'.repeat(20_000)),
      timestamp: '1700000000',
      sign: 'x'.repeat(44),
    });
    expect(utf8Bytes(body)).toBeLessThanOrEqual(20 * 1024);
    expect(body).toContain(JSON.stringify(TRUNCATED_MARK).slice(1, -1));
  });

  it('cuts a DingTalk text to its cap', () => {
    const m = robotMessage('dingtalk', '钉'.repeat(10_000)) as { text: { content: string } };
    expect(utf8Bytes(m.text.content)).toBeLessThanOrEqual(15_000);
  });
});

describe('per-minute limits and the digest', () => {
  it("has each vendor's documented per-minute limit", () => {
    expect(ROBOT_PER_MINUTE).toEqual({ wecom: 20, dingtalk: 20, feishu: 100 });
  });

  it('counts in UTC minutes', () => {
    expect(minuteOf(new Date('2026-12-02T06:07:59.999Z'))).toBe('2026-12-02T06:07:00.000Z');
  });

  it('names how many were held back and lists at most ten titles', () => {
    const items = Array.from({ length: 12 }, (_, i) => ({ title: `通知${i + 1}` }));
    const text = digestText(items);
    expect(text).toMatch(/^【汇总】过去一分钟另有 12 条通知/);
    expect(text).toContain('10. 通知10');
    expect(text).not.toContain('通知11');
    expect(text).toContain('等共 12 条');
  });

  it('builds zod enums from the vendor tuple', () => {
    const vendor = z.enum(ROBOT_VENDORS);
    expect(vendor.safeParse('dingtalk').success).toBe(true);
    expect(vendor.safeParse('slack').success).toBe(false);
  });
});

/**
 * The open intake's pure mappings (domain/open311.ts): service codes from kinds × categories, Open311's
 * two statuses from a voice's six, the agency by name, the keys' shape; and 12345 work-order formats.
 */
import {
  MAX_ACTIVE_API_KEYS,
  SERVICE_CODES,
  agencyOf,
  apiKeyIdOf,
  apiKeyOf,
  open311Services,
  open311Status,
  open311StatusNotes,
  parseServiceCode,
  serviceCodeOf,
} from '../../domain/open311';
import {
  CATEGORIES,
  CHANNELS,
  CHANNEL_LABELS,
  CLASSIFICATION_CODE,
  HOTLINE_CHANNELS,
  OUTSIDE_CHANNELS,
  VOICE_KINDS,
  VOICE_STATUSES,
  WORK_ORDER_NO,
  normaliseWorkOrderNo,
} from '../../domain/voices';

describe('services', () => {
  test('when the services are listed, there is one per kind and category, each code naming both', () => {
    const services = open311Services();
    expect(services).toHaveLength(VOICE_KINDS.length * CATEGORIES.length);
    expect(new Set(services.map((s) => s.service_code)).size).toBe(services.length);
    for (const s of services) {
      expect(s).toMatchObject({ type: 'realtime', metadata: false });
      expect(s.service_name).toMatch(/[\u4e00-\u9fa5]/);
      expect(parseServiceCode(s.service_code)).toBeDefined();
    }
  });

  test.each(SERVICE_CODES.map((c) => [c]))(
    'when code %s is parsed and made again, it is the same code',
    (code) => {
      const { kind, category } = parseServiceCode(code)!;
      expect(serviceCodeOf(kind, category)).toBe(code);
    },
  );

  test.each([
    'complaint',
    'complaint.',
    'complaint.unicorns',
    'rumour.sanitation',
    '',
    'complaint.sanitation.x',
  ])('when code %j names no service, it parses to nothing', (code) => {
    expect(parseServiceCode(code)).toBeUndefined();
  });
});

describe('status', () => {
  test.each([
    ['received', 'open'],
    ['assigned', 'open'],
    ['inProgress', 'open'],
    ['resolved', 'open'],
    ['closed', 'closed'],
    ['published', 'closed'],
  ] as const)('when a voice is %s, the request is %s', (status, expected) => {
    expect(open311Status(status)).toBe(expected);
  });

  test('every voice status maps to open or closed', () => {
    for (const s of VOICE_STATUSES) expect(['open', 'closed']).toContain(open311Status(s));
  });

  test('when a voice is closed with a result, the notes give the status and the result; before, the status alone', () => {
    expect(open311StatusNotes('closed', '已清运')).toBe('已关闭：已清运');
    expect(open311StatusNotes('assigned', '已清运')).toBe('待接单');
  });

  test('the agency responsible is the body by its full Chinese name', () => {
    expect(agencyOf('ownersCommittee')).toBe('业主委员会');
    expect(agencyOf('staff')).toBe('社区工作人员');
  });
});

describe('keys', () => {
  test('when a key is made, its id is read back from it; anything else has none', () => {
    const key = apiKeyOf('0123456789', 'A'.repeat(43));
    expect(apiKeyIdOf(key)).toBe('0123456789');
    expect(apiKeyIdOf(`${key}x`)).toBeUndefined();
    expect(apiKeyIdOf('Bearer abc')).toBeUndefined();
    expect(MAX_ACTIVE_API_KEYS).toBeGreaterThan(0);
  });
});

describe('12345 work orders', () => {
  test.each(['NX2026120200017', 'YC-20261202-0042', '123456'])('work order %s is well formed', (no) => {
    expect(WORK_ORDER_NO.test(no)).toBe(true);
  });
  test.each(['12 34', '-123456', '12345', 'A'.repeat(33), '工单123456'])('work order %j is refused', (no) => {
    expect(WORK_ORDER_NO.test(no)).toBe(false);
  });
  test.each([
    ['0301', true],
    ['03.01.02', true],
    ['', false],
    ['03 01', false],
  ] as const)('classification code %j well formed: %s', (code, ok) => {
    expect(CLASSIFICATION_CODE.test(code)).toBe(ok);
  });
  test('a work order typed in lower case or with spaces around is the same work order', () => {
    expect(normaliseWorkOrderNo(' nx2026120200017 ')).toBe('NX2026120200017');
  });
  test('the hotline and outside channels are channels of the domain, each with a Chinese label', () => {
    for (const c of [...HOTLINE_CHANNELS, ...OUTSIDE_CHANNELS]) {
      expect(CHANNELS).toContain(c);
      expect(CHANNEL_LABELS[c]).toMatch(/[\u4e00-\u9fa5]/);
    }
  });
});

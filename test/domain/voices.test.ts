/**
 * Residents' voices (domain/voices.ts): classification, assignment, the escalation ladder, who may
 * act, reminders, deadline extensions and masking of personal data before the echo wall shows it.
 */
import fc from 'fast-check';
import { DomainError } from '../../domain/errors';
import type { Role } from '../../domain/roles';
import {
  CATEGORIES,
  CATEGORY_LABELS,
  type Category,
  type ResponsibleBody,
  classifyVoice,
  defaultAssignee,
  escalationLadder,
  maskName,
  maskPersonalData,
  mayHandleVoice,
  reminderTime,
  responsibleAt,
  validateExtension,
} from '../../domain/voices';

const HOUR = 3_600_000;
const at = (iso: string) => new Date(iso);

/** Chinese text without digits, to surround numbers in property tests. */
const chineseText = fc.string({
  unit: fc.integer({ min: 0x4e00, max: 0x9fa5 }).map((c) => String.fromCharCode(c)),
  maxLength: 30,
});

function thrown(fn: () => void): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to throw');
}

describe('classifyVoice', () => {
  test.each<[string, Category]>([
    ['楼道里堆满了垃圾，好几天没人清扫', 'sanitation'],
    ['晚上小区里有陌生人闲逛，希望加强巡逻', 'security'],
    ['楼道里有人飞线充电，很危险', 'fireSafety'],
    ['物业费又涨价了，没有说明', 'fees'],
    ['希望公开公共收益的账目', 'publicFunds'],
    ['自管会工作人员服务态度差，遇事推诿', 'serviceQuality'],
    ['物业公司什么都不管', 'propertyCompany'],
    ['3号楼电梯坏了三天了', 'facilities'],
    ['小区车位太少，晚上没地方停', 'parking'],
    ['楼上邻居半夜噪音扰民', 'neighbourhood'],
  ])('when a resident writes "%s", the voice is classified as %s', (text, category) => {
    expect(classifyVoice(text)).toBe(category);
  });

  test('when a resident praises the self-management committee\u2019s cleaners, the voice is sanitation, not serviceQuality', () => {
    // Arrange
    const text = '感谢自管会的保洁阿姨，每天把楼道打扫得干干净净';

    // Act
    const category = classifyVoice(text);

    // Assert
    expect(category).toBe('sanitation');
  });

  test('when the text mentions both fire safety and parking, the first category in order (fireSafety) wins', () => {
    expect(classifyVoice('消防通道被乱停车堵住了')).toBe('fireSafety');
  });

  test('when the text mentions a parking fee, fees wins over parking', () => {
    expect(classifyVoice('停车费太贵了')).toBe('fees');
  });

  test('when the text mentions the maintenance fund, publicFunds wins over facilities', () => {
    expect(classifyVoice('维修资金怎么用的要公开')).toBe('publicFunds');
  });

  test('when the text mentions the property fee, fees wins over propertyCompany', () => {
    expect(classifyVoice('物业费什么时候交')).toBe('fees');
  });

  test('when the text names garbage next to a broken street lamp, sanitation (checked first) wins over facilities', () => {
    expect(classifyVoice('垃圾桶旁边的路灯坏了')).toBe('sanitation');
  });

  test('when no keyword appears, the voice is classified as other', () => {
    expect(classifyVoice('建议多组织一些文化活动')).toBe('other');
  });

  test('when the text is empty, the voice is classified as other', () => {
    expect(classifyVoice('')).toBe('other');
  });

  test('every category has a Chinese label', () => {
    for (const c of CATEGORIES) expect(CATEGORY_LABELS[c]).toMatch(/[\u4e00-\u9fa5]/);
  });
});

describe('defaultAssignee', () => {
  test('when residents praise the self-management committee\u2019s service, the praise goes to that committee', () => {
    expect(defaultAssignee('serviceQuality', 'praise')).toBe('selfManagementCommittee');
    expect(defaultAssignee('serviceQuality', 'complaint')).toBe('ownersCommittee');
  });

  const expected: Record<Category, ResponsibleBody> = {
    sanitation: 'selfManagementCommittee',
    security: 'selfManagementCommittee',
    fireSafety: 'selfManagementCommittee',
    fees: 'ownersCommittee',
    publicFunds: 'ownersCommittee',
    propertyCompany: 'ownersCommittee',
    serviceQuality: 'ownersCommittee',
    facilities: 'staff',
    parking: 'staff',
    neighbourhood: 'staff',
    other: 'staff',
  };

  test.each(CATEGORIES.map((c) => [c, expected[c]]))(
    'when a voice is classified as %s, it is assigned by default to %s',
    (category, body) => {
      expect(defaultAssignee(category as Category)).toBe(body);
    },
  );

  test('when a complaint concerns the self-management committee\u2019s service, it goes to the owners\u2019 committee that supervises it', () => {
    expect(defaultAssignee(classifyVoice('自管会巡逻队员态度差'))).toBe('ownersCommittee');
  });
});

describe('escalationLadder', () => {
  test('when the self-management committee is assigned, the ladder climbs to the owners\u2019 committee, then the party branch', () => {
    expect(escalationLadder('selfManagementCommittee')).toEqual([
      'selfManagementCommittee',
      'ownersCommittee',
      'partyBranch',
    ]);
  });

  test('when the owners\u2019 committee is assigned, it is not repeated: the ladder is owners\u2019 committee, then party branch', () => {
    expect(escalationLadder('ownersCommittee')).toEqual(['ownersCommittee', 'partyBranch']);
  });

  test('when community staff are assigned, the ladder climbs from staff to the owners\u2019 committee and the party branch', () => {
    expect(escalationLadder('staff')).toEqual(['staff', 'ownersCommittee', 'partyBranch']);
  });

  test('for any assignee, the ladder starts with that body, contains the party branch and repeats no body', () => {
    const body = fc.constantFrom<ResponsibleBody>(
      'selfManagementCommittee',
      'ownersCommittee',
      'partyBranch',
      'staff',
    );
    fc.assert(
      fc.property(body, (assignee) => {
        const ladder = escalationLadder(assignee);
        expect(ladder[0]).toBe(assignee);
        expect(ladder).toContain('partyBranch');
        expect(new Set(ladder).size).toBe(ladder.length);
      }),
    );
  });

  test('for any assignee below the party branch, the ladder ends with the party branch', () => {
    const body = fc.constantFrom<ResponsibleBody>('selfManagementCommittee', 'ownersCommittee', 'staff');
    fc.assert(
      fc.property(body, (assignee) => {
        expect(escalationLadder(assignee).at(-1)).toBe('partyBranch');
      }),
    );
  });

  test('when the party branch itself is assigned, the ladder is just the party branch (no escalation downwards)', () => {
    expect(escalationLadder('partyBranch')).toEqual(['partyBranch']);
  });
});

describe('responsibleAt', () => {
  test.each<[ResponsibleBody, number, ResponsibleBody]>([
    ['selfManagementCommittee', 0, 'selfManagementCommittee'],
    ['selfManagementCommittee', 1, 'ownersCommittee'],
    ['selfManagementCommittee', 2, 'partyBranch'],
    ['ownersCommittee', 0, 'ownersCommittee'],
    ['ownersCommittee', 1, 'partyBranch'],
    ['staff', 1, 'ownersCommittee'],
  ])('when %s is assigned and the level is %i, %s is responsible', (assignee, level, body) => {
    expect(responsibleAt(assignee, level)).toBe(body);
  });

  test('when the level is past the top of the ladder, the party branch stays responsible', () => {
    expect(responsibleAt('selfManagementCommittee', 3)).toBe('partyBranch');
    expect(responsibleAt('selfManagementCommittee', 99)).toBe('partyBranch');
    expect(responsibleAt('ownersCommittee', 2)).toBe('partyBranch');
  });
});

describe('mayHandleVoice', () => {
  test('when the actor is community staff, they may handle any voice at any level', () => {
    expect(mayHandleVoice(['staff'], 'selfManagementCommittee', 0)).toBe(true);
    expect(mayHandleVoice(['staff'], 'ownersCommittee', 5)).toBe(true);
  });

  test('when the actor is an administrator, they may handle any voice at any level', () => {
    expect(mayHandleVoice(['admin'], 'selfManagementCommittee', 0)).toBe(true);
    expect(mayHandleVoice(['admin'], 'staff', 2)).toBe(true);
  });

  test('when the voice is at level 0, only the assigned body may handle it, not the bodies above', () => {
    expect(mayHandleVoice(['selfManagementCommittee'], 'selfManagementCommittee', 0)).toBe(true);
    expect(mayHandleVoice(['ownersCommittee'], 'selfManagementCommittee', 0)).toBe(false);
    expect(mayHandleVoice(['partyBranch'], 'selfManagementCommittee', 0)).toBe(false);
  });

  test('when the voice has climbed to level 1, the owners\u2019 committee may handle it but the party branch not yet', () => {
    expect(mayHandleVoice(['ownersCommittee'], 'selfManagementCommittee', 1)).toBe(true);
    expect(mayHandleVoice(['partyBranch'], 'selfManagementCommittee', 1)).toBe(false);
  });

  test('when the voice has climbed to level 2, the party branch may handle it and the bodies below still may', () => {
    expect(mayHandleVoice(['partyBranch'], 'selfManagementCommittee', 2)).toBe(true);
    expect(mayHandleVoice(['ownersCommittee'], 'selfManagementCommittee', 2)).toBe(true);
    expect(mayHandleVoice(['selfManagementCommittee'], 'selfManagementCommittee', 2)).toBe(true);
  });

  test('when the voice is assigned to staff, the staff rung does not let a non-staff body handle it at level 0', () => {
    expect(mayHandleVoice(['selfManagementCommittee', 'ownersCommittee', 'partyBranch'], 'staff', 0)).toBe(
      false,
    );
  });

  test('when a staff-assigned voice has climbed to level 1, the owners\u2019 committee may handle it', () => {
    expect(mayHandleVoice(['ownersCommittee'], 'staff', 1)).toBe(true);
  });

  test('when the actor is a resident, supervisor or building leader, they may never handle a voice', () => {
    const others: Role[] = ['resident', 'supervisoryBoard', 'buildingLeader', 'councilMember'];
    for (const level of [0, 1, 2, 10]) {
      expect(mayHandleVoice(others, 'selfManagementCommittee', level)).toBe(false);
    }
  });

  test('when the actor holds no roles, they may not handle a voice', () => {
    expect(mayHandleVoice([], 'ownersCommittee', 3)).toBe(false);
  });

  test('when the actor holds a responsible body among other roles, the body grants it', () => {
    expect(mayHandleVoice(['resident', 'selfManagementCommittee'], 'selfManagementCommittee', 0)).toBe(true);
  });
});

describe('reminderTime', () => {
  test('when the window is longer than the lead, the reminder comes the lead before the deadline', () => {
    // Arrange
    const from = at('2026-06-01T00:00:00Z');
    const deadline = at('2026-06-02T00:00:00Z');

    // Act
    const remind = reminderTime(from, deadline, 4);

    // Assert
    expect(remind.toISOString()).toBe('2026-06-01T20:00:00.000Z');
  });

  test('when the window is shorter than twice the lead, the reminder comes halfway', () => {
    const remind = reminderTime(at('2026-06-01T00:00:00Z'), at('2026-06-01T06:00:00Z'), 4);

    expect(remind.toISOString()).toBe('2026-06-01T03:00:00.000Z');
  });

  test('when the window is exactly twice the lead, the reminder comes the lead before, which is halfway', () => {
    const remind = reminderTime(at('2026-06-01T00:00:00Z'), at('2026-06-01T08:00:00Z'), 4);

    expect(remind.toISOString()).toBe('2026-06-01T04:00:00.000Z');
  });

  test('for any positive window of at least 2 ms and a lead of at least 1 ms, the reminder is strictly between start and deadline', () => {
    const from = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) });
    const windowMs = fc.integer({ min: 2, max: 60 * 24 * HOUR });
    const leadHours = fc.double({ min: 1 / HOUR, max: 30 * 24, noNaN: true });
    fc.assert(
      fc.property(from, windowMs, leadHours, (start, window, lead) => {
        const remind = reminderTime(new Date(start), new Date(start + window), lead).getTime();
        expect(remind).toBeGreaterThan(start);
        expect(remind).toBeLessThan(start + window);
      }),
    );
  });

  test('for any window at least twice the lead, the reminder is exactly the lead before the deadline', () => {
    const from = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) });
    const leadHours = fc.integer({ min: 1, max: 48 });
    const extraMs = fc.integer({ min: 0, max: 30 * 24 * HOUR });
    fc.assert(
      fc.property(from, leadHours, extraMs, (start, lead, extra) => {
        const deadline = start + 2 * lead * HOUR + extra;
        expect(reminderTime(new Date(start), new Date(deadline), lead).getTime()).toBe(
          deadline - lead * HOUR,
        );
      }),
    );
  });
});

describe('validateExtension', () => {
  const now = at('2026-06-05T00:00:00Z');
  const current = at('2026-06-10T00:00:00Z');

  test('when the new deadline is later than the current one and in the future, with a reason, it is accepted', () => {
    expect(() => validateExtension(current, at('2026-06-12T00:00:00Z'), '材料尚未到货', now)).not.toThrow();
  });

  test.each([
    ['empty', ''],
    ['only whitespace', ' \t\n'],
  ])('when the reason is %s, it is refused as invalid on the reason field', (_what, reason) => {
    // Act
    const err = thrown(() => validateExtension(current, at('2026-06-12T00:00:00Z'), reason, now));

    // Assert
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('invalid');
    expect((err as DomainError).details).toEqual({ field: 'reason' });
  });

  test('when the new deadline equals the current one, it is refused as invalid on the newDeadline field', () => {
    const err = thrown(() => validateExtension(current, new Date(current.getTime()), '需要协调', now));

    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('invalid');
    expect((err as DomainError).details).toEqual({ field: 'newDeadline' });
  });

  test('when the new deadline is earlier than the current one, it is refused as invalid', () => {
    const err = thrown(() => validateExtension(current, at('2026-06-08T00:00:00Z'), '需要协调', now));

    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('invalid');
    expect((err as DomainError).message).toBe('新的期限必须晚于当前期限');
  });

  test('when the current deadline has passed and the new one is later but still in the past, it is refused as not in the future', () => {
    // Arrange: the deadline ran out on 1 June; on 5 June someone proposes 3 June.
    const passed = at('2026-06-01T00:00:00Z');

    // Act
    const err = thrown(() => validateExtension(passed, at('2026-06-03T00:00:00Z'), '需要协调', now));

    // Assert
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('invalid');
    expect((err as DomainError).message).toBe('新的期限必须在将来');
    expect((err as DomainError).details).toEqual({ field: 'newDeadline' });
  });

  test('when the new deadline is exactly now, it is refused as not in the future', () => {
    const passed = at('2026-06-01T00:00:00Z');

    const err = thrown(() => validateExtension(passed, new Date(now.getTime()), '需要协调', now));

    expect((err as DomainError).code).toBe('invalid');
    expect((err as DomainError).message).toBe('新的期限必须在将来');
  });
});

describe('maskPersonalData', () => {
  test('when the text contains a mobile number, the middle four digits are masked: 13812345678 → 138****5678', () => {
    expect(maskPersonalData('我的电话是13812345678，请联系')).toBe('我的电话是138****5678，请联系');
  });

  test('when the text contains a landline with a three-digit area code, the first four local digits are masked', () => {
    expect(maskPersonalData('座机010-12345678')).toBe('座机010-****5678');
  });

  test('when the text contains a landline with a four-digit area code, the first four local digits are masked', () => {
    expect(maskPersonalData('社区电话0953-60123456')).toBe('社区电话0953-****3456');
  });

  test('when the text contains an 18-digit ID number, the eight birth-date digits are masked', () => {
    expect(maskPersonalData('身份证110101199003071234')).toBe('身份证110101********1234');
  });

  test.each([
    ['11010119900307123X', '110101********123X'],
    ['11010119900307123x', '110101********123x'],
  ])('when an ID number ends in a check letter (%s), it is masked with the letter kept', (id, masked) => {
    expect(maskPersonalData(`身份证号${id}。`)).toBe(`身份证号${masked}。`);
  });

  test('when the text has a 4-digit room number and a year, they are left untouched', () => {
    const text = '3号楼2单元1203室，2026年5月楼道灯坏了';

    expect(maskPersonalData(text)).toBe(text);
  });

  test('when a digit run is longer than a mobile number, it is not treated as one', () => {
    const text = '订单号1381234567890';

    expect(maskPersonalData(text)).toBe(text);
  });

  test('when the text holds a mobile, a landline and an ID number, each is masked', () => {
    const masked = maskPersonalData('联系人13912345678或010-87654321，身份证11010119900307123X');

    expect(masked).toBe('联系人139****5678或010-****4321，身份证110101********123X');
  });

  test('for any mobile number inside arbitrary Chinese text, the full number never remains and the rest is unchanged', () => {
    const mobile = fc
      .tuple(
        fc.integer({ min: 3, max: 9 }),
        fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 9, maxLength: 9 }),
      )
      .map(([second, rest]) => `1${second}${rest.join('')}`);
    fc.assert(
      fc.property(chineseText, mobile, chineseText, (before, number, after) => {
        const masked = maskPersonalData(`${before}${number}${after}`);
        expect(masked).not.toContain(number);
        expect(masked).toBe(`${before}${number.slice(0, 3)}****${number.slice(7)}${after}`);
      }),
    );
  });

  test('for any Chinese text without digits, masking changes nothing', () => {
    fc.assert(
      fc.property(chineseText, (text) => {
        expect(maskPersonalData(text)).toBe(text);
      }),
    );
  });
});

describe('maskName', () => {
  test.each([
    ['王小明', '王*明'],
    ['李四', '李*'],
    ['欧阳小明', '欧**明'],
    [' 李四 ', '李*'],
  ])('when the name is "%s", the public page shows "%s"', (name, masked) => {
    expect(maskName(name)).toBe(masked);
  });

  test('when the name is a single character, only the surname shows, followed by a mask', () => {
    expect(maskName('王')).toBe('王*');
  });

  test.each([
    ['empty', ''],
    ['only spaces', '   '],
  ])('when the name is %s, the public page shows 居民', (_what, name) => {
    expect(maskName(name)).toBe('居民');
  });

  test('for any name of three or more Chinese characters, the first and last stay, the rest become stars', () => {
    const name = fc.string({
      unit: fc.integer({ min: 0x4e00, max: 0x9fa5 }).map((c) => String.fromCharCode(c)),
      minLength: 3,
      maxLength: 8,
    });
    fc.assert(
      fc.property(name, (n) => {
        const masked = maskName(n);
        expect(masked).toHaveLength(n.length);
        expect(masked[0]).toBe(n[0]);
        expect(masked.at(-1)).toBe(n.at(-1));
        expect(masked.slice(1, -1)).toBe('*'.repeat(n.length - 2));
      }),
    );
  });
});

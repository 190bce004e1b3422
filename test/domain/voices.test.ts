/**
 * Residents' voices (domain/voices.ts): classification, assignment, the escalation ladder, who may
 * act, reminders and deadline extensions; who a voice is about (its subject) and when it calls the prompt
 * coordination. Masking of personal data is tested in privacy.test.ts.
 */
import fc from 'fast-check';
import { DomainError } from '../../domain/errors';
import type { Role } from '../../domain/roles';
import {
  CATEGORIES,
  CATEGORY_LABELS,
  type Category,
  type ResponsibleBody,
  SUBJECTS,
  SUBJECT_LABELS,
  VOICE_KINDS,
  type VoiceKind,
  type VoiceSubject,
  callsPromptCoordination,
  classifyVoice,
  defaultAssignee,
  escalationLadder,
  mayHandleVoice,
  reminderTime,
  responsibleAt,
  validateExtension,
  voiceDeadline,
  voiceSubject,
} from '../../domain/voices';

const HOUR = 3_600_000;
const at = (iso: string) => new Date(iso);

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

describe('classifyVoice: whose service a complaint is about', () => {
  test('when a resident complains that the committee\u2019s cleaner does poor work, the voice is about the self-management committee\u2019s service', () => {
    expect(classifyVoice('自管会保洁员服务质量太差')).toBe('serviceQuality');
  });

  test('when a resident complains about the property company\u2019s service attitude, the voice is about the property company, not the self-management committee', () => {
    expect(classifyVoice('物业公司服务态度差')).toBe('propertyCompany');
  });

  test.each<[string, string]>([
    ['保洁阿姨干活敷衍', 'its cleaner works perfunctorily'],
    ['巡逻员态度很差，问话不理睬', 'its patrolman is rude and ignores residents'],
    ['门卫效率太低，登记要等半天', 'its gatekeeper is slow'],
    ['小区保安遇事推诿', 'its guard shirks'],
    ['向自管会投诉了三次，投诉没人管', 'complaints to it go unhandled'],
    ['自管会工作人员办事拖拉', 'its staff drag their feet'],
    ['自管会消防检查敷衍了事', 'its fire-safety work is perfunctory (the service, not the topic, decides)'],
  ])(
    'when a resident writes "%s" (%s), the voice is about the self-management committee\u2019s service',
    (text) => {
      expect(classifyVoice(text)).toBe('serviceQuality');
    },
  );

  test.each<[string, string]>([
    ['物业态度恶劣，报修不理睬', 'the property company is rude'],
    ['物管效率低，推诿扯皮', 'the property management is slow'],
    [
      '物业公司的保安态度差',
      'the property company\u2019s own guard is rude (a body named outright beats staff)',
    ],
  ])('when a resident writes "%s" (%s), the voice is about the property company', (text) => {
    expect(classifyVoice(text)).toBe('propertyCompany');
  });

  test('when both the property company and the self-management committee are named, the self-management committee\u2019s service wins', () => {
    expect(classifyVoice('物业和自管会都不作为')).toBe('serviceQuality');
  });

  test.each<[string, Category]>([
    ['楼道卫生服务太差', 'sanitation'],
    ['晚上巡逻敷衍了事', 'security'],
    ['办事效率低', 'other'],
  ])(
    'when "%s" complains of a service without naming whose, it is classified by its topic (%s)',
    (text, category) => {
      expect(classifyVoice(text)).toBe(category);
    },
  );

  test('when the property fee is mentioned beside poor service and no party is named, fees wins', () => {
    expect(classifyVoice('物业费年年涨，服务却很差')).toBe('fees');
  });

  test('when residents praise the self-management committee\u2019s service attitude, the voice is serviceQuality and the praise goes to that committee', () => {
    // Arrange
    const text = '自管会服务态度好，点赞';

    // Act
    const category = classifyVoice(text);

    // Assert
    expect(category).toBe('serviceQuality');
    expect(defaultAssignee(category, 'praise')).toBe('selfManagementCommittee');
  });

  test('when a resident says a service is not poor, it is not read as a complaint about it', () => {
    expect(classifyVoice('自管会的门卫态度不差')).toBe('other');
  });
});

describe('voiceSubject', () => {
  test('when a resident complains that the committee\u2019s cleaner does poor work, the voice is about the self-management committee though the owners\u2019 committee handles it', () => {
    // Arrange
    const text = '自管会保洁员服务质量太差';
    const category = classifyVoice(text);

    // Act
    const subject = voiceSubject(text, category, 'complaint');

    // Assert
    expect(subject).toBe('selfManagementCommittee');
    expect(defaultAssignee(category, 'complaint')).toBe('ownersCommittee');
  });

  test('when a resident complains about the property company\u2019s service attitude, the voice is about the property company', () => {
    const text = '物业公司服务态度差';

    expect(voiceSubject(text, classifyVoice(text), 'complaint')).toBe('propertyCompany');
  });

  test.each<[string, VoiceKind]>([
    ['业委会成员不作为，开会一拖再拖', 'complaint'],
    ['业主委员会账目不公开', 'appeal'],
    ['建议业委会别再私自决定停车位分配', 'suggestion'],
  ])(
    'when a %s voice "%s" criticises the owners\u2019 committee, it is about the owners\u2019 committee',
    (text, kind) => {
      expect(voiceSubject(text, classifyVoice(text), kind)).toBe('ownersCommittee');
    },
  );

  test('when the owners\u2019 committee is only the addressee of a sanitation complaint, the voice is about the self-management committee', () => {
    const text = '请业委会督促一下，楼道垃圾三天没清运';

    expect(voiceSubject(text, classifyVoice(text), 'complaint')).toBe('selfManagementCommittee');
  });

  test('when residents praise the owners\u2019 committee, the praise is not read as criticism of it', () => {
    expect(voiceSubject('以前业委会不作为，现在好多了', 'other', 'praise')).toBe('community');
  });

  const bySubject: Record<Category, VoiceSubject> = {
    sanitation: 'selfManagementCommittee',
    security: 'selfManagementCommittee',
    fireSafety: 'selfManagementCommittee',
    fees: 'ownersCommittee',
    publicFunds: 'ownersCommittee',
    propertyCompany: 'propertyCompany',
    serviceQuality: 'selfManagementCommittee',
    facilities: 'community',
    parking: 'community',
    neighbourhood: 'community',
    other: 'community',
  };

  test.each(CATEGORIES.map((c) => [c, bySubject[c]]))(
    'when a complaint classified as %s names no body, it is about %s',
    (category, subject) => {
      expect(voiceSubject('有问题', category as Category, 'complaint')).toBe(subject);
    },
  );

  test('for any text, category and kind, a serviceQuality voice is about the self-management committee and every subject is known', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.constantFrom(...CATEGORIES),
        fc.constantFrom(...VOICE_KINDS),
        (text, c, kind) => {
          const subject = voiceSubject(text, c, kind);
          expect(SUBJECTS).toContain(subject);
          if (c === 'serviceQuality') expect(subject).toBe('selfManagementCommittee');
        },
      ),
    );
  });

  test('every subject has a Chinese label', () => {
    expect(SUBJECT_LABELS).toEqual({
      selfManagementCommittee: '自管会',
      ownersCommittee: '业主委员会',
      propertyCompany: '物业公司',
      partyBranch: '社区党支部',
      community: '社区',
    });
  });
});

describe('callsPromptCoordination', () => {
  test.each<[VoiceKind, boolean]>([
    ['complaint', true],
    ['appeal', true],
    ['suggestion', false],
    ['praise', false],
  ])(
    'when a %s concerns the self-management committee\u2019s service, the prompt coordination is called: %s',
    (kind, calls) => {
      expect(callsPromptCoordination(kind, 'serviceQuality')).toBe(calls);
    },
  );

  test('when a resident complains that the committee\u2019s cleaner does poor work, the prompt coordination is called', () => {
    expect(callsPromptCoordination('complaint', classifyVoice('自管会保洁员服务质量太差'))).toBe(true);
  });

  test('when a resident complains about the property company\u2019s service attitude, no coordination with the self-management committee is called', () => {
    expect(callsPromptCoordination('complaint', classifyVoice('物业公司服务态度差'))).toBe(false);
  });

  test('for any category but serviceQuality, no kind of voice calls the prompt coordination', () => {
    const other = fc.constantFrom(...CATEGORIES.filter((c) => c !== 'serviceQuality'));
    fc.assert(
      fc.property(fc.constantFrom(...VOICE_KINDS), other, (kind, category) => {
        expect(callsPromptCoordination(kind, category)).toBe(false);
      }),
    );
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

describe('voiceDeadline: hours, or working days as 12345 hotlines count them', () => {
  const kd = { acknowledgeHours: 24, resolveHours: 168 };
  const calendar = {
    holidays: [
      '2026-10-01',
      '2026-10-02',
      '2026-10-03',
      '2026-10-04',
      '2026-10-05',
      '2026-10-06',
      '2026-10-07',
    ],
    workdays: ['2026-10-10'],
    coveredYears: { from: 2004, to: 2026 },
  };

  test('when the kind counts in hours, the deadline is that many hours after intake, whatever the day', () => {
    const from = new Date('2026-09-30T23:59:00+08:00');
    expect(voiceDeadline(from, 'acknowledge', kd, 'Asia/Shanghai', calendar)).toEqual({
      at: new Date('2026-10-01T23:59:00+08:00'),
      uncoveredYears: [],
    });
  });

  test('when a complaint is raised on the eve of National Day with one working day to accept, it is due at the end of 8 October', () => {
    const from = new Date('2026-09-30T23:59:00+08:00');
    const d = voiceDeadline(
      from,
      'acknowledge',
      { ...kd, workingDays: { acknowledge: 1, resolve: 5 } },
      'Asia/Shanghai',
      calendar,
    );

    expect(d.at).toEqual(new Date('2026-10-09T00:00:00+08:00'));
    // Five working days: 8, 9, 10 (the adjusted Saturday), 12, 13 October.
    expect(
      voiceDeadline(
        from,
        'resolve',
        { ...kd, workingDays: { acknowledge: 1, resolve: 5 } },
        'Asia/Shanghai',
        calendar,
      ).at,
    ).toEqual(new Date('2026-10-14T00:00:00+08:00'));
  });

  test('when working days run into a year the data does not cover, the deadline says so', () => {
    const from = new Date('2026-12-31T23:55:00+08:00');
    const d = voiceDeadline(
      from,
      'resolve',
      { ...kd, workingDays: { acknowledge: 1, resolve: 3 } },
      'Asia/Shanghai',
      calendar,
    );

    expect(d.uncoveredYears).toEqual([2027]);
  });

  test('when the kind counts in working days but no calendar came with the voice, hours apply', () => {
    const from = new Date('2026-09-30T23:59:00+08:00');
    expect(
      voiceDeadline(
        from,
        'acknowledge',
        { ...kd, workingDays: { acknowledge: 1, resolve: 5 } },
        'Asia/Shanghai',
      ).at,
    ).toEqual(new Date('2026-10-01T23:59:00+08:00'));
  });
});

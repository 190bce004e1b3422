/**
 * A rectification order (整改) or a council resolution delegated for execution. It outlives the
 * meeting that made it: an owner body, a deadline, reminders, progress reports, completion with
 * evidence, verification by the issuing body (accepted, or sent back with a new deadline). Overdue:
 * to the supervisory board and the party branch, and onto the next monthly consultation; overdue
 * again: onto the quarterly council's agenda. Extensions only with a recorded reason.
 */
import { allHandlersFinished, condition, patched, setHandler } from '@temporalio/workflow';
import { DAY_MS, formatLocal, DEFAULT_TIME_ZONE } from '../domain/calendar';
import { LIMITS, excerptOf, longTextProblem, type LongText } from '../domain/limits';
import { ORDER_BODY_LABELS as BODY_NAMES, motionForOverdueOrder } from '../domain/meetings';
import type { Role } from '../domain/roles';
import type { Actor } from './contract';
import { statusAttribute } from './search-attributes';
import {
  completeRectificationUpdate,
  extendRectificationUpdate,
  procedureAgreedSignal,
  rectificationStatusQuery,
  reportRectificationUpdate,
  verifyRectificationUpdate,
  type RectificationInput,
  type RectificationState,
} from './meeting-contract';
import { acts, isStaff, iso, recorder, refuse } from './meeting';

const trimmed = (t: LongText): LongText => (typeof t === 'string' ? t.trim() : t);

export async function rectificationOrder(input: RectificationInput): Promise<RectificationState> {
  const kindLabel = input.kind === 'resolution' ? '决议执行' : '整改';
  const state: RectificationState = {
    orderId: input.orderId,
    compoundId: input.compoundId,
    kind: input.kind,
    title: input.title,
    owner: input.owner,
    issuer: input.issuer,
    status: 'open',
    deadline: input.deadline,
    escalationLevel: 0,
    overdue: false,
    progress: [],
    procedures: [],
    sentBack: 0,
    extensions: [],
  };
  const rec = recorder(
    input.compoundId,
    input.orderId,
    input.kind === 'resolution' ? 'resolution' : 'rectification',
    [input.owner, input.issuer],
  );
  // One writer, saves one after another (see meetingLife).
  const serialSaves = patched('serial-order-saves');
  let saveTail: Promise<unknown> = Promise.resolve();
  const showStatus = statusAttribute();
  const save = (): Promise<void> => {
    showStatus(state.status);
    if (!serialSaves) return acts.saveRectification({ ...state, source: input.source });
    const run = saveTail.then(() => acts.saveRectification({ ...state, source: input.source }));
    saveTail = run.catch(() => undefined);
    return run;
  };
  const when = (t: string | number) => formatLocal(new Date(t), input.timeZone ?? DEFAULT_TIME_ZONE);
  let version = 0;

  const isOwner = (a: Actor) => isStaff(a) || a.roles.includes(input.owner as Role);
  const isIssuer = (a: Actor) => isStaff(a) || a.roles.includes(input.issuer as Role);

  setHandler(rectificationStatusQuery, () => state);

  setHandler(procedureAgreedSignal, async ({ meetingId, procedure }) => {
    // One procedure per coordination meeting: a repeated signal changes nothing.
    if (state.procedures.some((p) => p.meetingId === meetingId)) return;
    state.procedures.push({ at: iso(Date.now()), meetingId, procedure });
    // The order's record is its own to write: it files the procedure (GET …/rectifications/:id shows it).
    if (patched('save-agreed-procedure')) await save();
  });
  const requireText = (t: LongText | undefined, field: string, label: string) => {
    const problem = longTextProblem(t, label);
    if (problem) refuse('invalid', `${problem}（${field}）`);
  };

  setHandler(
    reportRectificationUpdate,
    async ({ actor, note }) => {
      state.progress.push({ at: iso(Date.now()), by: actor.name, note: trimmed(note) });
      await save();
      await rec.file('progress', `进展：${excerptOf(trimmed(note))}`, actor, { note: trimmed(note) });
      return state;
    },
    {
      validator: ({ actor, note }) => {
        if (state.status === 'verified') refuse('conflict', `该${kindLabel}已验收，不能再报告进展`);
        if (!isOwner(actor)) refuse('forbidden', `只有${BODY_NAMES[input.owner]}可以报告进展`);
        requireText(note, 'note', '进展说明');
        if (state.progress.length >= LIMITS.progressNotes)
          refuse('conflict', `进展报告已达 ${LIMITS.progressNotes} 条上限，请报告完成或申请延期`);
      },
    },
  );

  setHandler(
    completeRectificationUpdate,
    async ({ actor, evidence }) => {
      const now = Date.now();
      state.status = 'completed';
      state.completion = {
        at: iso(now),
        by: actor.name,
        evidence: trimmed(evidence),
        onTime: now <= Date.parse(state.deadline),
      };
      state.overdue = false;
      version++;
      await save();
      await rec.file(
        'completed',
        `${BODY_NAMES[input.owner]}报告已完成${state.completion.onTime ? '（按期）' : '（逾期）'}：${excerptOf(trimmed(evidence))}`,
        actor,
        { evidence: trimmed(evidence) },
      );
      await rec.notify(
        [input.issuer as Role],
        `completed:${state.sentBack}`,
        `${kindLabel}待验收：${input.title}`,
        `请验收：${excerptOf(trimmed(evidence))}`,
      );
      return state;
    },
    {
      validator: ({ actor, evidence }) => {
        if (state.status !== 'open') refuse('conflict', `该${kindLabel}当前不能报告完成`);
        if (!isOwner(actor)) refuse('forbidden', `只有${BODY_NAMES[input.owner]}可以报告完成`);
        requireText(evidence, 'evidence', '完成的证明材料');
      },
    },
  );

  setHandler(
    verifyRectificationUpdate,
    async ({ actor, accepted, comment, newDeadline }) => {
      if (accepted) {
        state.status = 'verified';
        state.verification = { at: iso(Date.now()), by: actor.name, comment: trimmed(comment) };
        await save();
        await rec.file(
          'verified',
          `${BODY_NAMES[input.issuer]}验收通过：${excerptOf(trimmed(comment))}`,
          actor,
          {
            comment: trimmed(comment),
          },
        );
      } else {
        state.status = 'open';
        state.sentBack++;
        const from = state.deadline;
        state.deadline = iso(Date.parse(newDeadline!));
        state.completion = undefined;
        state.escalationLevel = 0;
        await save();
        await rec.file(
          'sentBack',
          `验收未通过，退回重办，新期限 ${when(state.deadline)}：${excerptOf(trimmed(comment))}`,
          actor,
          { from, to: state.deadline, comment: trimmed(comment) },
        );
        await rec.notify(
          [input.owner as Role],
          `sentBack:${state.sentBack}`,
          `${kindLabel}被退回：${input.title}`,
          `${excerptOf(trimmed(comment))}。新期限 ${when(state.deadline)}。`,
        );
      }
      version++;
      return state;
    },
    {
      validator: ({ actor, accepted, comment, newDeadline }) => {
        if (state.status !== 'completed') refuse('conflict', `该${kindLabel}尚未报告完成，不能验收`);
        if (!isIssuer(actor)) refuse('forbidden', `只有下达方（${BODY_NAMES[input.issuer]}）可以验收`);
        requireText(comment, 'comment', '验收意见');
        if (!accepted) {
          const t = Date.parse(newDeadline ?? '');
          if (Number.isNaN(t) || t <= Date.now())
            refuse('invalid', '退回重办须给出将来的新期限（newDeadline）');
        }
      },
    },
  );

  setHandler(
    extendRectificationUpdate,
    async ({ actor, until, reason }) => {
      const from = state.deadline;
      state.deadline = iso(Date.parse(until));
      state.overdue = false;
      state.extensions.push({
        at: iso(Date.now()),
        by: actor.name,
        reason: reason.trim(),
        from,
        to: state.deadline,
      });
      version++;
      await save();
      await rec.file('extended', `期限由 ${when(from)} 延至 ${when(until)}，理由：${reason.trim()}`, actor);
      return state;
    },
    {
      validator: ({ actor, until, reason }) => {
        if (state.status !== 'open') refuse('conflict', `该${kindLabel}当前不能延期`);
        if (!isIssuer(actor))
          refuse('forbidden', `只有下达方（${BODY_NAMES[input.issuer]}）或社区工作人员可以延期`);
        if (!reason?.trim()) refuse('invalid', '延期必须说明理由（reason）');
        if ([...reason.trim()].length > LIMITS.reasonChars)
          refuse('invalid', `延期理由最多 ${LIMITS.reasonChars} 字（reason）`);
        if (state.extensions.length >= LIMITS.extensions)
          refuse('conflict', `已延期 ${LIMITS.extensions} 次，不能再延期`);
        const t = Date.parse(until);
        if (Number.isNaN(t) || t <= Date.parse(state.deadline) || t <= Date.now())
          refuse('invalid', '新的期限必须晚于当前期限且在将来（until）');
      },
    },
  );

  await save();
  await rec.file(
    'issued',
    `${BODY_NAMES[input.issuer]}下达${kindLabel}：${input.title}，由${BODY_NAMES[input.owner]}于 ${when(input.deadline)} 前完成`,
    undefined,
    input,
  );
  await rec.notify(
    [input.owner as Role],
    'issued',
    `新的${kindLabel}：${input.title}`,
    `请于 ${when(input.deadline)} 前完成。${excerptOf(input.detail)}`,
  );

  const reminded = new Set<string>();
  const status = () => state.status;
  while (status() !== 'verified') {
    const v = version;
    const changed = () => version !== v;
    if (status() === 'completed') {
      await condition(changed);
      continue;
    }
    const deadline = Date.parse(state.deadline);
    const next = input.settings.reminderDaysBefore
      .map((d) => deadline - d * DAY_MS)
      .filter((t) => t > Date.now() && !reminded.has(`${deadline}@${t}`))
      .sort((a, b) => a - b)[0];
    if (next !== undefined && state.escalationLevel === 0) {
      if (await condition(changed, next - Date.now())) continue;
      reminded.add(`${deadline}@${next}`);
      const days = Math.round((deadline - next) / DAY_MS);
      await rec.notify(
        [input.owner as Role],
        `reminder:${deadline}:${days}`,
        `提醒：${kindLabel}还有 ${days} 天到期`,
        `${input.title}，期限 ${when(deadline)}。`,
      );
      continue;
    }
    if (state.escalationLevel >= 2) {
      await condition(changed);
      continue;
    }
    const dueAt =
      state.escalationLevel === 0 ? deadline : deadline + input.settings.secondEscalationDays * DAY_MS;
    if (await condition(changed, Math.max(0, dueAt - Date.now()))) continue;
    state.escalationLevel++;
    state.overdue = true;
    await save();
    if (state.escalationLevel === 1) {
      await rec.file('overdue', `${kindLabel}逾期未完成，报监事会和党支部督办，并列入下次每月商议会`);
      await rec.notify(
        ['supervisoryBoard', 'partyBranch'],
        'overdue:1',
        `督办：${kindLabel}逾期`,
        `${input.title}，原期限 ${when(deadline)}。`,
      );
      await acts.createReferral({
        referralId: `${input.orderId}-overdue-1`,
        compoundId: input.compoundId,
        target: 'monthlyConsultation',
        title: `逾期${kindLabel}：${input.title}`,
        detail: `原期限 ${when(deadline)}，责任方${BODY_NAMES[input.owner]}`,
        source: { orderId: input.orderId },
      });
    } else {
      await rec.file('overdueAgain', `${kindLabel}再次逾期，提交季度议事会`);
      await rec.notify(
        ['supervisoryBoard', 'partyBranch', 'ownersCommittee'],
        'overdue:2',
        `${kindLabel}再次逾期，提交季度议事会`,
        input.title,
      );
      // The council takes it up as a motion whose matter fits the owner: an order of the
      // self-management committee puts the committee itself before the council.
      await acts.createReferral({
        referralId: `${input.orderId}-overdue-2`,
        compoundId: input.compoundId,
        target: 'quarterlyDeliberation',
        title: `再次逾期的${kindLabel}：${input.title}`,
        detail: `责任方${BODY_NAMES[input.owner]}，原期限 ${when(deadline)}`,
        source: { orderId: input.orderId },
        ...motionForOverdueOrder(input.owner),
      });
    }
  }
  await condition(allHandlersFinished);
  await save(); // a last write after the handlers, so the verification's reply and the workflow's end are apart
  return state;
}

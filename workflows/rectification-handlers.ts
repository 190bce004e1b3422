/**
 * What may be done to an order while it runs, and by whom: its owner reports progress and completion
 * with evidence; its issuer verifies it (accepted, or sent back with a new deadline) or extends it with
 * a reason; a coordination meeting files the procedure agreed for it.
 */
import { patched, setHandler } from '@temporalio/workflow';
import { LIMITS, excerptOf, longTextProblem, type LongText } from '../domain/limits';
import type { Role } from '../domain/roles';
import { refuse, type Actor } from './contract';
import { iso, trimmed } from './matter-record';
import {
  completeRectificationUpdate,
  extendRectificationUpdate,
  procedureAgreedSignal,
  rectificationStatusQuery,
  reportRectificationUpdate,
  verifyRectificationUpdate,
  type RectificationState,
} from './meeting-contract';
import type { Order } from './rectification-state';

type Verification = { actor: Actor; accepted: boolean; comment: LongText; newDeadline?: string };
type Extension = { actor: Actor; until: string; reason: string };

export function registerOrderHandlers(o: Order): void {
  setHandler(rectificationStatusQuery, () => o.state);
  setHandler(procedureAgreedSignal, async ({ meetingId, procedure }) => {
    const { state } = o;
    // One procedure per coordination meeting: a repeated signal changes nothing.
    if (state.procedures.some((p) => p.meetingId === meetingId)) return;
    state.procedures.push({ at: iso(Date.now()), meetingId, procedure });
    // The order's record is its own to write: it files the procedure (GET …/rectifications/:id shows it).
    if (patched('save-agreed-procedure')) await o.save();
  });
  setHandler(reportRectificationUpdate, (u) => report(o, u), {
    validator: ({ actor, note }) => {
      if (o.state.status === 'verified') refuse('conflict', `该${o.kindLabel}已验收，不能再报告进展`);
      if (!o.isOwner(actor)) refuse('forbidden', `只有${o.ownerName()}可以报告进展`);
      requireText(note, 'note', '进展说明');
      if (o.state.progress.length >= LIMITS.progressNotes)
        refuse('conflict', `进展报告已达 ${LIMITS.progressNotes} 条上限，请报告完成或申请延期`);
    },
  });
  setHandler(completeRectificationUpdate, (u) => complete(o, u), {
    validator: ({ actor, evidence }) => {
      if (o.state.status !== 'open') refuse('conflict', `该${o.kindLabel}当前不能报告完成`);
      if (!o.isOwner(actor)) refuse('forbidden', `只有${o.ownerName()}可以报告完成`);
      requireText(evidence, 'evidence', '完成的证明材料');
    },
  });
  setHandler(verifyRectificationUpdate, (u) => verify(o, u), {
    validator: (u) => validateVerification(o, u),
  });
  setHandler(extendRectificationUpdate, (u) => extend(o, u), { validator: (u) => validateExtension(o, u) });
}

const requireText = (t: LongText | undefined, field: string, label: string) => {
  const problem = longTextProblem(t, label);
  if (problem) refuse('invalid', `${problem}（${field}）`);
};

async function report(
  o: Order,
  { actor, note }: { actor: Actor; note: LongText },
): Promise<RectificationState> {
  o.state.progress.push({ at: iso(Date.now()), by: actor.name, note: trimmed(note) });
  await o.save();
  await o.rec.file('progress', `进展：${excerptOf(trimmed(note))}`, actor, { note: trimmed(note) });
  return o.state;
}

async function complete(
  o: Order,
  { actor, evidence }: { actor: Actor; evidence: LongText },
): Promise<RectificationState> {
  const { state, input, kindLabel } = o;
  const now = Date.now();
  state.status = 'completed';
  state.completion = {
    at: iso(now),
    by: actor.name,
    evidence: trimmed(evidence),
    onTime: now <= Date.parse(state.deadline),
  };
  state.overdue = false;
  o.version++;
  await o.save();
  await o.rec.file(
    'completed',
    `${o.ownerName()}报告已完成${state.completion.onTime ? '（按期）' : '（逾期）'}：${excerptOf(trimmed(evidence))}`,
    actor,
    { evidence: trimmed(evidence) },
  );
  await o.rec.notify(
    [input.issuer as Role],
    `completed:${state.sentBack}`,
    `${kindLabel}待验收：${input.title}`,
    `请验收：${excerptOf(trimmed(evidence))}`,
  );
  return state;
}

async function verify(
  o: Order,
  { actor, accepted, comment, newDeadline }: Verification,
): Promise<RectificationState> {
  const { state, input, kindLabel } = o;
  if (accepted) {
    state.status = 'verified';
    state.verification = { at: iso(Date.now()), by: actor.name, comment: trimmed(comment) };
    await o.save();
    await o.rec.file('verified', `${o.issuerName()}验收通过：${excerptOf(trimmed(comment))}`, actor, {
      comment: trimmed(comment),
    });
  } else {
    state.status = 'open';
    state.sentBack++;
    const from = state.deadline;
    state.deadline = iso(Date.parse(newDeadline!));
    state.completion = undefined;
    state.escalationLevel = 0;
    await o.save();
    await o.rec.file(
      'sentBack',
      `验收未通过，退回重办，新期限 ${o.when(state.deadline)}：${excerptOf(trimmed(comment))}`,
      actor,
      { from, to: state.deadline, comment: trimmed(comment) },
    );
    await o.rec.notify(
      [input.owner as Role],
      `sentBack:${state.sentBack}`,
      `${kindLabel}被退回：${input.title}`,
      `${excerptOf(trimmed(comment))}。新期限 ${o.when(state.deadline)}。`,
    );
  }
  o.version++;
  return state;
}

function validateVerification(o: Order, { actor, accepted, comment, newDeadline }: Verification): void {
  if (o.state.status !== 'completed') refuse('conflict', `该${o.kindLabel}尚未报告完成，不能验收`);
  if (!o.isIssuer(actor)) refuse('forbidden', `只有下达方（${o.issuerName()}）可以验收`);
  requireText(comment, 'comment', '验收意见');
  if (!accepted) {
    const t = Date.parse(newDeadline ?? '');
    if (Number.isNaN(t) || t <= Date.now()) refuse('invalid', '退回重办须给出将来的新期限（newDeadline）');
  }
}

async function extend(o: Order, { actor, until, reason }: Extension): Promise<RectificationState> {
  const { state } = o;
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
  o.version++;
  await o.save();
  await o.rec.file('extended', `期限由 ${o.when(from)} 延至 ${o.when(until)}，理由：${reason.trim()}`, actor);
  return state;
}

function validateExtension(o: Order, { actor, until, reason }: Extension): void {
  const { state } = o;
  if (state.status !== 'open') refuse('conflict', `该${o.kindLabel}当前不能延期`);
  if (!o.isIssuer(actor)) refuse('forbidden', `只有下达方（${o.issuerName()}）或社区工作人员可以延期`);
  if (!reason?.trim()) refuse('invalid', '延期必须说明理由（reason）');
  if ([...reason.trim()].length > LIMITS.reasonChars)
    refuse('invalid', `延期理由最多 ${LIMITS.reasonChars} 字（reason）`);
  if (state.extensions.length >= LIMITS.extensions)
    refuse('conflict', `已延期 ${LIMITS.extensions} 次，不能再延期`);
  const t = Date.parse(until);
  if (Number.isNaN(t) || t <= Date.parse(state.deadline) || t <= Date.now())
    refuse('invalid', '新的期限必须晚于当前期限且在将来（until）');
}

/**
 * A voice's read model follows its workflow: events recorded once however often they are retried, the
 * sweep mending voices whose record did not follow, and the drift check finding and repairing the rest.
 * Against the real stack (FerretDB or MongoDB, the Temporal dev server, a worker with real activities).
 */
import request from 'supertest';
import { createVoiceActivities } from '../../activities/voices';
import { checkVoices, sweepVoiceStarts } from '../../services/voice-drift';
import { createApp } from '../../api/app';
import { createTemporalHandle } from '../../services/temporal-client';
import { VoiceStart } from '../../models/projection';
import { ensureSearchAttributes } from '../../temporal-search';
import { COMPOUND_KEY, KIND_KEY, STATUS_KEY } from '../../workflows/search-attributes';
import { Voice } from '../../models/voice';
import { voiceStatusQuery, voiceWorkflowId } from '../../workflows/contract';
import { eventually, JWT_SECRET, startStack } from '../helpers/app';
import { makeCompound, makeUser, makeVoice } from '../helpers/fixtures';

let stack: Awaited<ReturnType<typeof startStack>>;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

async function raised(compoundId: string, auth: string, text = '电梯坏了一周没人修') {
  const res = await request(stack.app)
    .post(`/api/v1/compounds/${compoundId}/voices`)
    .set('Authorization', auth)
    .send({ kind: 'complaint', text });
  expect(res.status).toBe(202);
  const id = res.body.voice.id as string;
  await eventually(
    () => Voice.findById(id).lean().orFail(),
    (v) => v.status === 'assigned',
  );
  return id;
}

async function workflowState(id: string) {
  const client = await stack.temporal.client();
  return client.workflow.getHandle(voiceWorkflowId(id)).query(voiceStatusQuery);
}

describe('recording a voice event', () => {
  it('when the same event is recorded three times at once, the timeline holds it once', async () => {
    const c = await makeCompound();
    const v = await makeVoice(c);
    const { recordVoiceEvent } = createVoiceActivities();
    const input = {
      voiceId: v._id,
      compoundId: c,
      eventId: `${v._id}:1`,
      type: 'assigned',
      at: new Date().toISOString(),
      message: '已分派',
      set: { status: 'assigned' as const },
    };
    await Promise.all([recordVoiceEvent(input), recordVoiceEvent(input), recordVoiceEvent(input)]);
    await recordVoiceEvent(input); // and once more, after: a retry
    const after = await Voice.findById(v._id).lean().orFail();
    expect(after.timeline.filter((e) => e.eventId === input.eventId)).toHaveLength(1);
    expect(after.rev).toBe(1);
  });
});

describe('the outbox sweep', () => {
  it('when Temporal is unreachable, intake answers 202 within a second and the sweep starts the workflow later', async () => {
    const c = await makeCompound();
    const resident = await makeUser(c, ['resident'], '王小明');
    const down = createTemporalHandle({
      address: '127.0.0.1:1',
      namespace: 'default',
      taskQueue: stack.worker.taskQueue,
    });
    const app = createApp({
      config: { jwtSecret: JWT_SECRET, tokenTtlSeconds: 3600 },
      temporal: down,
      rateLimits: false,
    });
    const auth = await stack.login(resident);
    const t0 = Date.now();
    const res = await request(app)
      .post(`/api/v1/compounds/${c}/voices`)
      .set('Authorization', auth)
      .send({ kind: 'complaint', text: '楼道灯坏了' });
    expect(res.status).toBe(202);
    expect(Date.now() - t0).toBeLessThan(1_000);
    const id = res.body.voice.id as string;
    expect(await VoiceStart.exists({ _id: id })).toBeTruthy();

    expect((await sweepVoiceStarts(stack.temporal, { olderThanMs: 0 })).started).toBe(1);
    await eventually(
      () => Voice.findById(id).lean().orFail(),
      (v) => v.status === 'assigned',
    );
    // Once the record followed, its outbox entry goes.
    await eventually(
      async () => (
        await sweepVoiceStarts(stack.temporal, { olderThanMs: 0 }),
        VoiceStart.exists({ _id: id })
      ),
      (e) => !e,
    );
  });

  it('when a voice started but its record stayed at received, the sweep mends it from the workflow', async () => {
    const c = await makeCompound();
    const resident = await makeUser(c, ['resident'], '王小明');
    const id = await raised(c, await stack.login(resident));
    // The record lost its first event (as a write raced away would): back to intake, outbox still there.
    await Voice.updateOne({ _id: id }, { $set: { status: 'received', rev: 0, timeline: [] } });
    await VoiceStart.updateOne(
      { _id: id },
      {
        $set: { compoundId: c, at: new Date(Date.now() - 120_000), startedAt: new Date(Date.now() - 90_000) },
      },
      { upsert: true },
    );

    const out = await sweepVoiceStarts(stack.temporal, { followAfterMs: 60_000 });
    expect(out.repaired).toBe(1);
    const v = await Voice.findById(id).lean().orFail();
    expect(v.status).toBe((await workflowState(id)).status);
    expect(v.status).toBe('assigned');
    expect(await VoiceStart.exists({ _id: id })).toBeFalsy();
  });
});

describe('the drift check', () => {
  it('when records differ from their workflows, it finds each, repairs them, and then finds none', async () => {
    const c = await makeCompound();
    const resident = await makeUser(c, ['resident'], '王小明');
    const auth = await stack.login(resident);
    const behind = await raised(c, auth, '电梯坏了一周没人修');
    const doubled = await raised(c, auth, '楼道里堆满了杂物');
    const fine = await raised(c, auth, '小区门口路灯不亮');
    const orphan = await makeVoice(c, { text: '垃圾桶满了没人清' }); // an open record without a workflow

    await Voice.updateOne({ _id: behind }, { $set: { status: 'inProgress', escalationLevel: 3 } });
    const d = await Voice.findById(doubled).lean().orFail();
    await Voice.updateOne({ _id: doubled }, { $push: { timeline: d.timeline.at(-1)! } });

    const found = await checkVoices(stack.temporal, { repair: false, compoundIds: [c], settleMs: 200 });
    expect(found.checked).toBe(4);
    const problems = found.drifts.map((x) => `${x.voiceId}:${x.problem}`).sort();
    expect(problems).toEqual(
      [`${behind}:behind`, `${doubled}:duplicateEvents`, `${orphan._id}:noWorkflow`].sort(),
    );
    expect(found.drifts.find((x) => x.voiceId === behind)!.details).toEqual(
      expect.arrayContaining(['status: inProgress → assigned', 'escalationLevel: 3 → 0']),
    );
    expect(found.drifts.every((x) => !x.repaired)).toBe(true);
    expect((await Voice.findById(behind).lean().orFail()).status).toBe('inProgress'); // checking changes nothing

    const repaired = await checkVoices(stack.temporal, { repair: true, compoundIds: [c], settleMs: 200 });
    expect(repaired.drifts.every((x) => x.repaired)).toBe(true);
    expect((await Voice.findById(behind).lean().orFail()).status).toBe('assigned');
    // Mended by its workflow, the record's one writer, not by a second write beside it.
    const history = await (
      await stack.temporal.client()
    ).workflow
      .getHandle(voiceWorkflowId(behind))
      .fetchHistory();
    const updates = (history.events ?? []).flatMap((e) => {
      const name = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name;
      return name ? [name] : [];
    });
    expect(updates).toContain('syncVoiceRecord');
    const ids = (await Voice.findById(doubled).lean().orFail()).timeline.map((e) => e.eventId);
    expect(new Set(ids).size).toBe(ids.length);
    await eventually(
      () => Voice.findById(orphan._id).lean().orFail(),
      (v) => v.status === 'assigned',
    );
    expect(fine).toBeTruthy();

    const after = await checkVoices(stack.temporal, { repair: false, compoundIds: [c], settleMs: 200 });
    expect(after.drifts).toEqual([]);
  });
});

describe('finding workflows in the Temporal Web UI', () => {
  it('when the namespace has the search attributes, a voice carries its compound, kind and current status', async () => {
    const client = await stack.temporal.client();
    expect(await ensureSearchAttributes(client, () => undefined)).toBe(true);
    expect(await ensureSearchAttributes(client, () => undefined)).toBe(true); // twice is harmless
    const c = await makeCompound();
    const resident = await makeUser(c, ['resident'], '王小明');
    const id = await raised(c, await stack.login(resident), '楼下的路灯坏了');
    const handle = client.workflow.getHandle(voiceWorkflowId(id));
    const d = await eventually(
      () => handle.describe(),
      (x) => x.typedSearchAttributes.get(STATUS_KEY) === 'assigned',
    );
    expect(d.typedSearchAttributes.get(COMPOUND_KEY)).toBe(c);
    expect(d.typedSearchAttributes.get(KIND_KEY)).toBe('complaint');
  });
});

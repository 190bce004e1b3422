/**
 * One resident's voice, from intake to the resident's verdict (DOMAIN.md "Voices of residents").
 * It is assigned to a responsible body, which must accept it and resolve it in time; reminders come
 * before each deadline; a missed deadline climbs the escalation ladder (assigned body → owners'
 * committee → party branch); the resident says whether they are satisfied, and one "no" reopens it.
 * Praise is recorded and published, with no deadlines.
 *
 * The story's awaits stay here, where they always were (see Voice.watchDeadline on why).
 */
import { allHandlersFinished, condition, patched } from '@temporalio/workflow';
import { BODY_LABELS, callsPromptCoordination } from '../domain/voices';
import type { VoiceState, VoiceWorkflowInput } from './contract';
import { registerVoiceHandlers } from './voice-handlers';
import { Voice } from './voice-state';

export async function residentVoice(input: VoiceWorkflowInput): Promise<VoiceState> {
  const voice = new Voice(input);
  const { state, deadline } = voice;
  registerVoiceHandlers(voice);

  if (input.kind === 'praise') {
    state.status = 'published';
    await voice.record('published', `点赞已记录并公示：感谢${BODY_LABELS[state.assignee]}`);
    await voice.notify(
      'praise',
      { role: state.assignee },
      '收到居民点赞',
      '居民为你们点赞，已在回音壁公示。',
    );
    await condition(allHandlersFinished);
    return state;
  }

  const { note } = voice.assign();
  await voice.record(
    'assigned',
    `已分派给${BODY_LABELS[state.assignee]}，请于 ${voice.when(deadline.acknowledge!.at)} 前接单${note}`,
  );
  await voice.notify(
    'assigned',
    { role: state.assignee },
    '新的居民反映待接单',
    `请于 ${voice.when(deadline.acknowledge!.at)} 前接单，${voice.when(deadline.resolve!.at)} 前办结。`,
  );

  // A complaint (and, since this was patched in, an appeal) about the committee's service.
  if (
    callsPromptCoordination(input.kind, input.category) &&
    (input.kind === 'complaint' || patched('prompt-coordination-appeals')) &&
    patched('prompt-coordination')
  ) {
    await voice.callCoordination();
  }

  // Read through a function: handlers change the status while the loop awaits.
  const status = () => state.status;
  while (status() !== 'closed') {
    if (status() === 'resolved') await voice.awaitFeedback();
    else await voice.watchDeadline();
  }
  await condition(allHandlersFinished);
  return state;
}

/**
 * 支部、业委会每月商议会: at month end the branch and the owners' committee share the month's voices,
 * classified, and send each a directional handling opinion — to the self-management committee (a
 * rectification order with a deadline), the residents' council (the quarter's agenda), or the community
 * party organization.
 */
import { excerptOf } from '../domain/limits';
import { DISPOSITION_LABELS } from '../domain/meetings';
import { refuse } from './contract';
import { acts } from './matter-record';
import { meetingLife } from './meeting';
import { orderForItem } from './orders';
import type { AgendaItem, Decision, MeetingInput, MeetingState } from './meeting-contract';

export async function monthlyConsultation(input: MeetingInput): Promise<MeetingState> {
  const life = meetingLife(input, {
    decisionsRequired: true,
    validateRecord: (r) => {
      for (const d of r.decisions) {
        if (!d.disposition) refuse('invalid', `议题 ${d.itemId} 须给出处理去向（disposition）`);
        if (d.disposition === 'selfManagementCommittee' && !excerptOf(d.handlingOpinion).trim()) {
          refuse('invalid', `交自管会办理的议题 ${d.itemId} 须附方向性处理意见（handlingOpinion）`);
        }
      }
    },
  });
  const state = await life.run();
  const { compoundId, settings } = input;
  for (const d of state.decisions) {
    const item = state.agenda.find((i) => i.id === d.itemId)!;
    const summary = `「${item.title}」${DISPOSITION_LABELS[d.disposition!]}：${excerptOf(d.handlingOpinion ?? d.decision)}`;
    if (d.disposition === 'selfManagementCommittee') {
      const orderId = await orderForItem(compoundId, settings, life.meetingId, item, d, input.timeZone);
      await life.rec.file('disposition', summary, undefined, { ...d, orderId });
    } else if (d.disposition === 'residentsCouncil') {
      await referToCouncil(compoundId, life.meetingId, item, d);
      await life.rec.file('disposition', summary, undefined, d);
    } else if (d.disposition === 'partyOrganization') {
      await life.rec.file('disposition', summary, undefined, d);
      await life.rec.notify(
        ['partyBranch', 'staff'],
        `referred:${item.id}`,
        '每月商议会报社区党组织事项',
        summary,
      );
    } else {
      await life.rec.file('disposition', summary, undefined, d);
    }
  }
  return life.close({ voices: true });
}

/**
 * An item sent to the residents' council: a referral onto the quarter's agenda, as a matter of residents'
 * vital interests. (Not async: it hands back the activity's promise, so the story keeps its timing.)
 */
function referToCouncil(compoundId: string, meetingId: string, item: AgendaItem, d: Decision): Promise<void> {
  return acts.createReferral({
    referralId: `${meetingId}:${item.id}`.replace(/\//g, '_'),
    compoundId,
    target: 'quarterlyDeliberation',
    title: item.title,
    detail: d.handlingOpinion ?? d.decision,
    source: { meetingId, voiceIds: item.voiceIds },
    matter: 'vitalInterests',
  });
}

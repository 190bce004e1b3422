/**
 * 社区党组织主导季度议事会: convened jointly — the branch and the owners' committee both confirm — and
 * led by the party organization. Motions on major matters come from referrals and members; with a
 * quorum present, each member present votes once per motion within the voting window; the 5030 rule
 * decides; passed motions become resolutions delegated for execution.
 */
import type { MeetingInput, MeetingState } from './meeting-contract';
import { registerCouncilHandlers } from './council-handlers';
import { Council } from './council-state';

export async function quarterlyDeliberation(input: MeetingInput): Promise<MeetingState> {
  const council = new Council(input);
  registerCouncilHandlers(council);

  await council.life.run();
  const quorum = await council.countQuorum();
  // Without a quorum nothing is decided; with one, the members present vote on every motion.
  if (!quorum.met) await council.referAll();
  else if (council.motions().length) return council.voteAndClose();
  return council.life.close({ voices: false });
}

/**
 * 支部与监事会年度评估会: at year end, from the supervisory record, the branch and the supervisory
 * board rate the owners' committee and the self-management committee. The record is compiled and a
 * rating proposed; each of the two bodies signs off its rating with a comment by a deadline; a
 * disagreement goes to the community party organization for the final word; then it is published.
 */
import { patched } from '@temporalio/workflow';
import type { MeetingInput, MeetingState } from './meeting-contract';
import { registerEvaluationHandlers } from './evaluation-handlers';
import { Evaluation } from './evaluation-state';

export async function annualEvaluation(input: MeetingInput): Promise<MeetingState> {
  const evaluation = new Evaluation(input);
  registerEvaluationHandlers(evaluation);

  await evaluation.life.run();
  if (patched('annual-final-record')) await evaluation.compileFinalRecord();
  // The evaluation meeting was held: now both bodies sign, by the deadline, reminded and escalated.
  return evaluation.signOffAndPublish();
}

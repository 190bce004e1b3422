/** Annual evaluations as they were published (公示). */
import { Evaluation } from '../../models/evaluation';

/** The compound's published evaluations, newest year first; signatures only for its members' view. */
export async function publishedEvaluations(compoundId: string, opts: { signatures: boolean }) {
  const docs = await Evaluation.find({ compoundId }, opts.signatures ? {} : { signatures: 0 })
    .sort({ year: -1 })
    .lean();
  return docs.map((e) => ({
    id: e._id,
    compoundId: e.compoundId,
    year: e.year,
    ratings: e.ratings as unknown,
    proposals: e.proposals as unknown,
    ...(opts.signatures ? { signatures: e.signatures as unknown } : {}),
    disagreement: e.disagreement as unknown,
    final: e.final as unknown,
    publishedAt: e.publishedAt,
  }));
}

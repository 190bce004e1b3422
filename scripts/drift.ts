/**
 * Voices' read models against their workflows:
 *   npm run drift [-- --repair] [--all] [compoundId…]
 * Checks every open voice (with --all, closed ones too) of the given compounds (none: every compound):
 * a record that does not show its workflow's state, an open voice without a workflow, an event twice.
 * Exit 0 when nothing drifted (or all was repaired), 1 when something is left, 2 on a usage error.
 */
import { runWithDatabase } from './cli';
import { loadConfig } from '../config';
import { createTemporalHandle } from '../services/temporal-client';
import { checkVoices } from '../services/voice-drift';
import { Compound } from '../models/compound';

const LABELS = {
  behind: '记录落后于流程',
  noWorkflow: '未办结却没有流程',
  duplicateEvents: '时间线有重复事件',
};

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a.startsWith('--') && a !== '--repair' && a !== '--all');
  if (unknown.length) {
    console.error(`不认识的选项：${unknown.join(' ')}\n用法：npm run drift -- [--repair] [--all] [小区…]`);
    return 2;
  }
  const ids = args.filter((a) => !a.startsWith('--'));
  const found = await Compound.find(ids.length ? { _id: { $in: ids } } : {}, { _id: 1 }).lean();
  const missing = ids.filter((id) => !found.some((c) => c._id === id));
  if (missing.length) {
    console.error(`没有这个小区：${missing.join('、')}`);
    return 2;
  }
  const temporal = createTemporalHandle(loadConfig().temporal);
  try {
    const t0 = Date.now();
    const r = await checkVoices(temporal, {
      repair: args.includes('--repair'),
      all: args.includes('--all'),
      compoundIds: ids.length ? ids : undefined,
    });
    for (const d of r.drifts) {
      console.log(
        `${d.repaired ? '✔ 已修复' : '✘'} ${d.compoundId} ${d.voiceId} ${LABELS[d.problem]}${d.details.length ? `：${d.details.join('；')}` : ''}`,
      );
    }
    const left = r.drifts.filter((d) => !d.repaired).length;
    console.log(
      `检查了 ${r.checked} 条民情，用时 ${Date.now() - t0} ms：${r.drifts.length} 处不一致，${r.drifts.length - left} 处已修复。`,
    );
    return left ? 1 : 0;
  } finally {
    await temporal.close();
  }
}

runWithDatabase(main);

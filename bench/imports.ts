/**
 * A compound imported from Excel (`npm run bench -- imports`), on the stack as it runs in production
 * (FerretDB, the Temporal dev server, the worker and the API as separate processes). The workbook:
 * 20 buildings × 5 units × 50 rooms = 5,000 rooms, and 5,000 residents (one per room). Each round imports
 * it over HTTP into a new empty compound, then imports the same file again (every row unchanged); the
 * bare control is insertMany of the same documents (5,000 rooms, users and residences) into scratch
 * collections of the same database. Env: BENCH_ROUNDS (3), BENCH_BUILDINGS (20).
 */
import ExcelJS from 'exceljs';
import mongoose from 'mongoose';
import { hashPassword } from '../services/passwords';
import { Community, Compound } from '../models/compound';
import { Residence } from '../models/residence';
import { Room } from '../models/room';
import { User } from '../models/user';
import { Stack } from '../scripts/stack';
import { cpuSeconds, line, loginToken, spread } from './lib';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BUILDINGS = Number(process.env.BENCH_BUILDINGS ?? 20);
const UNITS = 5;
const ROOMS_PER_UNIT = 50;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The office's workbook: 楼栋单元, 房屋 and 住户, as the templates lay them out. */
async function workbook(round: number): Promise<{ data: Buffer; households: number }> {
  const wb = new ExcelJS.Workbook();
  const buildings = wb.addWorksheet('楼栋单元');
  const rooms = wb.addWorksheet('房屋');
  const residents = wb.addWorksheet('住户');
  buildings.addRow(['楼栋*', '单元']);
  rooms.addRow(['楼栋*', '单元', '门牌号*', '楼层', '建筑面积（平方米）*']);
  residents.addRow(['姓名*', '手机号*', '楼栋*', '单元', '门牌号*', '关系*']);
  let n = 0;
  for (let b = 1; b <= BUILDINGS; b++) {
    const units = Array.from({ length: UNITS }, (_, u) => `${u + 1}单元`);
    buildings.addRow([`${b}号楼`, units.join('、')]);
    for (const unit of units)
      for (let r = 0; r < ROOMS_PER_UNIT; r++) {
        const floor = Math.floor(r / 2) + 1;
        const number = `${floor}0${(r % 2) + 1}`;
        rooms.addRow([`${b}号楼`, unit, number, floor, 80 + (n % 50) + 0.25]);
        residents.addRow([
          `住户${n}`,
          `13${round}${String(n).padStart(8, '0')}`,
          `${b}号楼`,
          unit,
          number,
          n % 3 ? '业主' : '租户',
        ]);
        n++;
      }
  }
  return { data: Buffer.from(await wb.xlsx.writeBuffer()), households: n };
}

export async function benchImports() {
  const stack = await new Stack({
    log: process.env.BENCH_LOG ? (p, l) => console.log(`[${p}] ${l}`) : undefined,
  }).start();
  await mongoose.connect(stack.mongodbUri);
  await Promise.all(Object.values(mongoose.models).map((m) => m.init()));
  await Community.create({ _id: 'bench', name: '基准社区' });
  const compounds = Array.from({ length: ROUNDS }, (_, i) => `bench-import-${i + 1}`);
  await Compound.insertMany(compounds.map((_id) => ({ _id, name: `基准小区${_id}`, communityId: 'bench' })));
  await User.create({
    _id: 'bench-staff',
    username: 'bench-staff',
    name: '社区工作人员',
    passwordHash: await hashPassword('bench-password'),
    memberships: compounds.map((compoundId) => ({ compoundId, roles: ['staff'] })),
  });
  const token = await loginToken(stack.apiUrl, 'bench-staff', 'bench-password');
  // Each round's households are people of their own (new phones), as a new compound's are.
  const files = await Promise.all(compounds.map((_, i) => workbook(i + 1)));
  const { data, households } = files[0]!;
  console.log(
    `imports benchmark: ${ROUNDS} rounds; a workbook of ${BUILDINGS} buildings × ${UNITS} units, ${households} rooms and ${households} residents (${(data.length / 1024).toFixed(0)} KiB)`,
  );

  const post = async (compoundId: string, data: Buffer) => {
    const t0 = performance.now();
    const res = await fetch(`${stack.apiUrl}/compounds/${compoundId}/sheets`, {
      method: 'POST',
      headers: { 'content-type': XLSX, authorization: `Bearer ${token}` },
      body: data,
    });
    const body = (await res.json()) as { sheets?: { sheet: string; created: number; unchanged: number }[] };
    if (res.status !== 200)
      throw new Error(`import answered ${res.status}: ${JSON.stringify(body).slice(0, 500)}`);
    return { seconds: (performance.now() - t0) / 1000, sheets: body.sheets ?? [] };
  };
  const scratch = (name: string) => mongoose.connection.db!.collection(`bench_scratch_${name}`);
  const times = {
    control: [] as number[],
    first: [] as number[],
    again: [] as number[],
    apiCpu: [] as number[],
    dbCpu: [] as number[],
  };
  for (let round = 1; round <= ROUNDS; round++) {
    const compoundId = compounds[round - 1]!;
    // The control: the same number of documents of each kind, inserted bare, 1,000 at a time.
    const t0 = performance.now();
    for (const kind of ['rooms', 'users', 'residences']) {
      const docs = Array.from({ length: households }, (_, i) => ({
        _id: `${round}-${i}` as never,
        compoundId,
        name: `住户${i}`,
        phone: `139${String(i).padStart(8, '0')}`,
        floorArea: 80.25,
      }));
      for (let i = 0; i < docs.length; i += 1000)
        await scratch(kind).insertMany(docs.slice(i, i + 1000), { ordered: false });
    }
    times.control.push((performance.now() - t0) / 1000);

    const api0 = cpuSeconds(stack.pid('api'));
    const db0 = cpuSeconds(stack.pid('database'));
    const first = await post(compoundId, files[round - 1]!.data);
    times.apiCpu.push(cpuSeconds(stack.pid('api')) - api0);
    times.dbCpu.push(cpuSeconds(stack.pid('database')) - db0);
    times.first.push(first.seconds);
    const again = await post(compoundId, files[round - 1]!.data);
    times.again.push(again.seconds);
    const stored = {
      rooms: await Room.countDocuments({ compoundId }),
      residences: await Residence.countDocuments({ compoundId }),
      users: await User.countDocuments({ 'memberships.compoundId': compoundId }),
    };
    const created = first.sheets.map((s) => `${s.sheet} ${s.created}`).join(', ');
    const unchanged = again.sheets.map((s) => `${s.sheet} ${s.unchanged}`).join(', ');
    console.log(
      `  round ${round}: control ${times.control.at(-1)!.toFixed(1)} s; import ${first.seconds.toFixed(1)} s (created: ${created}); again ${again.seconds.toFixed(1)} s (unchanged: ${unchanged}); stored ${JSON.stringify(stored)}`,
    );
  }
  console.log('\nmin / median / max over the rounds:');
  line(`bare insertMany of ${households} × 3 documents (control): s`, spread(times.control, 1));
  line(`POST …/sheets, ${households} households into an empty compound: s`, spread(times.first, 1));
  line('the same file again (every row unchanged): s', spread(times.again, 1));
  line(
    'first import ÷ control (same round)',
    spread(
      times.first.map((t, i) => t / times.control[i]!),
      2,
    ),
  );
  line(
    'first import: CPU-s of the API · of FerretDB',
    `${spread(times.apiCpu, 1)} · ${spread(times.dbCpu, 1)}`,
  );
  await mongoose.disconnect();
  await stack.stop();
}

/**
 * The office's spreadsheets: templates, exports in the same layout, and imports that apply every row
 * or none. FerretDB has no multi-document transactions, so "none" holds by checking every row of every
 * sheet (against the stored data and the sheets before it in the same workbook) before the first write;
 * the writes then go by natural key (upserts, _id-keyed inserts that ignore duplicates), so running an
 * import again after a crash finishes it, and re-importing a file changes nothing.
 *
 * Another module adds a sheet (e.g. 党员) with `registerSheet`: a SheetDef (domain/sheets.ts) and a
 * `check` that plans its rows against an ImportContext and returns an `apply`. Registered sheets get
 * their template, export and import routes (api/sheets/routes.ts) and join the whole-workbook import in
 * the order they were registered.
 */
import { randomBytes } from 'node:crypto';
import ExcelJS from 'exceljs';
import type { AnyBulkWriteOperation, Model } from 'mongoose';
import { DomainError } from '../domain/errors';
import { MAX_ROOMS_PER_PERSON, type ResidentRelation } from '../domain/people';
import type { Permission } from '../domain/roles';
import {
  BUILDINGS_SHEET,
  MAX_LISTED_ERRORS,
  MAX_SHEET_ROWS,
  RESIDENTS_SHEET,
  ROOMS_SHEET,
  describeErrors,
  exampleRow,
  formatRow,
  readSheet,
  type Column,
  type Columns,
  type Line,
  type RowError,
  type RowOf,
  type SheetDef,
} from '../domain/sheets';
import { Compound } from '../models/compound';
import { Residence } from '../models/residence';
import { Room } from '../models/room';
import { User } from '../models/user';
import { NO_PASSWORD } from './passwords';
import { changeBuildings, MAX_BUILDINGS, MAX_ROOMS, MAX_UNITS, roomId } from './places';
import { forgetCompound, loadCompound, type CompoundRecord } from './compounds';

type Building = CompoundRecord['buildings'][number];

export interface Counts {
  created: number;
  updated: number;
  unchanged: number;
}

/** What the sheets of one import see: the compound as it will stand once the sheets before are applied. */
export interface ImportContext {
  compoundId: string;
  buildings: Building[];
  /** The compound's rooms by id: stored ones, and those the sheets before will create. */
  rooms: Map<string, PlannedRoom>;
  /** Rooms stored (retired ones too): the compound's bound counts them all. */
  roomsStored: number;
  /** People by phone: those the residents sheet names (for a later sheet, e.g. 党员, to refer to). */
  people: Map<string, { name: string; userId?: string }>;
}
interface PlannedRoom {
  buildingId: string;
  unitId: string;
  number: string;
  floor?: number;
  floorArea: number;
  retired: boolean;
}

export interface Checked {
  counts: Counts;
  errors: RowError[];
  /** Writes the planned rows; idempotent. Answers the users whose roles or names it changed. */
  apply: () => Promise<string[]>;
}

/** A sheet's service side: who may import and export it, how its rows are planned and how it is read out. */
export interface SheetService<C extends Columns> {
  def: SheetDef<C>;
  importPermission: Permission;
  exportPermission: Permission;
  check: (ctx: ImportContext, lines: Line<RowOf<C>>[]) => Promise<Checked>;
  exportRows: (compoundId: string) => Promise<RowOf<C>[]>;
}

/** A registered sheet, its row type sealed inside its closures. */
export interface RegisteredSheet {
  name: string;
  title: string;
  columns: Columns;
  importPermission: Permission;
  exportPermission: Permission;
  read: (ctx: ImportContext, grid: string[][], rowNumbers: number[]) => Promise<Checked>;
  exportGrid: (compoundId: string) => Promise<(string | number)[][]>;
  example: string[];
}

const registry: RegisteredSheet[] = [];

/** Adds a sheet: its routes and its place in the whole-workbook import (after those already registered). */
export function registerSheet<C extends Columns>(s: SheetService<C>): void {
  if (registry.some((r) => r.name === s.def.name || r.title === s.def.title))
    throw new Error(`sheet ${s.def.name} (${s.def.title}) is registered twice`);
  registry.push({
    name: s.def.name,
    title: s.def.title,
    columns: s.def.columns,
    importPermission: s.importPermission,
    exportPermission: s.exportPermission,
    example: exampleRow(s.def),
    read: async (ctx, grid, rowNumbers) => {
      const { lines, errors } = readSheet(s.def, grid, rowNumbers);
      // The valid rows are checked against the data too: the office hears of every error at once.
      const checked = await s.check(ctx, lines);
      return { ...checked, errors: [...errors, ...checked.errors].sort((a, b) => a.row - b.row) };
    },
    exportGrid: async (compoundId) => (await s.exportRows(compoundId)).map((r) => formatRow(s.def, r)),
  });
}

export function registeredSheets(): readonly RegisteredSheet[] {
  return registry;
}

function sheetNamed(name: string): RegisteredSheet {
  const s = registry.find((r) => r.name === name);
  if (!s) throw new DomainError('not_found', `没有这张表：${name}`);
  return s;
}

// —— Reading and writing workbooks ——

const headerOf = (c: Column) => (c.required ? `${c.header}*` : c.header);
const GUIDE_TITLE = '说明';

function addSheet(wb: ExcelJS.Workbook, s: RegisteredSheet, rows: (string | number)[][]) {
  const ws = wb.addWorksheet(s.title, { views: [{ state: 'frozen', ySplit: 1 }] });
  const cols = Object.values(s.columns);
  ws.columns = cols.map((c) => ({ header: headerOf(c), width: c.width }));
  cols.forEach((c, i) => {
    const cell = ws.getRow(1).getCell(i + 1);
    cell.font = { bold: true, color: { argb: c.required ? 'FFC00000' : 'FF000000' } };
    cell.note = `${c.required ? '必填。' : '选填。'}${c.hint}`;
    // Door numbers and phones stay text: Excel would turn 0301 into 301.
    if (c.asText) ws.getColumn(i + 1).numFmt = '@';
  });
  for (const r of rows) ws.addRow(r);
}

function addGuide(wb: ExcelJS.Workbook, sheets: readonly RegisteredSheet[]) {
  const ws = wb.addWorksheet(GUIDE_TITLE);
  ws.columns = [
    { header: '表', width: 12 },
    { header: '列', width: 20 },
    { header: '必填', width: 8 },
    { header: '说明', width: 70 },
  ];
  ws.getRow(1).font = { bold: true };
  for (const s of sheets)
    for (const c of Object.values(s.columns))
      ws.addRow([s.title, c.header, c.required ? '是' : '否', c.hint]);
  ws.addRow([]);
  for (const line of [
    '带 * 的列必填。每张表第 2 行是示例，请改成本小区的数据或删除。',
    '导入时先检查全部行：有任何一处错误，就一行也不导入，并逐行列出错误；全部正确才写入。',
    '再次导入同一份表格不会重复：楼栋按名称、房屋按楼栋+单元+门牌号、住户按手机号+房屋更新。',
    '选填列留空表示不改动已有的值；导入不会删除表中没有的楼栋、单元、房屋或住户。',
    '一个工作簿可以同时包含楼栋单元、房屋、住户三张表，按这个顺序导入（房屋可引用同一文件中新建的楼栋）。',
  ])
    ws.addRow([line]);
}

async function toBuffer(wb: ExcelJS.Workbook): Promise<Buffer> {
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The empty template of one sheet (or of every sheet): headers, one example row, the 说明 sheet. */
export async function templateOf(name?: string): Promise<Buffer> {
  const sheets = name ? [sheetNamed(name)] : registry;
  const wb = new ExcelJS.Workbook();
  for (const s of sheets) addSheet(wb, s, [s.example]);
  addGuide(wb, sheets);
  return toBuffer(wb);
}

/** The compound's data in the templates' layout: re-importing it changes nothing. */
export async function exportOf(compoundId: string, name?: string): Promise<Buffer> {
  await loadCompound(compoundId);
  const sheets = name ? [sheetNamed(name)] : registry;
  const wb = new ExcelJS.Workbook();
  for (const s of sheets) addSheet(wb, s, await s.exportGrid(compoundId));
  return toBuffer(wb);
}

async function loadWorkbook(data: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(data as unknown as ExcelJS.Buffer);
  } catch {
    // The body is the documented shape (bytes); being a workbook is the rule it breaks: 422.
    throw new DomainError('unprocessable', '上传的不是有效的 Excel 文件（.xlsx），请用模板填写后上传', {
      field: 'body',
    });
  }
  return wb;
}

/** The worksheet's cell texts, blank rows dropped, with their Excel row numbers. */
function gridOf(ws: ExcelJS.Worksheet, maxRows: number): { grid: string[][]; rowNumbers: number[] } {
  const grid: string[][] = [];
  const rowNumbers: number[] = [];
  ws.eachRow({ includeEmpty: false }, (row, n) => {
    // Past the bound by a row: readSheet names the first row too many, and nothing more is read.
    if (grid.length > maxRows + 1) return;
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      if (col <= 64) cells[col - 1] = cell.text ?? '';
    });
    grid.push(Array.from(cells, (c) => c ?? ''));
    rowNumbers.push(n);
  });
  return { grid, rowNumbers };
}

// —— Importing ——

/** One import per compound at a time in this process: two at once would plan against the same state. */
const importing = new Set<string>();

export interface ImportResult {
  dryRun: boolean;
  sheets: ({ sheet: string; title: string; rows: number } & Counts)[];
}

/**
 * Imports a workbook: one sheet (`only`: its worksheet by title, or the workbook's only worksheet) or
 * every registered sheet the workbook holds. `may` says whether the caller holds a permission. Every
 * row is checked first; any error refuses the whole file (422, each error listed) and writes nothing.
 */
export async function importWorkbook(
  compoundId: string,
  data: Buffer,
  opts: { only?: string; dryRun: boolean; may: (p: Permission) => boolean },
): Promise<{ result: ImportResult; changedUsers: string[] }> {
  const compound = await loadCompound(compoundId);
  if (compound.retiredAt) throw new DomainError('conflict', '该小区已停用，不能导入');
  const wb = await loadWorkbook(data);
  const picked = pickSheets(wb, opts.only);
  for (const { sheet } of picked)
    if (!opts.may(sheet.importPermission))
      throw new DomainError('forbidden', `无权导入${sheet.title}表`, { field: `body.${sheet.name}` });
  if (importing.has(compoundId))
    throw new DomainError('conflict', '该小区正在导入另一份表格，请稍后再试', { retryAfterSeconds: 5 });
  importing.add(compoundId);
  try {
    const ctx = await contextOf(compoundId);
    const errors: RowError[] = [];
    const checked: { sheet: RegisteredSheet; rows: number; checked: Checked }[] = [];
    for (const { sheet, ws } of picked) {
      const { grid, rowNumbers } = gridOf(ws, MAX_SHEET_ROWS);
      const c = await sheet.read(ctx, grid, rowNumbers);
      errors.push(...c.errors);
      const rows = grid.slice(1).filter((r) => r.some((x) => x.trim())).length;
      checked.push({ sheet, rows, checked: c });
    }
    if (errors.length)
      throw new DomainError('unprocessable', describeErrors(errors), {
        field: errors[0]!.field,
        errorCount: errors.length,
        errors: errors.slice(0, MAX_LISTED_ERRORS),
      });
    const changedUsers: string[] = [];
    if (!opts.dryRun) for (const c of checked) changedUsers.push(...(await c.checked.apply()));
    return {
      result: {
        dryRun: opts.dryRun,
        sheets: checked.map((c) => ({
          sheet: c.sheet.name,
          title: c.sheet.title,
          rows: c.rows,
          ...c.checked.counts,
        })),
      },
      changedUsers,
    };
  } finally {
    importing.delete(compoundId);
    forgetCompound(compoundId);
  }
}

function pickSheets(wb: ExcelJS.Workbook, only?: string) {
  const worksheets = wb.worksheets.filter((w) => w.name !== GUIDE_TITLE);
  if (only) {
    const sheet = sheetNamed(only);
    const ws = wb.getWorksheet(sheet.title) ?? (worksheets.length === 1 ? worksheets[0] : undefined);
    if (!ws)
      throw new DomainError('unprocessable', `工作簿中没有“${sheet.title}”表`, {
        field: `body.${sheet.name}`,
      });
    return [{ sheet, ws }];
  }
  const picked = registry.flatMap((sheet) => {
    const ws = wb.getWorksheet(sheet.title);
    return ws ? [{ sheet, ws }] : [];
  });
  if (!picked.length)
    throw new DomainError(
      'unprocessable',
      `工作簿中没有可导入的表（${registry.map((r) => r.title).join('、')}）`,
      { field: 'body' },
    );
  return picked;
}

async function contextOf(compoundId: string): Promise<ImportContext> {
  const c = await Compound.findById(compoundId, { buildings: 1 }).lean();
  const rooms = await Room.find(
    { compoundId },
    { buildingId: 1, unitId: 1, number: 1, floor: 1, floorArea: 1, retiredAt: 1 },
  ).lean();
  return {
    compoundId,
    buildings: structuredClone(c?.buildings ?? []),
    rooms: new Map(
      rooms.map((r) => [
        r._id,
        {
          buildingId: r.buildingId,
          unitId: r.unitId ?? '',
          number: r.number,
          floor: r.floor ?? undefined,
          floorArea: r.floorArea,
          retired: Boolean(r.retiredAt),
        },
      ]),
    ),
    roomsStored: rooms.length,
    people: new Map(),
  };
}

const counts = (): Counts => ({ created: 0, updated: 0, unchanged: 0 });

function rowError(def: SheetDef, row: number, key: string | undefined, reason: string): RowError {
  return {
    sheet: def.title,
    row,
    ...(key ? { column: def.columns[key]!.header } : {}),
    reason,
    field: `body.${def.name}.${row}${key ? `.${key}` : ''}`,
  };
}

function nextId(prefix: string, taken: readonly { _id: string }[]): string {
  const ids = new Set(taken.map((t) => t._id));
  for (let n = taken.length + 1; ; n++) if (!ids.has(`${prefix}${n}`)) return `${prefix}${n}`;
}

/** Inserts the documents not stored yet: a duplicate _id (a re-run, a race) is the same row, already in. */
async function insertNew(model: Model<never>, docs: object[]): Promise<void> {
  if (!docs.length) return;
  try {
    await model.insertMany(docs as never[], { ordered: false });
  } catch (err) {
    const writeErrors = (err as { writeErrors?: { code?: number; err?: { code?: number } }[] }).writeErrors;
    const dupOnly =
      (err as { code?: number }).code === 11000 ||
      (writeErrors?.length && writeErrors.every((e) => (e.code ?? e.err?.code) === 11000));
    if (!dupOnly) throw err;
  }
}

const CHUNK = 1_000;
async function inChunks<T, R>(items: readonly T[], f: (chunk: T[]) => Promise<R[]>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(...(await f(items.slice(i, i + CHUNK))));
  return out;
}

// —— 楼栋单元 ——

type BuildingRow = RowOf<typeof BUILDINGS_SHEET.columns>;
const active = (p: { retiredAt?: Date | null }) => !p.retiredAt;

/** Adds the file's buildings and units the list lacks, by name; what it has stays as it is. */
function mergeBuildings(list: Building[], lines: Line<BuildingRow>[]) {
  const errors: RowError[] = [];
  const outcome = counts();
  for (const { row, value } of lines) {
    const wanted = value.units ?? [];
    const b = list.find((x) => active(x) && x.name === value.building);
    if (!b) {
      if (list.length >= MAX_BUILDINGS) {
        errors.push(rowError(BUILDINGS_SHEET, row, 'building', `一个小区最多 ${MAX_BUILDINGS} 栋楼`));
        continue;
      }
      const units = wanted.map((name, i) => ({ _id: `u${i + 1}`, name }));
      list.push({
        _id: nextId('b', list),
        name: value.building,
        ...(units.length ? { units } : {}),
      } as Building);
      outcome.created++;
      continue;
    }
    const have = b.units ?? [];
    const missing = wanted.filter((u) => !have.some((h) => active(h) && h.name === u));
    if (!missing.length) {
      outcome.unchanged++;
      continue;
    }
    if (have.length + missing.length > MAX_UNITS) {
      errors.push(rowError(BUILDINGS_SHEET, row, 'units', `一栋楼最多 ${MAX_UNITS} 个单元`));
      continue;
    }
    const units = [...have];
    for (const name of missing) units.push({ _id: nextId('u', units), name } as (typeof units)[number]);
    b.units = units as Building['units'];
    outcome.updated++;
  }
  return { errors, outcome };
}

registerSheet({
  def: BUILDINGS_SHEET,
  importPermission: 'place:manage',
  exportPermission: 'place:read',
  async check(ctx, lines) {
    const { errors, outcome } = mergeBuildings(ctx.buildings, lines);
    const valid = lines.filter((l) => !errors.some((e) => e.row === l.row));
    return {
      counts: outcome,
      errors,
      apply: async () => {
        if (!outcome.created && !outcome.updated) return [];
        await changeBuildings(
          ctx.compoundId,
          (stored) => {
            const merged = mergeBuildings(stored, valid);
            if (merged.errors.length)
              throw new DomainError(
                'conflict',
                `楼栋在导入时被修改：${merged.errors[0]!.reason}，请重新导入`,
              );
            return stored;
          },
          (stored) => mergeBuildings(structuredClone(stored), valid).outcome.unchanged === valid.length,
        );
        return [];
      },
    };
  },
  async exportRows(compoundId) {
    const c = await Compound.findById(compoundId, { buildings: 1 }).lean();
    return (c?.buildings ?? []).filter(active).map((b) => {
      const units = (b.units ?? []).filter(active).map((u) => u.name);
      return { building: b.name, units: units.length ? units : undefined };
    });
  },
});

// —— Places named by building, unit and door number (房屋, 住户) ——

type PlaceRow = { building: string; unit?: string; number: string };

/** The room a row names, by the buildings given; or the column that is wrong and why. */
function placeOf(
  compoundId: string,
  buildings: readonly Building[],
  r: PlaceRow,
): { buildingId: string; unitId: string; roomId: string } | { key: 'building' | 'unit'; reason: string } {
  const b = buildings.find((x) => active(x) && x.name === r.building);
  if (!b) return { key: 'building', reason: `该小区没有楼栋“${r.building}”（可先在楼栋单元表中添加）` };
  const units = (b.units ?? []).filter(active);
  let unitId = '';
  if (units.length) {
    if (!r.unit)
      return { key: 'unit', reason: `${b.name}分单元，请填写单元（${units.map((u) => u.name).join('、')}）` };
    const u = units.find((x) => x.name === r.unit);
    if (!u) return { key: 'unit', reason: `${b.name}没有“${r.unit}”` };
    unitId = u._id;
  } else if (r.unit) return { key: 'unit', reason: `${b.name}不分单元，单元请留空` };
  return { buildingId: b._id, unitId, roomId: roomId(compoundId, b._id, unitId, r.number) };
}

/** Place names → ids against the compound as stored now (the sheets before have been applied). */
async function placesNow(compoundId: string) {
  forgetCompound(compoundId);
  const buildings = (await Compound.findById(compoundId, { buildings: 1 }).lean())?.buildings ?? [];
  return (r: PlaceRow) => {
    const p = placeOf(compoundId, buildings, r);
    if ('reason' in p) throw new DomainError('conflict', `楼栋在导入时被修改：${p.reason}，请重新导入`);
    return p;
  };
}

/** Building and unit names by id, for exports. */
async function placeNames(compoundId: string) {
  const c = await Compound.findById(compoundId, { buildings: 1 }).lean();
  const names = new Map<string, { building: string; unit: string | undefined }>();
  for (const b of c?.buildings ?? []) {
    if (!active(b)) continue;
    names.set(`${b._id}|`, { building: b.name, unit: undefined });
    for (const u of (b.units ?? []).filter(active))
      names.set(`${b._id}|${u._id}`, { building: b.name, unit: u.name });
  }
  return (buildingId: string, unitId: string) => names.get(`${buildingId}|${unitId}`);
}

// —— 房屋 ——

registerSheet({
  def: ROOMS_SHEET,
  importPermission: 'place:manage',
  exportPermission: 'place:read',
  async check(ctx, lines) {
    const errors: RowError[] = [];
    const outcome = counts();
    const writes: { line: (typeof lines)[number]; create: boolean }[] = [];
    for (const line of lines) {
      const { row, value } = line;
      const p = placeOf(ctx.compoundId, ctx.buildings, value);
      if ('reason' in p) {
        errors.push(rowError(ROOMS_SHEET, row, p.key, p.reason));
        continue;
      }
      const stored = ctx.rooms.get(p.roomId);
      if (stored?.retired) {
        errors.push(rowError(ROOMS_SHEET, row, 'number', `${value.building} ${value.number} 已停用`));
        continue;
      }
      if (stored) {
        const same =
          stored.floorArea === value.floorArea && (value.floor === undefined || value.floor === stored.floor);
        if (same) outcome.unchanged++;
        else {
          outcome.updated++;
          writes.push({ line, create: false });
          stored.floorArea = value.floorArea;
          stored.floor = value.floor ?? stored.floor;
        }
        continue;
      }
      if (ctx.roomsStored + outcome.created >= MAX_ROOMS) {
        errors.push(rowError(ROOMS_SHEET, row, undefined, `一个小区最多 ${MAX_ROOMS} 套房屋`));
        continue;
      }
      outcome.created++;
      writes.push({ line, create: true });
      ctx.rooms.set(p.roomId, {
        ...p,
        number: value.number,
        floor: value.floor,
        floorArea: value.floorArea,
        retired: false,
      });
    }
    return {
      counts: outcome,
      errors,
      apply: async () => {
        if (!writes.length) return [];
        const place = await placesNow(ctx.compoundId);
        const created: object[] = [];
        const updates: AnyBulkWriteOperation[] = [];
        for (const { line, create } of writes) {
          const v = line.value;
          const p = place(v);
          const set = { floorArea: v.floorArea, ...(v.floor === undefined ? {} : { floor: v.floor }) };
          if (create)
            created.push({
              _id: p.roomId,
              compoundId: ctx.compoundId,
              buildingId: p.buildingId,
              unitId: p.unitId,
              number: v.number,
              ...set,
            });
          else updates.push({ updateOne: { filter: { _id: p.roomId }, update: { $set: set } } });
        }
        await insertNew(Room as unknown as Model<never>, created);
        if (updates.length) await Room.bulkWrite(updates, { ordered: false });
        return [];
      },
    };
  },
  async exportRows(compoundId) {
    const names = await placeNames(compoundId);
    const rooms = await Room.find({ compoundId, retiredAt: { $exists: false } })
      .sort({ buildingId: 1, unitId: 1, number: 1 })
      .lean();
    return rooms.flatMap((r) => {
      const n = names(r.buildingId, r.unitId ?? '');
      return n ? [{ ...n, number: r.number, floor: r.floor ?? undefined, floorArea: r.floorArea }] : [];
    });
  },
});

// —— 住户 ——

type ResidentRow = RowOf<typeof RESIDENTS_SHEET.columns>;
type Person = {
  _id: string;
  name: string;
  phone?: string | null;
  memberships: { compoundId: string; roles: string[] }[];
  deactivatedAt?: Date | null;
};

/** The people the phones name: an account whose user name is the phone, else a member with that phone. */
async function peopleByPhone(compoundId: string, phones: string[]): Promise<Map<string, Person>> {
  const byName = await inChunks(phones, (chunk) =>
    User.find(
      { username: { $in: chunk } },
      { username: 1, name: 1, phone: 1, memberships: 1, deactivatedAt: 1 },
    ).lean(),
  );
  const members = await inChunks(phones, (chunk) =>
    User.find(
      { 'memberships.compoundId': compoundId, phone: { $in: chunk } },
      { username: 1, name: 1, phone: 1, memberships: 1, deactivatedAt: 1 },
    ).lean(),
  );
  const map = new Map<string, Person>();
  for (const u of members) if (u.phone) map.set(u.phone, u);
  for (const u of byName) map.set(u.username, u);
  return map;
}

const memberOf = (u: Person, compoundId: string) =>
  u.memberships.some((m) => m.compoundId === compoundId || m.compoundId === '*');

registerSheet({
  def: RESIDENTS_SHEET,
  importPermission: 'account:manage',
  exportPermission: 'account:manage',
  async check(ctx, lines) {
    const errors: RowError[] = [];
    const outcome = counts();
    const fail = (row: number, key: keyof ResidentRow | undefined, reason: string) =>
      errors.push(rowError(RESIDENTS_SHEET, row, key, reason));
    const phones = [...new Set(lines.map((l) => l.value.phone))];
    const people = await peopleByPhone(ctx.compoundId, phones);
    const userIds = [...people.values()].map((u) => u._id);
    const homes = await inChunks(userIds, (chunk) =>
      Residence.find({ userId: { $in: chunk } }, { userId: 1, relation: 1, endedAt: 1 }).lean(),
    );
    const residences = new Map(homes.map((h) => [h._id, h]));
    const activeHomes = new Map<string, number>();
    for (const h of homes) if (!h.endedAt) activeHomes.set(h.userId, (activeHomes.get(h.userId) ?? 0) + 1);
    const firstName = new Map<string, { name: string; row: number }>();
    const planned: { line: Line<ResidentRow>; roomId: string; created: boolean }[] = [];
    for (const line of lines) {
      const { row, value } = line;
      const p = placeOf(ctx.compoundId, ctx.buildings, value);
      if ('reason' in p) {
        fail(row, p.key, p.reason);
        continue;
      }
      const room = ctx.rooms.get(p.roomId);
      if (!room || room.retired) {
        fail(
          row,
          'number',
          `${value.building}${value.unit ?? ''}没有在用的 ${value.number} 号房屋（可先在房屋表中添加）`,
        );
        continue;
      }
      const first = firstName.get(value.phone);
      if (first && first.name !== value.name) {
        fail(row, 'name', `与第 ${first.row} 行同一手机号的姓名“${first.name}”不同`);
        continue;
      }
      firstName.set(value.phone, { name: value.name, row });
      const u = people.get(value.phone);
      if (u?.deactivatedAt) {
        fail(row, 'phone', '该手机号的账号已停用，请先与管理员确认');
        continue;
      }
      const home = u ? residences.get(`${u._id}|${p.roomId}`) : undefined;
      if (!home || home.endedAt) {
        const n = u ? (activeHomes.get(u._id) ?? 0) + 1 : 1;
        if (u && n > MAX_ROOMS_PER_PERSON) {
          fail(row, 'phone', `一人最多绑定 ${MAX_ROOMS_PER_PERSON} 套房屋`);
          continue;
        }
        if (u) activeHomes.set(u._id, n);
      }
      const same =
        u &&
        home &&
        !home.endedAt &&
        home.relation === value.relation &&
        u.name === value.name &&
        memberOf(u, ctx.compoundId);
      if (same) outcome.unchanged++;
      else if (home) outcome.updated++;
      else if (u && u.name !== value.name) outcome.updated++;
      else outcome.created++;
      if (!same) planned.push({ line, roomId: p.roomId, created: !home });
      ctx.people.set(value.phone, { name: value.name, userId: u?._id });
    }
    return { counts: outcome, errors, apply: () => applyResidents(ctx.compoundId, planned, people) };
  },
  async exportRows(compoundId) {
    const names = await placeNames(compoundId);
    const homes = await Residence.find({ compoundId, endedAt: { $exists: false } }).lean();
    const users = new Map(
      (
        await inChunks([...new Set(homes.map((h) => h.userId))], (chunk) =>
          User.find({ _id: { $in: chunk } }, { name: 1, phone: 1 }).lean(),
        )
      ).map((u) => [u._id, u]),
    );
    const rooms = new Map(
      (
        await inChunks(
          homes.map((h) => h.roomId),
          (chunk) =>
            Room.find(
              { _id: { $in: chunk }, retiredAt: { $exists: false } },
              { buildingId: 1, unitId: 1, number: 1 },
            ).lean(),
        )
      ).map((r) => [r._id, r]),
    );
    const rows: ResidentRow[] = [];
    for (const h of homes) {
      const u = users.get(h.userId);
      const r = rooms.get(h.roomId);
      const n = r && names(r.buildingId, r.unitId ?? '');
      if (u?.phone && r && n)
        rows.push({ name: u.name, phone: u.phone, ...n, number: r.number, relation: h.relation });
    }
    const at = (r: ResidentRow) => `${r.building}|${r.unit ?? ''}|${r.number.padStart(16, '0')}|${r.phone}`;
    return rows.sort((a, b) => (at(a) < at(b) ? -1 : at(a) > at(b) ? 1 : 0));
  },
});

/**
 * The residents' writes, in an order a re-run can finish: accounts first (_id-keyed, user name unique),
 * then read back by user name, then the residences (`${userId}|${roomId}`).
 *
 * Accounts made here get no password (NO_PASSWORD matches none): hashing 5,000 scrypt passwords would
 * take minutes, and handing over 5,000 first passwords is not how an office works. A resident signs in
 * once the office resets their password (POST …/users/:userId/reset-password), as with any lost one.
 */
async function applyResidents(
  compoundId: string,
  planned: { line: Line<ResidentRow>; roomId: string; created: boolean }[],
  people: Map<string, Person>,
): Promise<string[]> {
  if (!planned.length) return [];
  const place = await placesNow(compoundId);
  const fresh = new Map<string, { name: string; buildingId: string }>();
  for (const { line } of planned)
    if (!people.has(line.value.phone) && !fresh.has(line.value.phone))
      fresh.set(line.value.phone, { name: line.value.name, buildingId: place(line.value).buildingId });
  await insertNew(
    User as unknown as Model<never>,
    [...fresh].map(([phone, f]) => ({
      _id: `u${randomBytes(8).toString('hex')}`,
      username: phone,
      name: f.name,
      phone,
      passwordHash: NO_PASSWORD,
      memberships: [{ compoundId, roles: ['resident'] }],
      buildingId: f.buildingId,
    })),
  );
  // Read back by user name: the accounts this run made, or a run before it, or a racing writer.
  const made = await inChunks([...fresh.keys()], (chunk) =>
    User.find({ username: { $in: chunk } }, { username: 1 }).lean(),
  );
  const idOf = new Map<string, string>([...people].map(([phone, u]) => [phone, u._id]));
  for (const u of made) idOf.set(u.username, u._id);

  const userOps: AnyBulkWriteOperation[] = [];
  const changed = new Set<string>();
  for (const { line } of planned) {
    const u = people.get(line.value.phone);
    if (!u || changed.has(u._id)) continue;
    const rename = u.name !== line.value.name;
    const join = !memberOf(u, compoundId);
    if (!rename && !join) continue;
    changed.add(u._id);
    // The memberships written whole, decided from the read above: not an array filter or $push guard,
    // which FerretDB v1 matches wrongly.
    const memberships = join ? [...u.memberships, { compoundId, roles: ['resident'] }] : u.memberships;
    userOps.push({
      updateOne: { filter: { _id: u._id }, update: { $set: { name: line.value.name, memberships } } },
    });
  }
  if (userOps.length) await User.bulkWrite(userOps, { ordered: false });

  const inserts: object[] = [];
  const updates: AnyBulkWriteOperation[] = [];
  for (const { line, roomId: rid, created } of planned) {
    const userId = idOf.get(line.value.phone);
    if (!userId) throw new DomainError('conflict', `手机号 ${line.value.phone} 的账号未能建立，请重新导入`);
    const relation: ResidentRelation = line.value.relation;
    if (created)
      inserts.push({
        _id: `${userId}|${rid}`,
        compoundId,
        userId,
        roomId: rid,
        buildingId: place(line.value).buildingId,
        relation,
      });
    else
      updates.push({
        updateOne: {
          filter: { _id: `${userId}|${rid}` },
          update: { $set: { relation }, $unset: { endedAt: 1 } },
        },
      });
  }
  await insertNew(Residence as unknown as Model<never>, inserts);
  if (updates.length) await Residence.bulkWrite(updates, { ordered: false });
  return [...changed];
}

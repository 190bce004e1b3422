/**
 * The spreadsheets an office works in (楼栋单元、房屋、住户; later 党员): for each sheet its Chinese
 * columns, which are required, how a cell is read and checked, the natural key a re-import updates by,
 * an example row, and how many rows it may hold. Pure: the workbook is read into a grid of cell texts
 * elsewhere (services/sheets.ts), and the rows are checked against stored data there.
 */
import { MOBILE_PATTERN, RELATION_LABELS, type ResidentRelation } from './people';

/** Rows one sheet may hold; a compound has at most 20,000 rooms (services/places.ts MAX_ROOMS). */
export const MAX_SHEET_ROWS = 20_000;
/** The largest workbook an import takes (the request body). */
export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;
/** Errors listed in one refusal; the count says how many there were in all. */
export const MAX_LISTED_ERRORS = 500;

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };
const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = (reason: string): Parsed<never> => ({ ok: false, reason });

/** One column: its header as the office reads it, and how a (non-blank, trimmed) cell becomes a value. */
export interface Column<T = unknown, R extends boolean = boolean> {
  header: string;
  required: R;
  /** Excel column width, in characters. */
  width: number;
  /** The template's example cell. */
  example: string;
  /** One line for the template's 说明 sheet. */
  hint: string;
  parse(text: string): Parsed<T>;
  /** Kept as text in Excel (door numbers, phones: 0301 must not become 301). */
  asText?: boolean;
  /** How an export writes the value (default: the value itself). */
  format?(value: T): string | number;
}
export type Columns = Record<string, Column>;
/** A parsed row: required columns always hold a value, optional ones may be absent. */
export type RowOf<C extends Columns> = {
  [K in keyof C]: C[K] extends Column<infer T, infer R> ? (R extends true ? T : T | undefined) : never;
};

export interface SheetDef<C extends Columns = Columns> {
  /** The URL segment and field prefix: `rooms` → `…/sheets/rooms`, `body.rooms.5.floorArea`. */
  name: string;
  /** The worksheet's name and the sheet's title: 房屋. */
  title: string;
  columns: C;
  maxRows: number;
  /** The natural key: the same key in a later import updates the row instead of adding one. */
  key(row: RowOf<C>): string;
  /** The key in words, for the duplicate refusal: 楼栋+单元+门牌号. */
  keyLabel: string;
}

/** One refused cell or row: the Excel row number (the header is row 1), the column's header, why. */
export interface RowError {
  sheet: string;
  row: number;
  column?: string;
  reason: string;
  /** `body.<sheet>.<row>.<column key>`: where the API's other refusals name their field. */
  field: string;
}

export interface Line<Row> {
  /** The Excel row number. */
  row: number;
  value: Row;
}

// —— Column kinds, for this file's sheets and for any sheet another module adds ——

export function textColumn<R extends boolean>(
  header: string,
  required: R,
  opts: { max: number; width?: number; example: string; hint?: string; pattern?: [RegExp, string] },
): Column<string, R> {
  return {
    header,
    required,
    width: opts.width ?? 14,
    example: opts.example,
    hint: opts.hint ?? `最多 ${opts.max} 个字`,
    asText: true,
    parse: (t) => {
      if ([...t].length > opts.max) return bad(`最多 ${opts.max} 个字`);
      if (opts.pattern && !opts.pattern[0].test(t)) return bad(opts.pattern[1]);
      return ok(t);
    },
  };
}

/** A whole number between min and max. */
export function integerColumn<R extends boolean>(
  header: string,
  required: R,
  opts: { min: number; max: number; example: string; hint?: string },
): Column<number, R> {
  return {
    header,
    required,
    width: 8,
    example: opts.example,
    hint: opts.hint ?? `${opts.min} 到 ${opts.max} 的整数`,
    parse: (t) => {
      const n = Number(t);
      if (!/^-?\d+$/.test(t) || !Number.isSafeInteger(n)) return bad(`应为整数，如 ${opts.example}`);
      if (n < opts.min || n > opts.max) return bad(`应在 ${opts.min} 到 ${opts.max} 之间`);
      return ok(n);
    },
  };
}

/** 建筑面积: square metres, more than 0, at most two decimals. */
export function areaColumn<R extends boolean>(header: string, required: R): Column<number, R> {
  return {
    header,
    required,
    width: 16,
    example: '89.5',
    hint: '平方米，大于 0，最多两位小数，不超过 10000',
    parse: (t) => {
      if (!/^\d+(\.\d+)?$/.test(t)) return bad('应为数字（平方米），如 89.5');
      // Excel may store 89.1 as 89.09999999999999: round to the cent before checking the decimals.
      const n = Number(t);
      const cents = Math.round(n * 100);
      if (Math.abs(n * 100 - cents) > 1e-6) return bad('最多两位小数');
      if (cents <= 0) return bad('应大于 0');
      if (n > 10_000) return bad('不超过 10000 平方米');
      return ok(cents / 100);
    },
  };
}

export function phoneColumn<R extends boolean>(header: string, required: R): Column<string, R> {
  return {
    header,
    required,
    width: 16,
    example: '13812345678',
    hint: '11 位手机号码',
    asText: true,
    parse: (t) => (MOBILE_PATTERN.test(t) ? ok(t) : bad('应为 11 位手机号码，如 13812345678')),
  };
}

/** A label from a fixed list (业主/租户/家庭成员), stored as its code. */
export function choiceColumn<T extends string, R extends boolean>(
  header: string,
  required: R,
  labels: Record<T, string>,
  example: T,
): Column<T, R> {
  const entries = Object.entries(labels) as [T, string][];
  const list = entries.map(([, l]) => l).join('、');
  return {
    header,
    required,
    width: 12,
    example: labels[example],
    hint: `填 ${list} 之一`,
    parse: (t) => {
      const hit = entries.find(([, l]) => l === t);
      return hit ? ok(hit[0]) : bad(`应为 ${list} 之一`);
    },
    format: (v) => labels[v],
  };
}

/** Several names in one cell, separated by 、 , ， ; or ；. */
export function listColumn<R extends boolean>(
  header: string,
  required: R,
  opts: { maxItems: number; maxChars: number; example: string; hint: string },
): Column<string[], R> {
  return {
    header,
    required,
    width: 28,
    example: opts.example,
    hint: opts.hint,
    parse: (t) => {
      const items = t
        .split(/[、,，;；]/)
        .map((s) => s.trim())
        .filter(Boolean);
      if (items.length > opts.maxItems) return bad(`最多 ${opts.maxItems} 个`);
      const long = items.find((s) => [...s].length > opts.maxChars);
      if (long) return bad(`“${long}”超过 ${opts.maxChars} 个字`);
      const seen = new Set<string>();
      const twice = items.find((s) => seen.size === seen.add(s).size);
      if (twice) return bad(`“${twice}”填了两次`);
      return ok(items);
    },
    format: (v) => v.join('、'),
  };
}

// —— The sheets ——

const ROOM_NUMBER: [RegExp, string] = [/^[0-9A-Za-z-]+$/, '只能由数字、字母和 - 组成，如 1201 或 3-502'];
/** Units a building may have (services/places.ts MAX_UNITS). */
const MAX_UNITS = 50;

export const BUILDINGS_SHEET = defineSheet({
  name: 'buildings',
  title: '楼栋单元',
  columns: {
    building: textColumn('楼栋', true, { max: 50, example: '1号楼', hint: '楼栋名称，如 1号楼' }),
    units: listColumn('单元', false, {
      maxItems: MAX_UNITS,
      maxChars: 50,
      example: '1单元、2单元',
      hint: '该楼栋的单元，用顿号分隔；不分单元的楼栋留空。已有的单元不会因为没写而删除',
    }),
  },
  maxRows: 500,
  key: (r) => r.building,
  keyLabel: '楼栋',
});

const placeColumns = {
  building: textColumn('楼栋', true, {
    max: 50,
    example: '1号楼',
    hint: '须是已有的楼栋或楼栋单元表中的楼栋',
  }),
  unit: textColumn('单元', false, { max: 50, example: '1单元', hint: '该楼栋分单元时必填，不分单元时留空' }),
  number: textColumn('门牌号', true, {
    max: 16,
    example: '1201',
    hint: '如 1201 或 3-502',
    pattern: ROOM_NUMBER,
  }),
};

export const ROOMS_SHEET = defineSheet({
  name: 'rooms',
  title: '房屋',
  columns: {
    ...placeColumns,
    floor: integerColumn('楼层', false, { min: -10, max: 200, example: '12' }),
    floorArea: areaColumn('建筑面积（平方米）', true),
  },
  maxRows: MAX_SHEET_ROWS,
  key: roomKey,
  keyLabel: '楼栋+单元+门牌号',
});

export const RESIDENTS_SHEET = defineSheet({
  name: 'residents',
  title: '住户',
  columns: {
    name: textColumn('姓名', true, { max: 50, example: '张三' }),
    phone: phoneColumn('手机号', true),
    ...placeColumns,
    relation: choiceColumn<ResidentRelation, true>('关系', true, RELATION_LABELS, 'owner'),
  },
  maxRows: MAX_SHEET_ROWS,
  key: (r) => `${r.phone}|${roomKey(r)}`,
  keyLabel: '手机号+房屋',
});

/** A room named as the office names it: building, unit and door number. */
export function roomKey(r: { building: string; unit?: string; number: string }): string {
  return `${r.building}|${r.unit ?? ''}|${r.number}`;
}

/** Declares a sheet (keeps its column types for `key`). */
export function defineSheet<C extends Columns>(def: SheetDef<C>): SheetDef<C> {
  return def;
}

// —— Reading a sheet ——

/** `楼栋*` and `楼栋（必填）` read as `楼栋`: offices mark required columns their own way. */
function headerText(t: string): string {
  return t
    .trim()
    .replace(/\s+/g, '')
    .replace(/(\*|＊|（必填）|\(必填\))$/, '');
}

/**
 * Reads a sheet's grid of cell texts (row 0 is the header row; `rowNumbers[i]` is grid row i's Excel
 * row number) into typed rows, collecting every error: a missing required column, a bad or missing
 * cell, too many rows, a natural key given twice. Blank rows are skipped; unknown columns ignored.
 */
export function readSheet<C extends Columns>(
  def: SheetDef<C>,
  grid: readonly (readonly string[])[],
  rowNumbers: readonly number[] = grid.map((_, i) => i + 1),
): { lines: Line<RowOf<C>>[]; errors: RowError[] } {
  const errors: RowError[] = [];
  const fail = (row: number, reason: string, key?: string) =>
    errors.push({
      sheet: def.title,
      row,
      ...(key ? { column: def.columns[key]!.header } : {}),
      reason,
      field: `body.${def.name}.${row}${key ? `.${key}` : ''}`,
    });
  const headers = (grid[0] ?? []).map(headerText);
  const headerRow = rowNumbers[0] ?? 1;
  const at: Record<string, number> = {};
  for (const [key, col] of Object.entries(def.columns)) {
    const i = headers.indexOf(col.header);
    if (i >= 0) at[key] = i;
    else if (col.required) fail(headerRow, `缺少必填列“${col.header}”`, key);
  }
  const lines: Line<RowOf<C>>[] = [];
  if (errors.length) return { lines, errors };
  const firstRow = new Map<string, number>();
  let count = 0;
  for (let g = 1; g < grid.length; g++) {
    const cells = grid[g]!;
    if (cells.every((c) => !c.trim())) continue;
    const row = rowNumbers[g] ?? g + 1;
    if (++count > def.maxRows) {
      fail(row, `一张${def.title}表最多 ${def.maxRows} 行`);
      break;
    }
    const value: Record<string, unknown> = {};
    let rowOk = true;
    for (const [key, col] of Object.entries(def.columns)) {
      const i = at[key];
      const text = i === undefined ? '' : (cells[i] ?? '').trim();
      if (!text) {
        if (col.required) {
          fail(row, `请填写${col.header}`, key);
          rowOk = false;
        }
        continue;
      }
      const parsed = col.parse(text);
      if (parsed.ok) value[key] = parsed.value;
      else {
        fail(row, parsed.reason, key);
        rowOk = false;
      }
    }
    if (!rowOk) continue;
    // Every required column holds a parsed value of its column's type: this is the row type.
    const typed = value as RowOf<C>;
    const k = def.key(typed);
    const first = firstRow.get(k);
    if (first !== undefined) {
      fail(row, `与第 ${first} 行重复（${def.keyLabel}相同）`);
      continue;
    }
    firstRow.set(k, row);
    lines.push({ row, value: typed });
  }
  return { lines, errors };
}

/** A row as an export writes it, in the columns' order (blank where absent). */
export function formatRow<C extends Columns>(def: SheetDef<C>, row: RowOf<C>): (string | number)[] {
  return Object.entries(def.columns).map(([key, col]) => {
    const v = (row as Record<string, unknown>)[key];
    if (v === undefined || v === null) return '';
    const format = col.format as ((x: unknown) => string | number) | undefined;
    return format ? format(v) : typeof v === 'number' ? v : String(v);
  });
}

/** The template's example row. */
export function exampleRow(def: SheetDef): string[] {
  return Object.values(def.columns).map((c) => c.example);
}

/** The refusal's one-line summary: how many errors, and the first few in words. */
export function describeErrors(errors: readonly RowError[]): string {
  const first = errors
    .slice(0, 3)
    .map((e) => `${e.sheet}第 ${e.row} 行${e.column ? `“${e.column}”` : ''}：${e.reason}`)
    .join('；');
  return `有 ${errors.length} 处错误，未导入任何数据。${first}${errors.length > 3 ? '……' : ''}`;
}

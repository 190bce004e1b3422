import {
  BUILDINGS_SHEET,
  RESIDENTS_SHEET,
  ROOMS_SHEET,
  areaColumn,
  describeErrors,
  exampleRow,
  formatRow,
  readSheet,
  type SheetDef,
} from '../../domain/sheets';

const roomsHeader = ['楼栋*', '单元', '门牌号*', '楼层', '建筑面积（平方米）*'];

describe('reading a sheet', () => {
  it('when every row is right, it gives typed rows with their Excel row numbers', () => {
    const { lines, errors } = readSheet(ROOMS_SHEET, [
      roomsHeader,
      ['1号楼', '1单元', '1201', '12', '89.5'],
      ['', '', '', '', ''],
      ['2号楼', '', '0301', '', '100'],
    ]);
    expect(errors).toEqual([]);
    expect(lines).toEqual([
      { row: 2, value: { building: '1号楼', unit: '1单元', number: '1201', floor: 12, floorArea: 89.5 } },
      { row: 4, value: { building: '2号楼', number: '0301', floorArea: 100 } },
    ]);
  });

  it('when cells are bad, it lists every one with its row, column header and reason', () => {
    const { lines, errors } = readSheet(ROOMS_SHEET, [
      roomsHeader,
      ['1号楼', '', '12 01', 'x', 'abc'],
      ['1号楼', '', '1202', '', ''],
      ['1号楼', '', '1203', '', '89.123'],
      ['1号楼', '', '1204', '', '0'],
    ]);
    expect(lines).toEqual([]);
    expect(errors.map((e) => [e.row, e.column, e.reason])).toEqual([
      [2, '门牌号', '只能由数字、字母和 - 组成，如 1201 或 3-502'],
      [2, '楼层', '应为整数，如 12'],
      [2, '建筑面积（平方米）', '应为数字（平方米），如 89.5'],
      [3, '建筑面积（平方米）', '请填写建筑面积（平方米）'],
      [4, '建筑面积（平方米）', '最多两位小数'],
      [5, '建筑面积（平方米）', '应大于 0'],
    ]);
    expect(errors[0]!.field).toBe('body.rooms.2.number');
  });

  it('when a natural key comes twice in the file, the later row is refused naming the first', () => {
    const { lines, errors } = readSheet(ROOMS_SHEET, [
      roomsHeader,
      ['1号楼', '1单元', '1201', '', '80'],
      ['1号楼', '1单元', '1201', '', '90'],
    ]);
    expect(lines).toHaveLength(1);
    expect(errors).toEqual([
      expect.objectContaining({ row: 3, reason: '与第 2 行重复（楼栋+单元+门牌号相同）' }),
    ]);
  });

  it('when a required column is missing, the header row is refused and no row is read', () => {
    const { lines, errors } = readSheet(ROOMS_SHEET, [
      ['楼栋', '门牌号'],
      ['1号楼', '1201'],
    ]);
    expect(lines).toEqual([]);
    expect(errors).toEqual([
      expect.objectContaining({
        row: 1,
        column: '建筑面积（平方米）',
        reason: '缺少必填列“建筑面积（平方米）”',
      }),
    ]);
  });

  it('when headers are in another order, marked （必填）, or extra columns are added, it still reads them', () => {
    const { lines, errors } = readSheet(BUILDINGS_SHEET, [
      ['备注', '单元', '楼栋（必填）'],
      ['东边', '1单元、2单元，3单元', '1号楼'],
    ]);
    expect(errors).toEqual([]);
    expect(lines[0]!.value).toEqual({ building: '1号楼', units: ['1单元', '2单元', '3单元'] });
  });

  it('when a sheet holds more rows than its bound, the first row past it is refused', () => {
    const grid = [['楼栋', '单元'], ...Array.from({ length: 501 }, (_, i) => [`${i}号楼`, ''])];
    const { errors } = readSheet(BUILDINGS_SHEET, grid);
    expect(errors).toEqual([expect.objectContaining({ row: 502, reason: '一张楼栋单元表最多 500 行' })]);
  });

  it('when a resident row has a bad phone or an unknown relation, both are named; labels become codes', () => {
    const header = ['姓名', '手机号', '楼栋', '单元', '门牌号', '关系'];
    const { lines, errors } = readSheet(RESIDENTS_SHEET, [
      header,
      ['张三', '1381234567', '1号楼', '', '101', '房东'],
      ['李四', '13812345678', '1号楼', '', '101', '租户'],
    ]);
    expect(errors.map((e) => [e.row, e.column, e.reason])).toEqual([
      [2, '手机号', '应为 11 位手机号码，如 13812345678'],
      [2, '关系', '应为 业主、租户、家庭成员 之一'],
    ]);
    expect(lines[0]!.value.relation).toBe('tenant');
  });
});

describe('columns', () => {
  it('floor area takes two decimals, rounds away Excel float noise, and refuses a third decimal', () => {
    const area = areaColumn('面积', true);
    expect(area.parse('89.1')).toEqual({ ok: true, value: 89.1 });
    expect(area.parse('89.09999999999999')).toEqual({ ok: true, value: 89.1 });
    expect(area.parse('89.105')).toEqual({ ok: false, reason: '最多两位小数' });
    expect(area.parse('10001').ok).toBe(false);
  });

  it('an exported row writes labels and lists as the office reads them, and reads back the same', () => {
    const row = {
      name: '张三',
      phone: '13812345678',
      building: '1号楼',
      unit: undefined,
      number: '101',
      relation: 'family' as const,
    };
    const cells = formatRow(RESIDENTS_SHEET, row);
    expect(cells).toEqual(['张三', '13812345678', '1号楼', '', '101', '家庭成员']);
    const header = Object.values(RESIDENTS_SHEET.columns).map((c) => c.header);
    const back = readSheet(RESIDENTS_SHEET, [header, cells.map(String)]);
    expect(back.lines[0]!.value).toEqual({
      name: '张三',
      phone: '13812345678',
      building: '1号楼',
      number: '101',
      relation: 'family',
    });
  });

  it('every sheet’s example row reads without an error', () => {
    for (const def of [BUILDINGS_SHEET, ROOMS_SHEET, RESIDENTS_SHEET] as SheetDef[]) {
      const header = Object.values(def.columns).map((c) => c.header);
      expect(readSheet(def, [header, exampleRow(def)]).errors).toEqual([]);
    }
  });
});

it('the refusal’s summary counts the errors and names the first few', () => {
  const errors = [1, 2, 3, 4].map((row) => ({
    sheet: '房屋',
    row,
    column: '楼栋',
    reason: '没有',
    field: 'x',
  }));
  expect(describeErrors(errors)).toBe(
    '有 4 处错误，未导入任何数据。房屋第 1 行“楼栋”：没有；房屋第 2 行“楼栋”：没有；房屋第 3 行“楼栋”：没有……',
  );
});

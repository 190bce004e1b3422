/**
 * 表格导入导出: the office's Excel sheets (楼栋单元、房屋、住户, and any sheet registered later): an empty
 * template, the compound's data in the same layout, and an import that applies every row or none.
 */
import { z } from 'zod';
import { MAX_UPLOAD_BYTES } from '../../domain/sheets';
import { DomainError } from '../../domain/errors';
import { rolesGrant, type Permission, type Role } from '../../domain/roles';
import { loadCompound } from '../../services/compounds';
import {
  exportOf,
  importWorkbook,
  registeredSheets,
  templateOf,
  type RegisteredSheet,
} from '../../services/sheets';
import { forgetUser } from '../auth';
import { rateLimit } from '../rate-limit';
import { WRITTEN, route, type Input, type RouteDef } from '../route-table';
import { bool, compoundParams } from '../schemas';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const upload = {
  types: [XLSX, 'application/octet-stream'],
  maxBytes: MAX_UPLOAD_BYTES,
  description: 'Excel 工作簿（.xlsx）',
};
const file = { file: [XLSX], description: 'Excel 工作簿（.xlsx）' };

const result = z.strictObject({
  dryRun: z.boolean(),
  sheets: z.array(
    z.strictObject({
      sheet: z.string(),
      title: z.string(),
      rows: z.number(),
      created: z.number(),
      updated: z.number(),
      unchanged: z.number(),
    }),
  ),
});
const importQuery = z.strictObject({
  dryRun: bool.optional().meta({ description: 'true：只检查，不写入' }),
});
const IMPORT_RULES =
  '请求体是 .xlsx 文件本身（最大 5 MB）。先检查全部行：有任何错误则一行也不写入，答 422，details.errors 逐条列出' +
  '（表、行号、列、原因），details.field 指向第一处（body.<表>.<行>.<列>）。全部正确才写入；按自然键更新，' +
  '再次导入同一文件不会重复。结果给出每张表新建、更新、未变的行数。';

type Ctx = Input<typeof compoundParams, typeof importQuery, z.ZodType>;

function sendXlsx(res: Ctx['res'], name: string, data: Buffer): typeof WRITTEN {
  res.setHeader('Content-Type', XLSX);
  res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(name)}`);
  res.end(data);
  return WRITTEN;
}

/** Every sheet's permission, for the whole-workbook routes: refused by the first one the caller lacks. */
function requireAll(roles: Role[], which: (s: RegisteredSheet) => Permission) {
  for (const s of registeredSheets())
    if (!rolesGrant(roles, which(s)))
      throw new DomainError('forbidden', `无权处理${s.title}表`, { permission: which(s) });
}

async function runImport(ctx: Ctx, only?: string) {
  const { result: done, changedUsers } = await importWorkbook(ctx.params.compoundId, ctx.upload(), {
    only,
    dryRun: ctx.query.dryRun ?? false,
    may: (p) => rolesGrant(ctx.roles, p),
  });
  // Their new membership or name counts from the next request in this process.
  changedUsers.forEach(forgetUser);
  return done;
}

export function sheetRoutes(): RouteDef[] {
  const base = '/compounds/:compoundId/sheets';
  const imports = rateLimit('导入表格', { burst: 5, perMinute: 10 });
  const exports = rateLimit('导出表格', { burst: 10, perMinute: 30 });
  const all = registeredSheets();
  const titles = all.map((s) => s.title).join('、');
  return [
    route({
      method: 'get',
      path: `${base}/template.xlsx`,
      tag: '表格',
      summary: `下载全部表格的模板（${titles}，各含表头和一行示例，附说明）`,
      access: 'place:manage',
      params: compoundParams,
      response: file,
      handler: async ({ params, roles, res }) => {
        await loadCompound(params.compoundId);
        requireAll(roles, (s) => s.importPermission);
        return sendXlsx(res, '导入模板.xlsx', await templateOf());
      },
    }),
    route({
      method: 'get',
      path: `${base}.xlsx`,
      tag: '表格',
      summary: `导出小区的全部表格（${titles}），格式同模板；含住户手机号`,
      access: 'account:manage',
      params: compoundParams,
      rateLimit: exports,
      response: file,
      handler: async ({ params, roles, res }) => {
        const compound = await loadCompound(params.compoundId);
        requireAll(roles, (s) => s.exportPermission);
        return sendXlsx(res, `${compound.name}-全部表格.xlsx`, await exportOf(compound._id));
      },
    }),
    route({
      method: 'post',
      path: base,
      tag: '表格',
      summary: `导入一个工作簿中的全部表格（${titles}，按此顺序；后面的表可引用前面新建的楼栋、房屋）`,
      description: IMPORT_RULES,
      access: 'place:manage',
      params: compoundParams,
      query: importQuery,
      upload,
      rateLimit: imports,
      refusals: [409, 413, 415],
      response: result,
      handler: (ctx) => runImport(ctx),
    }),
    ...all.flatMap((s) => [
      route({
        method: 'get',
        path: `${base}/${s.name}/template.xlsx`,
        tag: '表格',
        summary: `下载${s.title}表的模板（表头、一行示例、说明）`,
        access: s.importPermission,
        params: compoundParams,
        response: file,
        handler: async ({ params, res }) => {
          await loadCompound(params.compoundId);
          return sendXlsx(res, `${s.title}模板.xlsx`, await templateOf(s.name));
        },
      }),
      route({
        method: 'get',
        path: `${base}/${s.name}.xlsx`,
        tag: '表格',
        summary: `导出小区的${s.title}表（格式同模板，可改后再导入）`,
        access: s.exportPermission,
        params: compoundParams,
        rateLimit: exports,
        response: file,
        handler: async ({ params, res }) => {
          const compound = await loadCompound(params.compoundId);
          return sendXlsx(res, `${compound.name}-${s.title}.xlsx`, await exportOf(compound._id, s.name));
        },
      }),
      route({
        method: 'post',
        path: `${base}/${s.name}`,
        tag: '表格',
        summary: `导入${s.title}表（全部正确才写入；再次导入按自然键更新，不重复）`,
        description: IMPORT_RULES,
        access: s.importPermission,
        params: compoundParams,
        query: importQuery,
        upload,
        rateLimit: imports,
        refusals: [409, 413, 415],
        response: result,
        handler: (ctx) => runImport(ctx, s.name),
      }),
    ]),
  ];
}

/** The zod pieces every matter's routes share: ids, pages, times, texts, and the error body. */
import { z } from 'zod';
import { LIMITS } from '../domain/limits';
import { ID_NUMBER_PATTERN, idNumberProblem } from '../domain/people';
import { CLASSIFICATION_CODE, WORK_ORDER_NO } from '../domain/voices';

/** A compound, community or building id as the seed and the console make them. */
export const slugId = (what: string) =>
  z
    .string()
    .min(1, `请填写${what}`)
    .max(64, `${what}最多 64 个字符`)
    .regex(/^[A-Za-z0-9_-]+$/, `${what}只能由字母、数字、- 和 _ 组成`);
export const compoundId = slugId('小区编号');
export const compoundParams = z.strictObject({ compoundId });
/** A Mongo document id made by the API (voices). */
export const objectId = (what: string) => z.string().regex(/^[0-9a-f]{24}$/, `不是有效的${what}`);

export const isoDate = z.iso.datetime({
  offset: true,
  message: '应为 ISO 8601 时间，如 2026-12-28T15:00:00+08:00',
});
/**
 * A string that must hold `min` (1 or 2) characters once trimmed. The pattern says it in the document
 * too, on the raw value, so "\t" is refused as the document says (400) rather than passing its
 * minLength and failing after the trim.
 */
export const filled = (min: 1 | 2, message: string) =>
  z
    .string()
    .regex(min === 1 ? /\S/ : /\S[\s\S]*\S/, message)
    .trim()
    .min(min, message);
export const text = (label: string, max: number = LIMITS.textChars) =>
  filled(1, `请填写${label}`).max(max, `${label}最多 ${max} 字`);
export const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, '应为 yyyy-mm');
export const bool = z.enum(['true', 'false']).transform((v) => v === 'true');
export const page = (maxSize = 100, defaultSize = 20) => ({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(maxSize).default(defaultSize),
});

/**
 * A citizen ID number (公民身份号码): 18 characters (400 otherwise); a real birth date and the GB 11643
 * check character (422 otherwise). A lower-case x is taken as X.
 */
export const idNumber = z
  .string()
  .toUpperCase()
  .regex(ID_NUMBER_PATTERN, '身份证号应为 18 位：17 位数字加 1 位数字或 X')
  .superRefine((id, ctx) => {
    const problem = idNumberProblem(id, new Date().toISOString().slice(0, 10));
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** A phone's retry key: the same rule whether it comes as the header or in the body. */
export const idempotencyKey = z
  .string()
  .min(8, '幂等键至少 8 个字符')
  .max(100, '幂等键最多 100 个字符')
  .regex(/^[\x21-\x7e]+$/, '幂等键只能由可见的 ASCII 字符组成');

/** A 12345 work order's number and classification code, in the app's intake and the open intake alike. */
export const workOrderNo = z
  .string()
  .trim()
  .regex(WORK_ORDER_NO, '12345 工单号应为 6–32 位字母、数字或 -（首尾不为 -）');
export const classificationCode = z
  .string()
  .trim()
  .regex(CLASSIFICATION_CODE, '12345 分类编码应为 1–20 位字母、数字、. 或 -');
// What answers carry: times as ISO strings (how Dates serialise), optional fields possibly null.
export const at = z.iso.datetime();
export const opt = <T extends z.ZodType>(t: T) => t.nullish();
export const labelled = z.looseObject({ code: z.string(), label: z.string() });

export const errorBody = z
  .strictObject({
    error: z.strictObject({
      code: z.enum([
        'invalid',
        'unauthenticated',
        'forbidden',
        'not_found',
        'conflict',
        'rate_limited',
        'unavailable',
        'method_not_allowed',
        'internal',
        'unprocessable',
      ]),
      message: z.string().meta({ description: '给人看的说明（中文）' }),
      details: z.unknown().optional(),
    }),
  })
  .meta({
    id: 'Error',
    description: '错误：code 给程序判断，message 给人看，details 指出哪个字段有什么问题',
  });

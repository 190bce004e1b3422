import type { NextFunction, Request, Response } from 'express';
import type { z } from 'zod';
import { DomainError } from '../domain/errors';

interface Schemas {
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
}

declare module 'express-serve-static-core' {
  interface Request {
    /** Parsed, typed input; handlers read this, never raw req.body/query. */
    valid?: { body?: unknown; query?: unknown; params?: unknown };
  }
}

/** Parses body/query/params with zod; a failure is a 400 naming each field and what is wrong. */
export function validate(schemas: Schemas) {
  return (req: Request, _res: Response, next: NextFunction) => {
    const valid: NonNullable<Request['valid']> = {};
    const problems: { field: string; message: string }[] = [];
    for (const part of ['params', 'query', 'body'] as const) {
      const schema = schemas[part];
      if (!schema) continue;
      const result = schema.safeParse(part === 'body' ? (req.body ?? {}) : req[part]);
      if (result.success) valid[part] = result.data;
      else
        for (const issue of result.error.issues) {
          problems.push({ field: [part, ...issue.path.map(String)].join('.'), message: issue.message });
        }
    }
    if (problems.length) {
      const first = problems[0]!;
      throw new DomainError('invalid', `请求参数有误：${first.field} ${first.message}`, { fields: problems });
    }
    req.valid = valid;
    next();
  };
}

export function input<T>(req: Request, part: 'body' | 'query' | 'params'): T {
  return req.valid?.[part] as T;
}

/** A route parameter as one string (Express types allow arrays for wildcard routes). */
export function param(req: Request, name: string): string {
  const v = req.params[name];
  return Array.isArray(v) ? v.join('/') : (v ?? '');
}

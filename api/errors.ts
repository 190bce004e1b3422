import type { NextFunction, Request, Response } from 'express';
import { ServiceError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { DomainError, type DomainErrorCode } from '../domain/errors';

const STATUS: Record<DomainErrorCode, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  rate_limited: 429,
  unavailable: 503,
};

/** Turns a workflow's refusal (an ApplicationFailure typed invalid/forbidden/conflict) into a DomainError. */
export function toDomainError(err: unknown): DomainError | undefined {
  if (err instanceof DomainError) return err;
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    const type = err.cause.type;
    // The API checked the request's shape before the workflow saw it: a workflow's 'invalid' is a rule
    // about the matter's state (a deadline not later than the current one), hence 422, not 400.
    if (type === 'invalid') return new DomainError('unprocessable', err.cause.message);
    if (type === 'forbidden' || type === 'conflict') return new DomainError(type, err.cause.message);
  }
  if (err instanceof WorkflowNotFoundError)
    return new DomainError('conflict', '该事项的处理流程已结束或尚未启动');
  // Temporal down or unreachable (gRPC UNAVAILABLE, DEADLINE_EXCEEDED, or no connection at all): say so, and
  // when to try again, rather than a bare 500. Nothing was changed: the update never reached a workflow.
  if (isUnreachable(err))
    return new DomainError('unavailable', '流程服务暂时不可用，请稍后再试', { retryAfterSeconds: 5 });
  return undefined;
}

function isUnreachable(err: unknown): boolean {
  const grpc = (e: unknown) => {
    const code = (e as { code?: unknown } | undefined)?.code;
    return code === 14 || code === 4;
  };
  if (err instanceof ServiceError)
    return grpc(err.cause) || /unavailable|deadline|connect/i.test(err.message);
  if (grpc(err) && err instanceof Error && 'metadata' in err) return true;
  return err instanceof Error && /Failed to connect|TransportError|ECONNREFUSED/.test(err.message);
}

export function notFound(_req: Request, _res: Response, next: NextFunction) {
  next(new DomainError('not_found', '没有这个接口'));
}

export interface ErrorReply {
  status: number;
  code: string;
  message: string;
  details?: unknown;
}

/**
 * What any error means for the client: its status, code and message; undefined for a fault of ours
 * (a 500, logged). The API's error middleware and the open intake's (Open311's shape) both read it.
 */
export function describeError(err: unknown): ErrorReply | undefined {
  const domain = toDomainError(err);
  if (domain)
    return {
      status: STATUS[domain.code],
      code: domain.code,
      message: domain.message,
      details: domain.details,
    };
  const e = err as { type?: string; status?: number };
  // A path whose percent-encoding is broken (Express decodes the parameters before any handler).
  if (err instanceof URIError) return { status: 400, code: 'invalid', message: '请求地址的编码无效' };
  if (e?.type === 'charset.unsupported' || e?.type === 'encoding.unsupported')
    return { status: 415, code: 'invalid', message: '不支持的请求体编码，请用 UTF-8 JSON' };
  // An upload route given another type of body (route-table.ts fileReader): its message says what to send.
  if (e?.type === 'media.unsupported' && err instanceof Error)
    return { status: 415, code: 'invalid', message: err.message };
  if (e?.type === 'entity.parse.failed')
    return { status: 400, code: 'invalid', message: '请求体不是有效的 JSON' };
  if (e?.type === 'entity.too.large') return { status: 413, code: 'invalid', message: '请求体过大' };
  // Any other client error the body parser names (aborted, bad length…) stays a 4xx, never a 500.
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500)
    return { status: e.status, code: 'invalid', message: '请求无效' };
  return undefined;
}

/** Every refusal that says when to come back says it in the header too (rate limits, busy exports). */
export function retryAfter(res: Response, reply: ErrorReply): void {
  const retry = (reply.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  if (typeof retry === 'number' && !res.getHeader('Retry-After')) res.setHeader('Retry-After', String(retry));
}

/** The one place errors become HTTP responses: { error: { code, message, details } }. */
export function errorHandler(log: (err: unknown) => void = (e) => console.error(e)) {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const reply = describeError(err);
    if (reply) {
      retryAfter(res, reply);
      const { status, ...error } = reply;
      res.status(status).json({ error });
      return;
    }
    log(err);
    res.status(500).json({ error: { code: 'internal', message: '服务器内部错误，请稍后再试' } });
  };
}

import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { QueryFailedError } from 'typeorm';
import { AppError, CamundaRestError } from './errors';

export interface ErrorBody {
  code: string;
  message: string;
  details?: unknown;
}

const STATUS_CODES: Record<number, { code: string; message: string }> = {
  400: { code: 'BAD_REQUEST', message: '请求格式不正确' },
  401: { code: 'UNAUTHENTICATED', message: '请先登录' },
  403: { code: 'FORBIDDEN', message: '您的角色无权执行此操作' },
  404: { code: 'NOT_FOUND', message: '请求的资源不存在' },
  405: { code: 'METHOD_NOT_ALLOWED', message: '不支持此请求方法' },
  409: { code: 'CONFLICT', message: '数据已被他人修改，请刷新后重试' },
  413: { code: 'PAYLOAD_TOO_LARGE', message: '提交的内容过大' },
  429: { code: 'TOO_MANY_REQUESTS', message: '请求过于频繁，请稍后再试' },
};

/**
 * Errors that mean "the database is not reachable right now", not "bug": PostgreSQL's connection
 * exceptions (class 08), shutdown and start-up (57P01 admin shutdown, 57P02 crash shutdown, 57P03
 * cannot connect now — "the database system is shutting down / starting up"), too many
 * connections (53300), and the socket errors of a server that went away.
 */
const UNAVAILABLE_PG_CODES = new Set(['57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08004', '08006']);
const UNAVAILABLE_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH']);
const UNAVAILABLE_MESSAGES =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is not open/i;

/** PostgreSQL refusing text it cannot store (a NUL byte, an invalid sequence): the input's fault, not a bug. */
const INVALID_TEXT_PG_CODES = new Set(['22021', '22P05']);

/** Maps every failure to `{code, message, details?}`; never sends a stack trace. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const request = host.switchToHttp().getRequest<Request>();
    const { status, body } = this.describe(exception);
    // An unreachable database is an operating condition (one line each), not a bug with a stack to read.
    if (status === HttpStatus.SERVICE_UNAVAILABLE) this.logger.warn(body.message);
    else if (status >= 500) this.logger.error({ err: exception }, body.message);
    if (response.headersSent) return;
    if (request.originalUrl?.startsWith('/engine-rest')) {
      // Camunda's shape, and exactly application/json: camunda-external-task-client-js ignores anything else.
      const camunda =
        exception instanceof CamundaRestError ? { status: exception.status, type: exception.type, message: exception.message } : undefined;
      const payload = Buffer.from(
        JSON.stringify({
          type: camunda?.type ?? (status < 500 ? 'InvalidRequestException' : 'ProcessEngineException'),
          message: camunda?.message ?? body.message,
        }),
      );
      response.status(camunda?.status ?? status);
      response.setHeader('Content-Type', 'application/json');
      response.end(payload);
      return;
    }
    response.status(status).json(body);
  }

  describe(exception: unknown): { status: number; body: ErrorBody } {
    if (exception instanceof AppError) {
      const body: ErrorBody = { code: exception.code, message: exception.message };
      if (exception.details !== undefined) body.details = exception.details;
      return { status: exception.status, body };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const fallback = STATUS_CODES[status] ?? { code: 'HTTP_' + status, message: exception.message };
      const response = exception.getResponse();
      if (typeof response === 'object' && response !== null && 'code' in response) {
        return { status, body: response as ErrorBody };
      }
      return { status, body: fallback };
    }
    if (isBodyParserError(exception)) {
      const status = exception.status;
      const fallback = STATUS_CODES[status] ?? STATUS_CODES[400];
      return { status, body: fallback };
    }
    if (isInvalidText(exception)) {
      return {
        status: HttpStatus.BAD_REQUEST,
        body: { code: 'INVALID_CHARACTERS', message: '提交的内容含有无法保存的字符（如空字符），请删除后重试' },
      };
    }
    if (isConnectionFailure(exception)) {
      return {
        status: HttpStatus.SERVICE_UNAVAILABLE,
        body: { code: 'DATABASE_UNAVAILABLE', message: '数据库暂时不可用，请稍后重试' },
      };
    }
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      body: { code: 'INTERNAL_ERROR', message: '服务器内部错误，请稍后重试或联系系统管理员' },
    };
  }
}

function isBodyParserError(e: unknown): e is { status: number; type: string } {
  return typeof e === 'object' && e !== null && 'type' in e && 'status' in e && typeof (e as { status: unknown }).status === 'number';
}

function isInvalidText(e: unknown): boolean {
  const code = e instanceof QueryFailedError ? (e.driverError as { code?: string } | undefined)?.code : undefined;
  return code !== undefined && INVALID_TEXT_PG_CODES.has(code);
}

function isConnectionFailure(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  // A transaction whose connection died is released under the code still running in it (its next statement, or its
  // COMMIT, then meets a released runner; PostgreSQL rolled it back with the connection).
  if (e.name === 'QueryRunnerProviderAlreadyReleasedError' || e.name === 'QueryRunnerAlreadyReleasedError') return true;
  // TypeORM wraps what pg raised during a query; pg raises the rest (pool connect, start-up refusals) itself.
  const inner = e instanceof QueryFailedError ? (e.driverError as Error | undefined) : undefined;
  for (const error of [e, inner]) {
    if (!error) continue;
    const code = (error as Error & { code?: unknown }).code;
    if (typeof code === 'string' && (UNAVAILABLE_PG_CODES.has(code) || UNAVAILABLE_SOCKET_CODES.has(code))) return true;
    if (UNAVAILABLE_MESSAGES.test(error.message ?? '')) return true;
  }
  return false;
}

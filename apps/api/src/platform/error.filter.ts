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

/** PostgreSQL errors that mean "the database is not reachable right now", not "bug". */
const UNAVAILABLE_PG_CODES = new Set(['57P01', '57P02', '57P03', '08000', '08003', '08006']);

/** Maps every failure to `{code, message, details?}`; never sends a stack trace. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const request = host.switchToHttp().getRequest<Request>();
    const { status, body } = this.describe(exception);
    if (status >= 500) this.logger.error({ err: exception }, body.message);
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

function isConnectionFailure(e: unknown): boolean {
  if (e instanceof QueryFailedError) {
    const code = (e.driverError as { code?: string } | undefined)?.code;
    return code !== undefined && UNAVAILABLE_PG_CODES.has(code);
  }
  if (e instanceof Error) {
    const code = (e as Error & { code?: string }).code;
    return code === 'ECONNREFUSED' || code === 'ECONNRESET' || /Connection terminated|connection timeout/i.test(e.message);
  }
  return false;
}

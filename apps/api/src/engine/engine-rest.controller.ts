import {
  Body,
  CanActivate,
  Controller,
  ExecutionContext,
  Injectable,
  Inject,
  Param,
  PipeTransform,
  Post,
  Put,
  Res,
  UseGuards,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { Public } from '../identity/decorators';
import { APP_CONFIG, type AppConfig } from '../platform/config';
import { AppError } from '../platform/errors';
import { fromTypedVariables } from './camunda-variables';
import { CamundaRestError, ExternalTaskService, type FetchRequest } from './external-task.service';

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Workers present WORKER_TOKEN as a Bearer token or as the password of basic auth (both supported by the client). */
@Injectable()
export class WorkerTokenGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const bearer = /^Bearer\s+(\S+)$/i.exec(header);
    const basic = /^Basic\s+(\S+)$/i.exec(header);
    const presented = bearer ? bearer[1] : basic ? Buffer.from(basic[1], 'base64').toString().split(':').slice(1).join(':') : '';
    if (presented && sameSecret(presented, this.config.workerToken)) return true;
    throw new CamundaRestError(
      401,
      'AuthenticationException',
      'Worker authentication failed: present WORKER_TOKEN as Bearer token or basic-auth password',
    );
  }
}

/** Camunda's client reads a body only when content-type is exactly application/json (no charset). */
export function sendCamunda(res: Response, status: number, body?: unknown): void {
  if (body === undefined) {
    res.status(status).end();
    return;
  }
  const payload = Buffer.from(JSON.stringify(body));
  res.status(status);
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Content-Length', payload.length);
  res.end(payload);
}

const INT_MAX = 2_147_483_647;

function positiveInt(value: unknown, name: string, fallback?: number): number {
  if (value === undefined || value === null) {
    if (fallback !== undefined) return fallback;
    throw new CamundaRestError(400, 'InvalidRequestException', `${name} is required`);
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new CamundaRestError(400, 'InvalidRequestException', `${name} must be a non-negative number`);
  // Java's int, as Camunda's: retries and durations beyond it overflow the database columns and intervals.
  if (value > INT_MAX) throw new CamundaRestError(400, 'InvalidRequestException', `${name} must be at most ${INT_MAX}`);
  return Math.floor(value);
}

function requiredString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new CamundaRestError(400, 'InvalidRequestException', `${name} is required`);
  if (value.length > 255) throw new CamundaRestError(400, 'InvalidRequestException', `${name} is too long`);
  return value;
}

function variablesOf(body: Record<string, unknown>): Record<string, unknown> {
  try {
    return fromTypedVariables(body.variables);
  } catch (error) {
    if (error instanceof AppError) throw new CamundaRestError(400, 'InvalidRequestException', error.message);
    throw error;
  }
}

/** The bodies here are JSON objects; no body, another content type or an array is refused as Camunda would, not read as undefined. */
const jsonObject: PipeTransform = {
  transform(value: unknown) {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || Buffer.isBuffer(value)) {
      throw new CamundaRestError(400, 'InvalidRequestException', 'The request body must be a JSON object (Content-Type: application/json)');
    }
    return value;
  },
};

/** `/engine-rest/external-task/*` after the Camunda 7 REST contract (STANDARDS.md). */
@ApiExcludeController()
@Public()
@UseGuards(WorkerTokenGuard)
@Controller('engine-rest/external-task')
export class EngineRestController {
  constructor(private readonly tasks: ExternalTaskService) {}

  @Post('fetchAndLock')
  async fetchAndLock(@Body(jsonObject) body: Record<string, unknown>, @Res() res: Response): Promise<void> {
    const topics = Array.isArray(body.topics) ? (body.topics as Record<string, unknown>[]) : [];
    const request: FetchRequest = {
      workerId: requiredString(body.workerId, 'workerId'),
      maxTasks: Math.min(positiveInt(body.maxTasks, 'maxTasks', 10), 1000),
      usePriority: body.usePriority !== false,
      asyncResponseTimeout: positiveInt(body.asyncResponseTimeout, 'asyncResponseTimeout', 0),
      topics: topics.map((t) => ({
        topicName: requiredString(t.topicName, 'topicName'),
        lockDuration: positiveInt(t.lockDuration, 'lockDuration'),
        variables: Array.isArray(t.variables) ? (t.variables as unknown[]).filter((v): v is string => typeof v === 'string') : null,
        processDefinitionKey: typeof t.processDefinitionKey === 'string' ? t.processDefinitionKey : undefined,
      })),
    };
    if (request.asyncResponseTimeout && request.asyncResponseTimeout > 1_800_000) {
      throw new CamundaRestError(400, 'InvalidRequestException', 'asyncResponseTimeout must be at most 1800000 ms');
    }
    sendCamunda(res, 200, await this.tasks.fetchAndLock(request));
  }

  @Post(':id/complete')
  async complete(@Param('id') id: string, @Body(jsonObject) body: Record<string, unknown>, @Res() res: Response): Promise<void> {
    await this.tasks.complete(id, requiredString(body.workerId, 'workerId'), variablesOf(body));
    sendCamunda(res, 204);
  }

  @Post(':id/failure')
  async failure(@Param('id') id: string, @Body(jsonObject) body: Record<string, unknown>, @Res() res: Response): Promise<void> {
    await this.tasks.failure(id, requiredString(body.workerId, 'workerId'), {
      errorMessage: typeof body.errorMessage === 'string' ? body.errorMessage : undefined,
      errorDetails: typeof body.errorDetails === 'string' ? body.errorDetails : undefined,
      retries: positiveInt(body.retries, 'retries', 0),
      retryTimeout: positiveInt(body.retryTimeout, 'retryTimeout', 0),
    });
    sendCamunda(res, 204);
  }

  @Post(':id/bpmnError')
  async bpmnError(@Param('id') id: string, @Body(jsonObject) body: Record<string, unknown>, @Res() res: Response): Promise<void> {
    const message = typeof body.errorMessage === 'string' ? body.errorMessage : undefined;
    await this.tasks.bpmnError(
      id,
      requiredString(body.workerId, 'workerId'),
      requiredString(body.errorCode, 'errorCode'),
      message,
      variablesOf(body),
    );
    sendCamunda(res, 204);
  }

  @Post(':id/extendLock')
  async extendLock(@Param('id') id: string, @Body(jsonObject) body: Record<string, unknown>, @Res() res: Response): Promise<void> {
    await this.tasks.extendLock(id, requiredString(body.workerId, 'workerId'), positiveInt(body.newDuration, 'newDuration'));
    sendCamunda(res, 204);
  }

  @Post(':id/lock')
  async lock(@Param('id') id: string, @Body(jsonObject) body: Record<string, unknown>, @Res() res: Response): Promise<void> {
    await this.tasks.lock(id, requiredString(body.workerId, 'workerId'), positiveInt(body.lockDuration, 'lockDuration'));
    sendCamunda(res, 204);
  }

  @Post(':id/unlock')
  async unlock(@Param('id') id: string, @Res() res: Response): Promise<void> {
    await this.tasks.unlock(id);
    sendCamunda(res, 204);
  }

  @Put(':id/retries')
  async retries(@Param('id') id: string, @Body(jsonObject) body: Record<string, unknown>, @Res() res: Response): Promise<void> {
    await this.tasks.setRetries(id, positiveInt(body.retries, 'retries'));
    sendCamunda(res, 204);
  }
}

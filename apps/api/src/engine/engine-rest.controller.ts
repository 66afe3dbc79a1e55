import {
  Body,
  CanActivate,
  Controller,
  ExecutionContext,
  Get,
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
import { readTypedVariables, toTypedVariables, type FileVariable, type TypedVariables } from './camunda-variables';
import { EngineService, MessageCorrelationError, type CorrelatedCase } from './engine.service';
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

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new CamundaRestError(400, 'InvalidRequestException', `${name} must be a string`);
  if (value.length > 255) throw new CamundaRestError(400, 'InvalidRequestException', `${name} is too long`);
  return value;
}

function optionalBoolean(value: unknown, name: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw new CamundaRestError(400, 'InvalidRequestException', `${name} must be true or false`);
  return value;
}

/** A body's typed values (`variables`, `processVariables`, `correlationKeys`, …) with the types they were sent as. */
function typedOf(body: Record<string, unknown>, field = 'variables'): TypedVariables {
  try {
    return readTypedVariables(body[field], field);
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
    // Closed before the answer is written: the client went away (a parked poll must not be handed a task).
    const gone = new AbortController();
    res.once('close', () => gone.abort());
    const request: FetchRequest = {
      signal: gone.signal,
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
    const variables = typedOf(body);
    await this.tasks.complete(id, requiredString(body.workerId, 'workerId'), variables.values, variables.types);
    sendCamunda(res, 204);
  }

  @Post(':id/failure')
  async failure(@Param('id') id: string, @Body(jsonObject) body: Record<string, unknown>, @Res() res: Response): Promise<void> {
    await this.tasks.failure(id, requiredString(body.workerId, 'workerId'), {
      errorMessage: typeof body.errorMessage === 'string' ? body.errorMessage : undefined,
      errorDetails: typeof body.errorDetails === 'string' ? body.errorDetails : undefined,
      retries: positiveInt(body.retries, 'retries', 0),
      retryTimeout: positiveInt(body.retryTimeout, 'retryTimeout', 0),
      variables: typedOf(body),
    });
    sendCamunda(res, 204);
  }

  @Post(':id/bpmnError')
  async bpmnError(@Param('id') id: string, @Body(jsonObject) body: Record<string, unknown>, @Res() res: Response): Promise<void> {
    const message = typeof body.errorMessage === 'string' ? body.errorMessage : undefined;
    const variables = typedOf(body);
    await this.tasks.bpmnError(
      id,
      requiredString(body.workerId, 'workerId'),
      requiredString(body.errorCode, 'errorCode'),
      message,
      variables.values,
      variables.types,
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

/** Correlation results as Camunda's `MessageCorrelationResultWithVariableDto`. */
function correlationResult(c: CorrelatedCase, withVariables: boolean): Record<string, unknown> {
  const state = c.state!;
  const ended = state.status !== 'running';
  const out: Record<string, unknown> = {
    resultType: c.resultType,
    execution: c.resultType === 'Execution' ? { id: c.executionId, processInstanceId: c.instanceId, ended, tenantId: null } : null,
    processInstance:
      c.resultType === 'ProcessDefinition'
        ? {
            links: [],
            id: c.instanceId,
            definitionId: state.definitionId,
            businessKey: state.businessKey,
            caseInstanceId: null,
            ended,
            suspended: false,
            tenantId: null,
          }
        : null,
  };
  if (withVariables) out.variables = toTypedVariables(state.variables, state.variableTypes);
  return out;
}

/** Camunda answers a message nobody waits for with its engine exception, wrapped in a RestException. */
function camundaError(error: unknown): unknown {
  if (error instanceof MessageCorrelationError) {
    const cause = error.code === 'SIGNAL_NOT_SUBSCRIBED' ? 'InvalidRequestException' : 'RestException';
    const prefix = error.code === 'SIGNAL_NOT_SUBSCRIBED' ? '' : 'org.camunda.bpm.engine.MismatchingMessageCorrelationException: ';
    return new CamundaRestError(400, cause, `${prefix}${error.camunda}`);
  }
  return error;
}

/**
 * `/engine-rest/message`, `/engine-rest/signal` and the binary variable routes, after the Camunda 7 REST contract:
 * for integrations (the worker token) that speak Camunda.
 */
@ApiExcludeController()
@Public()
@UseGuards(WorkerTokenGuard)
@Controller('engine-rest')
export class EngineRestEventsController {
  constructor(private readonly engine: EngineService) {}

  @Post('message')
  async message(@Body(jsonObject) body: Record<string, unknown>, @Res() res: Response): Promise<void> {
    if (typeof body.messageName !== 'string' || body.messageName === '')
      throw new CamundaRestError(400, 'InvalidRequestException', 'No message name supplied');
    const messageName = requiredString(body.messageName, 'messageName');
    const local = body.localCorrelationKeys;
    if (local !== undefined && local !== null && (typeof local !== 'object' || Object.keys(local).length > 0)) {
      throw new CamundaRestError(
        400,
        'InvalidRequestException',
        'localCorrelationKeys are not supported: executions have no local variables here; use correlationKeys (process variables)',
      );
    }
    const variables = typedOf(body, 'processVariables');
    // Without execution-local scopes, a local variable of the receiving execution is a variable of its case (as
    // Camunda does too when the catch runs in the process instance's own execution).
    const local2 = typedOf(body, 'processVariablesLocal');
    const resultEnabled = optionalBoolean(body.resultEnabled, 'resultEnabled');
    const withVariables = optionalBoolean(body.variablesInResultEnabled, 'variablesInResultEnabled');
    try {
      const results = await this.engine.correlateMessages({
        messageName,
        businessKey: optionalString(body.businessKey, 'businessKey'),
        processInstanceId: optionalString(body.processInstanceId, 'processInstanceId'),
        correlationKeys: typedOf(body, 'correlationKeys').values,
        variables: { ...variables.values, ...local2.values },
        variableTypes: { ...variables.types, ...local2.types },
        all: optionalBoolean(body.all, 'all'),
        tenantId: optionalString(body.tenantId, 'tenantId'),
        withState: resultEnabled,
      });
      if (!resultEnabled) return sendCamunda(res, 204);
      sendCamunda(
        res,
        200,
        results.map((r) => correlationResult(r, withVariables)),
      );
    } catch (error) {
      throw camundaError(error);
    }
  }

  @Post('signal')
  async signal(@Body(jsonObject) body: Record<string, unknown>, @Res() res: Response): Promise<void> {
    if (typeof body.name !== 'string' || body.name === '')
      throw new CamundaRestError(400, 'InvalidRequestException', 'No signal name given');
    const name = requiredString(body.name, 'name');
    const executionId = optionalString(body.executionId, 'executionId');
    const tenantId = optionalString(body.tenantId, 'tenantId');
    if (executionId !== undefined && (tenantId !== undefined || body.withoutTenantId === true)) {
      throw new CamundaRestError(400, 'InvalidRequestException', 'Cannot specify a tenant id together with an execution id');
    }
    const variables = typedOf(body);
    try {
      await this.engine.broadcastSignal({ name, executionId, tenantId, variables: variables.values, variableTypes: variables.types });
    } catch (error) {
      throw camundaError(error);
    }
    sendCamunda(res, 204);
  }

  /** Where camunda-external-task-client-js loads a File variable's content (`/execution/{processInstanceId}/…`). */
  @Get('execution/:id/localVariables/:name/data')
  async executionVariableData(@Param('id') id: string, @Param('name') name: string, @Res() res: Response): Promise<void> {
    await this.sendBinary(id, name, res);
  }

  @Get('process-instance/:id/variables/:name/data')
  async instanceVariableData(@Param('id') id: string, @Param('name') name: string, @Res() res: Response): Promise<void> {
    await this.sendBinary(id, name, res);
  }

  private async sendBinary(id: string, name: string, res: Response): Promise<void> {
    const view = /^[0-9a-f-]{36}$/i.test(id) ? await this.engine.getInstance(id) : undefined;
    if (!view) throw new CamundaRestError(404, 'InvalidRequestException', `Process instance with id ${id} does not exist`);
    if (!Object.prototype.hasOwnProperty.call(view.variables, name))
      throw new CamundaRestError(404, 'InvalidRequestException', `variable with name ${name} does not exist`);
    const value = view.variables[name];
    const type = view.variableTypes[name]?.type;
    let bytes: Buffer;
    let contentType = 'application/octet-stream';
    if (typeof value === 'object' && value !== null && (value as FileVariable).$type === 'File') {
      const file = value as FileVariable;
      bytes = Buffer.from(file.base64, 'base64');
      if (file.mimetype) contentType = file.encoding ? `${file.mimetype}; charset=${file.encoding}` : file.mimetype;
      res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`);
    } else if (type === 'Bytes' && typeof value === 'string') {
      bytes = Buffer.from(value, 'base64');
    } else {
      throw new CamundaRestError(400, 'InvalidRequestException', `Value of variable with id ${name} is not a binary value`);
    }
    res.status(200);
    res.setHeader('Content-Type', contentType);
    res.setHeader('Content-Length', bytes.length);
    res.end(bytes);
  }
}

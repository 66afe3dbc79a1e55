import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsNotEmpty, IsObject, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import type { Request } from 'express';
import { CurrentUser, Roles } from '../identity/decorators';
import { assertVisible } from '../identity/data-scope';
import { hasRole, type Principal } from '../identity/principal';
import { AppError, NotFoundError } from '../platform/errors';
import { validateVariables } from '@zhengwu/contracts';
import { AuditService } from '../audit/audit.service';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { decodeBpmnBody } from './bpmn-source';
import { DefinitionsService } from './definitions.service';
import { EngineService } from './engine.service';
import { ExternalTaskService } from './external-task.service';
import { HolidayService } from './holiday.service';

export class StartInstanceDto {
  @ApiProperty({ example: 'document-exchange' })
  @IsString({ message: '请指定流程标识 key' })
  @MaxLength(200)
  key!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200, { message: '业务编号不能超过 200 个字符' })
  businessKey?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsObject({ message: 'variables 须为对象' })
  variables?: Record<string, unknown>;
}

/** A message for the cases waiting on it (or for a process it starts), as Camunda's correlation, in plain JSON. */
export class CorrelateMessageDto {
  @ApiProperty({ example: 'receipts-closed' })
  @IsString({ message: '请指定消息名 messageName' })
  @IsNotEmpty({ message: '请指定消息名 messageName' })
  @MaxLength(255, { message: '消息名不能超过 255 个字符' })
  messageName!: string;

  @ApiPropertyOptional({ description: '只发给该业务编号的流程；消息开始的流程以此为业务编号' })
  @IsOptional()
  @IsString()
  @MaxLength(200, { message: '业务编号不能超过 200 个字符' })
  businessKey?: string;

  @ApiPropertyOptional({ description: '只发给该流程实例' })
  @IsOptional()
  @IsUUID('all', { message: 'processInstanceId 须为流程实例编号' })
  processInstanceId?: string;

  @ApiPropertyOptional({ description: '流程变量须与之逐一相等的流程才收到消息', example: { caseNo: '苏审〔2026〕12号' } })
  @IsOptional()
  @IsObject({ message: 'correlationKeys 须为对象' })
  correlationKeys?: Record<string, unknown>;

  @ApiPropertyOptional({ description: '随消息写入流程的变量' })
  @IsOptional()
  @IsObject({ message: 'variables 须为对象' })
  variables?: Record<string, unknown>;

  @ApiPropertyOptional({ description: '发给所有符合条件的流程（否则须恰好一个）' })
  @IsOptional()
  @IsBoolean({ message: 'all 须为 true 或 false' })
  all?: boolean;
}

/** A signal: every catch waiting on it, and every process that starts on it. */
export class ThrowSignalDto {
  @ApiProperty({ example: 'emergency-stop' })
  @IsString({ message: '请指定信号名 name' })
  @IsNotEmpty({ message: '请指定信号名 name' })
  @MaxLength(255, { message: '信号名不能超过 255 个字符' })
  name!: string;

  @ApiPropertyOptional({ description: '随信号写入流程的变量' })
  @IsOptional()
  @IsObject({ message: 'variables 须为对象' })
  variables?: Record<string, unknown>;

  @ApiPropertyOptional({ description: '只发给该流程实例（或该等待的执行编号）；此时不启动以信号开始的流程' })
  @IsOptional()
  @IsString()
  @MaxLength(255, { message: 'executionId 不能超过 255 个字符' })
  executionId?: string;
}

export class RetriesDto {
  @ApiProperty({ example: 3 })
  @IsInt({ message: 'retries 须为 0 至 1000 的整数' })
  @Min(0, { message: 'retries 须为 0 至 1000 的整数' })
  @Max(1000, { message: 'retries 须为 0 至 1000 的整数' })
  retries!: number;
}

export class HolidayDto {
  @ApiProperty({ enum: ['holiday', 'workday'] })
  @IsIn(['holiday', 'workday'], { message: 'kind 须为 holiday（放假）或 workday（调休上班）' })
  kind!: 'holiday' | 'workday';

  @ApiProperty({ example: '春节' })
  @IsString()
  @MaxLength(50, { message: '名称不能超过 50 个字符' })
  name!: string;
}

const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

function checkDay(day: string): string {
  if (!DAY.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`)) || new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) !== day) {
    throw new AppError('VALIDATION_FAILED', '日期应为存在的日期，格式 YYYY-MM-DD', 400, [
      { field: 'day', message: '日期应为存在的日期，格式 YYYY-MM-DD' },
    ]);
  }
  return day;
}

/** BPMN XML as the body (application/xml or text/xml), decoded in the encoding it declares. */
function bpmnBody(req: Request): string {
  const body: unknown = req.body;
  const xml = Buffer.isBuffer(body) ? decodeBpmnBody(body, req.headers['content-type']) : body;
  if (typeof xml !== 'string' || xml.trim() === '') {
    throw new AppError('DEFINITION_MISSING', '请以 Content-Type: application/xml 提交 BPMN XML', 400);
  }
  return xml;
}

@ApiTags('engine')
@ApiBearerAuth()
@Controller()
export class ProcessController {
  constructor(
    private readonly definitions: DefinitionsService,
    private readonly engine: EngineService,
    private readonly externalTasks: ExternalTaskService,
    private readonly holidays: HolidayService,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** BPMN XML as the body (application/xml or text/xml), as bytes in the encoding it declares. */
  @Roles('sysadmin')
  @Post('process-definitions')
  async deploy(@Req() req: Request, @CurrentUser() me: Principal) {
    return this.definitions.deploy(bpmnBody(req), { source: 'upload', userId: me.userId });
  }

  /** The findings a deployment of this XML would give, per element, all at once; nothing is stored. */
  @Roles('sysadmin')
  @Post('process-definitions/validate')
  @HttpCode(200)
  async validate(@Req() req: Request) {
    return this.definitions.validate(bpmnBody(req));
  }

  @Roles('sysadmin')
  @Get('process-definitions')
  list() {
    return this.definitions.list();
  }

  @Roles('sysadmin')
  @Get('process-definitions/:key/xml')
  xml(@Param('key') key: string, @Query('version') version?: string) {
    const v = version === undefined ? undefined : Number(version);
    if (v !== undefined && (!Number.isInteger(v) || v < 1))
      throw new AppError('VALIDATION_FAILED', 'version 须为正整数', 400, [{ field: 'version', message: '须为正整数' }]);
    return this.definitions.xml(key, v);
  }

  @Roles('sysadmin')
  @Post('process-instances')
  async start(@Body() dto: StartInstanceDto, @CurrentUser() me: Principal) {
    // A bare case of a feature's process would have no business record behind it (a 发文 without its document).
    if (this.engine.isFeatureProcess(dto.key)) {
      throw new AppError('FEATURE_PROCESS', `流程 ${dto.key} 属于业务功能，须从该功能发起（如起草公文、提交备案），不能直接启动`, 422);
    }
    try {
      return await this.startChecked(dto, me, false);
    } catch (error) {
      // A version deployed between the form's check and the start: check against the new one's form, once.
      if (!(error instanceof AppError && error.code === 'DEFINITION_CHANGED')) throw error;
      return this.startChecked(dto, me, true);
    }
  }

  /** `fresh`: the start form of the latest version as committed now, not as this process kept it (LatestDefinitions). */
  private async startChecked(dto: StartInstanceDto, me: Principal, fresh: boolean): Promise<{ id: string }> {
    // A start event that declares its form (camunda:formData) takes exactly those fields, administrators included;
    // one that declares none takes the administrator's variables as Camunda would, on the record (audit below).
    const { definitionId, form } = await this.engine.startForm(dto.key, fresh);
    let variables = dto.variables ?? {};
    if (form) {
      const checked = validateVariables(form, variables, { enforceRequired: true });
      if (checked.errors.length > 0) {
        // Refused only by the form of the latest version as committed: the kept one may be older (a notice on its way).
        if (!fresh) return this.startChecked(dto, me, true);
        throw new AppError('VARIABLES_NOT_ALLOWED', `启动变量不符合该流程的表单声明：${checked.errors[0].message}`, 400, checked.errors);
      }
      variables = checked.values;
    }
    return this.dataSource.transaction(async (m) => {
      // The version whose form was checked, or none: a newer one refuses (DEFINITION_CHANGED) and nothing is written.
      const started = await this.engine.startProcess(
        dto.key,
        { businessKey: dto.businessKey, variables, ownerUnitId: me.unitId, startedBy: me.userId, expectedDefinitionId: definitionId },
        m,
      );
      await this.audit.record(
        {
          action: 'process.start',
          objectType: 'process-instance',
          objectId: started.id,
          detail: { key: dto.key, businessKey: dto.businessKey ?? null, variables, declaredForm: !!form },
        },
        m,
      );
      return started;
    });
  }

  /** Camunda's message correlation through our own API; errors in our shape (MESSAGE_NOT_CORRELATED, MESSAGE_AMBIGUOUS). */
  @Roles('sysadmin')
  @Post('messages')
  @HttpCode(200)
  async correlate(@Body() dto: CorrelateMessageDto, @CurrentUser() me: Principal) {
    return this.dataSource.transaction(async (m) => {
      const results = await this.engine.correlateMessages(
        {
          messageName: dto.messageName,
          businessKey: dto.businessKey,
          processInstanceId: dto.processInstanceId,
          correlationKeys: dto.correlationKeys,
          variables: dto.variables,
          all: dto.all ?? false,
          userId: me.userId,
        },
        m,
      );
      const correlated = results.map((r) => ({ resultType: r.resultType, instanceId: r.instanceId, executionId: r.executionId }));
      await this.audit.record(
        {
          action: 'process.message',
          objectType: 'message',
          objectId: dto.messageName,
          detail: { businessKey: dto.businessKey ?? null, all: dto.all ?? false, instances: correlated.map((c) => c.instanceId) },
        },
        m,
      );
      return { correlated };
    });
  }

  @Roles('sysadmin')
  @Post('signals')
  @HttpCode(200)
  async signal(@Body() dto: ThrowSignalDto, @CurrentUser() me: Principal) {
    return this.dataSource.transaction(async (m) => {
      const results = await this.engine.broadcastSignal(
        { name: dto.name, variables: dto.variables, executionId: dto.executionId, userId: me.userId },
        m,
      );
      const reached = results.map((r) => ({ resultType: r.resultType, instanceId: r.instanceId, executionId: r.executionId }));
      await this.audit.record(
        {
          action: 'process.signal',
          objectType: 'signal',
          objectId: dto.name,
          detail: { executionId: dto.executionId ?? null, instances: reached.map((c) => c.instanceId) },
        },
        m,
      );
      return { reached };
    });
  }

  /** Administrators see every instance; others only within their data scope (404 otherwise). */
  @Get('process-instances/:id')
  async instance(@Param('id') id: string, @CurrentUser() me: Principal) {
    if (!/^[0-9a-f-]{36}$/.test(id)) throw new NotFoundError('流程实例');
    const view = await this.engine.getInstance(id);
    if (!view) throw new NotFoundError('流程实例');
    if (!hasRole(me, 'sysadmin')) {
      const unit: { path: string }[] = view.ownerUnitId
        ? await this.dataSource.query('SELECT path FROM units WHERE id = $1', [view.ownerUnitId])
        : [];
      assertVisible(me, { unitPath: unit[0]?.path ?? '/none/' }, '流程实例');
    }
    return { ...view, history: await this.engine.history(id) };
  }

  @Roles('sysadmin')
  @Get('incidents')
  incidents() {
    return this.externalTasks.incidents();
  }

  @Roles('sysadmin')
  @Put('external-tasks/:id/retries')
  @HttpCode(204)
  retries(@Param('id') id: string, @Body() dto: RetriesDto) {
    return this.externalTasks.setRetries(id, dto.retries);
  }

  @Get('holidays')
  holidayList(@Query('year') year?: string) {
    if (year === undefined || year === '') return this.holidays.list();
    // Anything but a year used to list every year (Number("'") is NaN, treated as "no filter").
    if (!/^\d{4}$/.test(year))
      throw new AppError('VALIDATION_FAILED', 'year 须为四位数年份', 400, [{ field: 'year', message: '须为四位数年份' }]);
    return this.holidays.list(Number(year));
  }

  @Roles('sysadmin')
  @Put('holidays/:day')
  @HttpCode(204)
  putHoliday(@Param('day') day: string, @Body() dto: HolidayDto) {
    return this.holidays.put({ day: checkDay(day), kind: dto.kind, name: dto.name });
  }

  @Roles('sysadmin')
  @Delete('holidays/:day')
  @HttpCode(204)
  async deleteHoliday(@Param('day') day: string) {
    if (!(await this.holidays.remove(checkDay(day)))) throw new NotFoundError('节假日');
  }
}

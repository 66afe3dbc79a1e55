import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsInt, IsObject, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
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
    const body: unknown = req.body;
    const xml = Buffer.isBuffer(body) ? decodeBpmnBody(body, req.headers['content-type']) : body;
    if (typeof xml !== 'string' || xml.trim() === '') {
      throw new AppError('DEFINITION_MISSING', '请以 Content-Type: application/xml 提交 BPMN XML', 400);
    }
    return this.definitions.deploy(xml, { source: 'upload', userId: me.userId });
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
    // A start event that declares its form (camunda:formData) takes exactly those fields, administrators included;
    // one that declares none takes the administrator's variables as Camunda would, on the record (audit below).
    const form = await this.engine.startForm(dto.key);
    let variables = dto.variables ?? {};
    if (form) {
      const checked = validateVariables(form, variables, { enforceRequired: true });
      if (checked.errors.length > 0)
        throw new AppError('VARIABLES_NOT_ALLOWED', `启动变量不符合该流程的表单声明：${checked.errors[0].message}`, 400, checked.errors);
      variables = checked.values;
    }
    return this.dataSource.transaction(async (m) => {
      const started = await this.engine.startProcess(
        dto.key,
        { businessKey: dto.businessKey, variables, ownerUnitId: me.unitId, startedBy: me.userId },
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

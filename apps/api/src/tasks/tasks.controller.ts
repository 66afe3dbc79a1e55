import {
  Body,
  CallHandler,
  Controller,
  ExecutionContext,
  Get,
  HttpCode,
  Injectable,
  NestInterceptor,
  Param,
  Post,
  Query,
  Req,
  UseInterceptors,
} from '@nestjs/common';
import type { Observable } from 'rxjs';
import type { Request } from 'express';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../identity/decorators';
import type { Principal } from '../identity/principal';
import { BatchActionDto, ListTasksQuery, TaskActionDto } from './tasks.dto';
import { TasksService } from './tasks.service';

type RequestWithVariables = Request & { variablesAsSent?: unknown };

/**
 * The step's contract judges the variables exactly as sent. The validation pipe deletes keys such as `constructor`
 * from the body in place (prototype-pollution hygiene), and a name the request carries must be refused, not
 * silently lost: this copy is taken before any pipe runs.
 */
@Injectable()
class VariablesAsSent implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<RequestWithVariables>();
    const variables = (req.body as { variables?: unknown } | undefined)?.variables;
    if (variables !== undefined) req.variablesAsSent = structuredClone(variables);
    return next.handle();
  }
}

/** The web inbox: 待办 / 已办 / 我发起的 / 抄送我的, one task with its form and history, and the operations. */
@ApiTags('tasks')
@ApiBearerAuth()
@Controller('tasks')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Get()
  list(@Query() query: ListTasksQuery, @CurrentUser() me: Principal) {
    return this.tasks.list(me, query);
  }

  /** 批量同意: one transaction per task; the answer lists each task's result. */
  @Post('batch-actions')
  @HttpCode(200)
  batch(@Body() dto: BatchActionDto, @CurrentUser() me: Principal) {
    return this.tasks.batch(me, dto);
  }

  @Get(':id')
  get(@Param('id') id: string, @CurrentUser() me: Principal) {
    return this.tasks.get(me, id);
  }

  /** The case's diagram with completed and current steps and who holds them; 404 for a task one may not see. */
  @Get(':id/diagram')
  diagram(@Param('id') id: string, @CurrentUser() me: Principal) {
    return this.tasks.diagram(me, id);
  }

  @Post(':id/actions')
  @HttpCode(200)
  @UseInterceptors(VariablesAsSent)
  act(@Param('id') id: string, @Body() dto: TaskActionDto, @CurrentUser() me: Principal, @Req() req: RequestWithVariables) {
    const sent = req.variablesAsSent;
    const variables = sent !== null && typeof sent === 'object' && !Array.isArray(sent) ? (sent as Record<string, unknown>) : dto.variables;
    return this.tasks.act(me, id, { ...dto, variables });
  }
}

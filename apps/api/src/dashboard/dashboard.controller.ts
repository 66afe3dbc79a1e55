import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../identity/decorators';
import type { Principal } from '../identity/principal';
import { DashboardService } from './dashboard.service';

/** 工作台: every signed-in person sees the figures of their own unit tree. */
@ApiTags('dashboard')
@ApiBearerAuth()
@Controller('dashboard')
export class DashboardController {
  constructor(private readonly dashboard: DashboardService) {}

  @Get()
  figures(@CurrentUser() me: Principal) {
    return this.dashboard.figures(me);
  }

  /** My 待办, 督办 and their counts. */
  @Get('mine')
  mine(@CurrentUser() me: Principal) {
    return this.dashboard.mine(me);
  }
}

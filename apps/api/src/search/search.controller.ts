import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../identity/decorators';
import type { Principal } from '../identity/principal';
import { SearchQuery } from './search.dto';
import { SearchService } from './search.service';

/** 全局搜索: every signed-in person, within their data scope (each kind's own rule). */
@ApiTags('search')
@ApiBearerAuth()
@Controller('search')
export class SearchController {
  constructor(private readonly search: SearchService) {}

  @Get()
  find(@Query() query: SearchQuery, @CurrentUser() me: Principal) {
    return this.search.search(me, query);
  }
}

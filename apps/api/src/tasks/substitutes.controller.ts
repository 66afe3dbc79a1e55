import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../identity/decorators';
import type { Principal } from '../identity/principal';
import { CreateSubstituteDto } from './substitutes.dto';
import { SubstitutesService } from './substitutes.service';

/** 代理: anyone may name a substitute for their own absence, see what they gave and received, and revoke. */
@ApiTags('substitutes')
@ApiBearerAuth()
@Controller('substitutes')
export class SubstitutesController {
  constructor(private readonly substitutes: SubstitutesService) {}

  @Post()
  create(@Body() dto: CreateSubstituteDto, @CurrentUser() me: Principal) {
    return this.substitutes.create(me, dto);
  }

  @Get()
  list(@CurrentUser() me: Principal) {
    return this.substitutes.list(me);
  }

  @Delete(':id')
  @HttpCode(200)
  revoke(@Param('id') id: string, @CurrentUser() me: Principal) {
    return this.substitutes.revoke(me, id);
  }
}

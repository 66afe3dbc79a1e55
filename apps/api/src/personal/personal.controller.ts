import { Body, Controller, Delete, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../identity/decorators';
import type { Principal } from '../identity/principal';
import { DraftDto, PhrasesDto } from './personal.dto';
import { PersonalService } from './personal.service';

/** The signed-in person's own 常用语 and 暂存; nobody else's is reachable (no id in any route). */
@ApiTags('personal')
@ApiBearerAuth()
@Controller('personal')
export class PersonalController {
  constructor(private readonly personal: PersonalService) {}

  @Get('phrases')
  phrases(@CurrentUser() me: Principal) {
    return this.personal.phrases(me);
  }

  @Put('phrases')
  savePhrases(@CurrentUser() me: Principal, @Body() dto: PhrasesDto) {
    return this.personal.savePhrases(me, dto.phrases);
  }

  @Delete('phrases')
  resetPhrases(@CurrentUser() me: Principal) {
    return this.personal.resetPhrases(me);
  }

  @Get('drafts/:form')
  draft(@CurrentUser() me: Principal, @Param('form') form: string) {
    return this.personal.draft(me, form);
  }

  @Put('drafts/:form')
  saveDraft(@CurrentUser() me: Principal, @Param('form') form: string, @Body() dto: DraftDto) {
    return this.personal.saveDraft(me, form, dto.payload);
  }

  @Delete('drafts/:form')
  deleteDraft(@CurrentUser() me: Principal, @Param('form') form: string) {
    return this.personal.deleteDraft(me, form);
  }
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { SEARCH_KINDS, SEARCH_MAX_LENGTH, type SearchKind } from '@zhengwu/contracts';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageLimit, PageOffset } from '../platform/paging';

export class SearchQuery {
  @ApiProperty({ description: `搜索词（2–${SEARCH_MAX_LENGTH} 个字符，空格分隔的多个词须同时出现）` })
  @IsString({ message: '请输入搜索词' })
  @MaxLength(SEARCH_MAX_LENGTH, { message: `搜索词不能超过 ${SEARCH_MAX_LENGTH} 个字符` })
  q!: string;

  @ApiPropertyOptional({ enum: SEARCH_KINDS, description: '只看一类：公文、项目、规划备案、审批案件、数据使用申请' })
  @IsOptional()
  @IsIn(SEARCH_KINDS, { message: `kind 须为：${SEARCH_KINDS.join('、')}` })
  kind?: SearchKind;

  @PageLimit(50, 20)
  limit = 20;

  @PageOffset()
  offset = 0;
}

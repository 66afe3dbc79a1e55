import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PageLimit, PageOffset } from '../platform/paging';

export class ListUnownedTasksQuery {
  @PageLimit(200, 20)
  limit = 20;

  @PageOffset()
  offset = 0;
}

/** 指派: the person who is to hold an unowned task, by user name or user id (as a diagram may name them). */
export class AssignTaskDto {
  @ApiProperty({ description: '办理人的用户名或人员编号', example: 'demo' })
  @IsString({ message: '请指定办理人（用户名或人员编号）' })
  @MaxLength(64, { message: '办理人不能超过 64 个字符' })
  @Matches(/\S/, { message: '请指定办理人（用户名或人员编号）' })
  assignee!: string;

  @ApiPropertyOptional({ description: '指派说明' })
  @IsOptional()
  @IsString({ message: '说明须为文字' })
  @MaxLength(2000, { message: '说明不能超过 2000 个字符' })
  comment?: string;
}

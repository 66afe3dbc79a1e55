import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsEmail, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { PageLimit, PageOffset } from '../platform/paging';

const WORKER_ID = /^[A-Za-z0-9._:@-]{1,100}$/;

export class FetchAndLockDto {
  @ApiProperty({ description: '发送进程标识（每个进程唯一）' })
  @IsString({ message: 'workerId 须为字符串' })
  @Matches(WORKER_ID, { message: 'workerId 须为 1-100 位字母、数字或 ._:@-' })
  workerId!: string;

  @ApiPropertyOptional({ default: 10 })
  @IsOptional()
  @IsInt({ message: 'maxMessages 须为整数' })
  @Min(1, { message: 'maxMessages 至少为 1' })
  @Max(100, { message: 'maxMessages 最大为 100' })
  maxMessages = 10;

  @ApiPropertyOptional({ default: 60000, description: '锁定时长（毫秒），到期未完成的消息可被其他进程重新领取' })
  @IsOptional()
  @IsInt({ message: 'lockDurationMs 须为整数' })
  @Min(100, { message: 'lockDurationMs 至少为 100' })
  @Max(3_600_000, { message: 'lockDurationMs 最大为 3600000' })
  lockDurationMs = 60_000;
}

export class CompleteMessageDto {
  @ApiProperty()
  @IsString({ message: 'workerId 须为字符串' })
  @Matches(WORKER_ID, { message: 'workerId 须为 1-100 位字母、数字或 ._:@-' })
  workerId!: string;
}

export class MessageFailureDto extends CompleteMessageDto {
  @ApiProperty()
  @IsString({ message: 'errorMessage 须为字符串' })
  @MaxLength(2000, { message: 'errorMessage 不能超过 2000 个字符' })
  errorMessage!: string;
}

export class StoreMailboxMessageDto {
  @ApiProperty({ example: '<outbox-1@zhengwu.local>' })
  @IsString({ message: 'messageId 须为字符串' })
  @Matches(/^<[^<>\s]{1,250}>$/, { message: 'messageId 须形如 <id@host>' })
  messageId!: string;

  @ApiPropertyOptional({ description: '发件人' })
  @IsOptional()
  @IsString()
  @MaxLength(255, { message: '发件人不能超过 255 个字符' })
  from?: string;

  @ApiProperty({ type: [String] })
  @IsArray({ message: '收件人须为列表' })
  @ArrayMinSize(1, { message: '至少需要一个收件人' })
  @ArrayMaxSize(500, { message: '收件人不能超过 500 个' })
  @IsEmail({}, { each: true, message: '收件人须为电子邮箱地址' })
  to!: string[];

  @ApiProperty()
  @IsString({ message: '主题须为字符串' })
  @MaxLength(500, { message: '主题不能超过 500 个字符' })
  subject!: string;

  @ApiProperty()
  @IsString({ message: '正文须为字符串' })
  @MaxLength(200_000, { message: '正文过长' })
  text!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: 'HTML 正文须为字符串' })
  @MaxLength(500_000, { message: 'HTML 正文过长' })
  html?: string;
}

export class ListMailboxQuery {
  @ApiPropertyOptional({ description: '按收件人邮箱筛选' })
  @IsOptional()
  @IsString()
  @MaxLength(255, { message: '收件人不能超过 255 个字符' })
  recipient?: string;

  @PageLimit(200, 50)
  limit = 50;

  @PageOffset()
  offset = 0;
}

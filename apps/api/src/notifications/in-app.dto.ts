import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { NOTIFICATION_KIND_LABELS, NOTIFICATION_KINDS, type NotificationKind } from '@zhengwu/contracts';
import { PageLimit, PageOffset } from '../platform/paging';

const KIND_NAMES = NOTIFICATION_KINDS.map((kind) => `${kind}（${NOTIFICATION_KIND_LABELS[kind]}）`).join('、');

export class ListNotificationsQuery {
  @ApiPropertyOptional({ enum: ['unread', 'newest'], default: 'unread', description: 'unread：未读在前；newest：按时间从新到旧' })
  @IsOptional()
  @IsIn(['unread', 'newest'], { message: 'order 须为 unread 或 newest' })
  order: 'unread' | 'newest' = 'unread';

  @PageLimit(100, 20)
  limit = 20;

  @PageOffset()
  offset = 0;
}

export class NotificationPreferencesDto {
  @ApiProperty({ description: '是否接收邮件通知（关闭后仍在站内提醒）' })
  @IsBoolean({ message: 'mailEnabled 须为 true 或 false' })
  mailEnabled!: boolean;

  @ApiPropertyOptional({ enum: NOTIFICATION_KINDS, isArray: true, description: '不发邮件的通知类别' })
  @IsOptional()
  @IsArray({ message: 'mailOffKinds 须为列表' })
  @ArrayMaxSize(NOTIFICATION_KINDS.length, { message: `mailOffKinds 最多 ${NOTIFICATION_KINDS.length} 项` })
  @IsIn(NOTIFICATION_KINDS, { each: true, message: `通知类别须为以下之一：${KIND_NAMES}` })
  mailOffKinds: NotificationKind[] = [];
}

export class StreamQuery {
  @ApiProperty({ description: '由 POST /api/me/notifications/stream-ticket 取得的一次性凭据' })
  @IsString({ message: 'ticket 须为字符串' })
  @Matches(/^[A-Za-z0-9_-]{43}$/, { message: '通知推送凭据无效' })
  ticket!: string;
}

import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AppError } from '../platform/errors';
import { InAppNotificationsService, type StreamOwner } from './in-app.service';

const TICKET = /^[A-Za-z0-9_-]{43}$/;

/**
 * Redeems the stream's one-use ticket before the response starts: Nest answers an @Sse route with 200 and
 * event-stream headers before the handler runs, so a refusal must come from a guard to be a real 401.
 */
@Injectable()
export class StreamTicketGuard implements CanActivate {
  constructor(private readonly notifications: InAppNotificationsService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request & { streamOwner?: StreamOwner }>();
    const ticket = request.query.ticket;
    const owner = typeof ticket === 'string' && TICKET.test(ticket) ? await this.notifications.redeemTicket(ticket) : undefined;
    if (!owner) throw new AppError('STREAM_TICKET_INVALID', '通知推送凭据无效或已过期，请重新获取', HttpStatus.UNAUTHORIZED);
    request.streamOwner = owner;
    return true;
  }
}

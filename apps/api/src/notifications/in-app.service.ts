import { Injectable, Logger, type MessageEvent } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { Observable } from 'rxjs';
import type { InAppNotification, NotificationPage, NotificationPreferences, NotificationStreamEvent } from '@zhengwu/contracts';
import type { Principal } from '../identity/principal';
import { NotFoundError } from '../platform/errors';
import type { ListNotificationsQuery, NotificationPreferencesDto } from './in-app.dto';
import { InAppRepository } from './in-app.repository';
import { NotificationHub, type HubEvent } from './notification-hub';

/** A stream ticket lives long enough for the browser to open the stream right after asking for it. */
const TICKET_TTL_MS = 60_000;
/** Keeps proxies from closing an idle stream, and notices a session that ended (logout, revocation). */
const HEARTBEAT_MS = 25_000;

/** Another person's notice answers exactly like one that does not exist. */
/** Who a redeemed stream ticket stands for. */
export interface StreamOwner {
  userId: string;
  sessionId: string;
}

const notFound = () => new NotFoundError('通知');

function hashOf(ticket: string): string {
  return createHash('sha256').update(ticket).digest('hex');
}

/**
 * The bell: a person's own notices (written by the outbox trigger with every notice that mail uses), read marks,
 * the mail choice, and the live stream.
 */
@Injectable()
export class InAppNotificationsService {
  private readonly logger = new Logger(InAppNotificationsService.name);

  constructor(
    private readonly repo: InAppRepository,
    private readonly hub: NotificationHub,
  ) {}

  async list(me: Principal, query: ListNotificationsQuery): Promise<NotificationPage> {
    const [items, counts] = await Promise.all([
      this.repo.page(me.userId, query.order, query.limit, query.offset),
      this.repo.counts(me.userId),
    ]);
    return { items, total: counts.total, unread: counts.unread, limit: query.limit, offset: query.offset };
  }

  async markRead(me: Principal, id: string): Promise<{ notification: InAppNotification; unread: number }> {
    if (!/^\d{1,18}$/.test(id)) throw notFound();
    const notification = await this.repo.markRead(me.userId, id);
    if (!notification) throw notFound();
    await this.repo.announceCount(me.userId);
    return { notification, unread: await this.repo.unread(me.userId) };
  }

  async markAllRead(me: Principal): Promise<{ marked: number; unread: number }> {
    const marked = await this.repo.markAllRead(me.userId);
    if (marked > 0) await this.repo.announceCount(me.userId);
    return { marked, unread: await this.repo.unread(me.userId) };
  }

  preferences(me: Principal): Promise<NotificationPreferences> {
    return this.repo.preferences(me.userId);
  }

  savePreferences(me: Principal, dto: NotificationPreferencesDto): Promise<NotificationPreferences> {
    return this.repo.savePreferences(me.userId, dto.mailEnabled, [...new Set(dto.mailOffKinds ?? [])]);
  }

  /** A one-use ticket for EventSource (which cannot send the Bearer token); only its hash is stored. */
  async streamTicket(me: Principal): Promise<{ ticket: string; expiresAt: Date }> {
    const ticket = randomBytes(32).toString('base64url');
    const expiresAt = await this.repo.storeTicket(hashOf(ticket), me.userId, me.sessionId, TICKET_TTL_MS);
    return { ticket, expiresAt };
  }

  /** The person and session a stream ticket stands for, once; undefined when unknown, used, expired or the session ended. */
  async redeemTicket(ticket: string): Promise<StreamOwner | undefined> {
    const owner = await this.repo.redeemTicket(hashOf(ticket));
    if (!owner || !(await this.repo.sessionOpen(owner.userId, owner.sessionId))) return undefined;
    return owner;
  }

  /** The count first, then every new notice with the new count, in order; ends with the session. */
  stream({ userId, sessionId }: StreamOwner): Observable<MessageEvent> {
    return new Observable<MessageEvent>((subscriber) => {
      let closed = false;
      let queue: Promise<void> = Promise.resolve();
      let unsubscribe: (() => void) | undefined;
      const emit = (type: string, data: NotificationStreamEvent | Record<string, never>): void => {
        if (!closed) subscriber.next({ type, data });
      };
      const end = (): void => {
        if (closed) return;
        closed = true;
        subscriber.complete();
      };
      const push = (id?: string): void => {
        queue = queue
          .then(async () => {
            if (closed) return;
            const [notification, unread] = await Promise.all([id ? this.repo.one(userId, id) : undefined, this.repo.unread(userId)]);
            if (notification) emit('notification', { unread, notification });
            else emit('unread', { unread });
          })
          .catch((error: unknown) => this.logger.warn({ err: error, userId }, 'cannot push a notification'));
      };
      const onEvent = (event: HubEvent): void => {
        if ('close' in event) end();
        else push('id' in event ? event.id : undefined);
      };
      const heartbeat = setInterval(() => {
        queue = queue
          .then(async () => {
            if (closed) return;
            if (await this.repo.sessionOpen(userId, sessionId)) emit('ping', {});
            else end();
          })
          .catch((error: unknown) => this.logger.warn({ err: error, userId }, 'stream heartbeat failed'));
      }, HEARTBEAT_MS);
      // Listen first, then count: a notice committed in between is counted and pushed, never lost.
      void this.hub.subscribe(userId, onEvent).then((off) => {
        if (closed) off();
        else {
          unsubscribe = off;
          push();
        }
      });
      return () => {
        closed = true;
        clearInterval(heartbeat);
        unsubscribe?.();
      };
    });
  }
}

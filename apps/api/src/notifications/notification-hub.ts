import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { PgListener } from '../platform/pg-listener';

/**
 * The channel the outbox trigger notifies on commit, one message per new bell notice: `{"id","userId"}`; a read mark
 * sends `{"userId"}` alone (the count changed).
 */
export const USER_NOTIFICATIONS_CHANNEL = 'zw_user_notifications';

/** What a stream hears: a new notice by id, `resync` to recount (a read mark, a lost connection), or `close` at shutdown. */
export type HubEvent = { id: string } | { resync: true } | { close: true };
type Listener = (event: HubEvent) => void;

/**
 * The api process's shared LISTEN connection (PgListener) fans the trigger's notifications out to the streams open
 * here. A notice created on any replica commits once and PostgreSQL tells every listening replica, so a person's
 * stream gets it wherever it is connected. After the connection was lost, every stream recounts once it is back.
 */
@Injectable()
export class NotificationHub implements OnModuleDestroy {
  private readonly listeners = new Map<string, Set<Listener>>();
  private unsubscribe?: () => void;
  /** Heard at least once: a later `listening` follows a loss. */
  private heard = false;
  private closed = false;

  constructor(private readonly listener: PgListener) {}

  /** Registers a person's stream; resolves once this process is listening (so nothing committed after is missed). */
  async subscribe(userId: string, listener: Listener): Promise<() => void> {
    // A stream opened while the api stops would hold its server open: it ends at once (the browser reconnects elsewhere).
    if (this.closed) {
      listener({ close: true });
      return () => undefined;
    }
    let set = this.listeners.get(userId);
    if (!set) this.listeners.set(userId, (set = new Set()));
    set.add(listener);
    const unsubscribe = (): void => {
      const current = this.listeners.get(userId);
      current?.delete(listener);
      if (current?.size === 0) this.listeners.delete(userId);
    };
    this.unsubscribe ??= this.listener.subscribe(USER_NOTIFICATIONS_CHANNEL, {
      notification: (payload) => this.dispatch(payload),
      listening: () => {
        // The first time there is nothing to catch up; after a loss, notices committed while deaf are recounted.
        if (this.heard) this.broadcast({ resync: true });
        this.heard = true;
      },
    });
    // Not listening now (the database is away): the stream still gets its count now and a resync when it is back.
    await this.listener.ready(USER_NOTIFICATIONS_CHANNEL);
    return unsubscribe;
  }

  /** How many streams this process holds (for tests and health). */
  get streams(): number {
    let count = 0;
    for (const set of this.listeners.values()) count += set.size;
    return count;
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    // Open streams would hold the HTTP server open: end them before it closes.
    for (const set of [...this.listeners.values()]) for (const listener of [...set]) listener({ close: true });
    this.listeners.clear();
  }

  private broadcast(event: HubEvent): void {
    for (const set of this.listeners.values()) for (const listener of [...set]) listener(event);
  }

  private dispatch(payload: string): void {
    let message: { id?: unknown; userId?: unknown };
    try {
      message = JSON.parse(payload) as { id?: unknown; userId?: unknown };
    } catch {
      return;
    }
    if (typeof message.userId !== 'string') return;
    const set = this.listeners.get(message.userId);
    if (!set) return;
    const event: HubEvent = typeof message.id === 'string' ? { id: message.id } : { resync: true };
    for (const listener of [...set]) listener(event);
  }
}

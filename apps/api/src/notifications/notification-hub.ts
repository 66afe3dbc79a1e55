import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from 'pg';
import { DataSource } from 'typeorm';

/**
 * The channel the outbox trigger notifies on commit, one message per new bell notice: `{"id","userId"}`; a read mark
 * sends `{"userId"}` alone (the count changed).
 */
export const USER_NOTIFICATIONS_CHANNEL = 'zw_user_notifications';
const RECONNECT_MS = 1_000;

/** What a stream hears: a new notice by id, `resync` to recount (a read mark, a lost connection), or `close` at shutdown. */
export type HubEvent = { id: string } | { resync: true } | { close: true };
type Listener = (event: HubEvent) => void;

/**
 * One LISTEN connection per API process fans the trigger's notifications out to the streams open here. A notice
 * created on any replica commits once and PostgreSQL tells every listening replica, so a person's stream gets it
 * wherever it is connected.
 */
@Injectable()
export class NotificationHub implements OnModuleDestroy {
  private readonly logger = new Logger(NotificationHub.name);
  private readonly listeners = new Map<string, Set<Listener>>();
  private connection?: Promise<Client>;
  private retry?: NodeJS.Timeout;
  private closed = false;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

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
    try {
      await this.listen();
    } catch (error) {
      // The stream still gets its count now and a resync when the connection is back.
      this.logger.warn({ err: error }, 'notification listener unavailable; will retry');
      this.scheduleReconnect();
    }
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
    clearTimeout(this.retry);
    // Open streams would hold the HTTP server open: end them before it closes.
    for (const set of [...this.listeners.values()]) for (const listener of [...set]) listener({ close: true });
    this.listeners.clear();
    const client = await this.connection?.catch(() => undefined);
    await client?.end().catch(() => undefined);
  }

  private listen(): Promise<Client> {
    if (!this.connection) {
      const options = this.dataSource.options as { url?: string };
      // Named so an operator (and the test of a lost connection) can tell it in pg_stat_activity.
      const client = new Client({ connectionString: options.url, application_name: 'zw-notification-hub' });
      const connecting = (async () => {
        await client.connect();
        client.on('notification', (message) => this.dispatch(message.payload));
        let lost = false;
        const onLost = (error?: Error): void => {
          if (lost) return;
          lost = true;
          if (!this.closed) this.logger.warn({ err: error }, 'notification listener lost; will reconnect');
          if (this.connection === connecting) this.connection = undefined;
          client.end().catch(() => undefined);
          this.scheduleReconnect();
        };
        client.on('error', onLost);
        // A server that closes the connection cleanly (a restart) ends it without an error.
        client.on('end', () => onLost());
        await client.query(`LISTEN ${USER_NOTIFICATIONS_CHANNEL}`);
        return client;
      })();
      this.connection = connecting;
      connecting.catch(() => {
        if (this.connection === connecting) this.connection = undefined;
        client.end().catch(() => undefined);
      });
    }
    return this.connection;
  }

  /** Re-listens while anyone is streaming; notices committed while deaf are caught up by a recount. */
  private scheduleReconnect(): void {
    if (this.closed || this.retry || this.listeners.size === 0) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      if (this.closed || this.listeners.size === 0) return;
      this.listen().then(
        () => this.broadcast({ resync: true }),
        () => this.scheduleReconnect(),
      );
    }, RECONNECT_MS);
  }

  private broadcast(event: HubEvent): void {
    for (const set of this.listeners.values()) for (const listener of [...set]) listener(event);
  }

  private dispatch(payload: string | undefined): void {
    let message: { id?: unknown; userId?: unknown };
    try {
      message = JSON.parse(payload ?? '') as { id?: unknown; userId?: unknown };
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

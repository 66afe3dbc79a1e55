import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../platform/config';

/** The channel the triggers of migration 1765600002400 notify when a session, person, role or unit changes. */
export const PRINCIPALS_CHANGED_CHANNEL = 'zw_principals_changed';
/** More sessions than this in one process's cache: it starts afresh (a bound on memory, not a policy). */
const MAX_ENTRIES = 10_000;

/** A ticket taken before reading a session: the row read may be kept only if nothing changed meanwhile. */
export type CacheTicket = number;

/**
 * The sessions this api process checked in the last few seconds (SESSION_CACHE_SECONDS, 5 by default), so a person's
 * requests in a burst cost one session check instead of one each. Kept only while this process listens for
 * PRINCIPALS_CHANGED_CHANNEL: any committed change to sessions, users, user_roles or units (a logout, a password
 * change, a disabled account, a role taken away, a second factor reset, on any api process or by hand in psql)
 * empties it on every listening process as soon as PostgreSQL delivers the notification, and this process's own
 * identity writes empty it before they answer. Without the listener (not yet connected, connection lost) nothing is
 * kept: every request reads its session. Expiry (the session's and the access token's) is checked on every request.
 */
@Injectable()
export class SessionCache<Row extends object = object> implements OnModuleDestroy {
  private readonly logger = new Logger(SessionCache.name);
  private readonly entries = new Map<string, { row: Row; until: number }>();
  private readonly ttlMs: number;
  private generation = 0;
  private listening = false;
  private connection?: Promise<Client>;
  private retryAt = 0;
  private closed = false;
  private waiters: (() => void)[] = [];

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.ttlMs = config.sessionCacheSeconds * 1000;
  }

  /** The row kept for `key`, if any and still fresh. */
  get(key: string): Row | undefined {
    if (this.ttlMs === 0) return undefined;
    if (!this.listening) {
      this.listen();
      return undefined;
    }
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.row;
  }

  /** Take before reading the row to keep. */
  ticket(): CacheTicket {
    return this.generation;
  }

  /** Keeps `row` unless something changed (or the listener was lost) since `ticket` was taken. */
  put(key: string, row: Row, ticket: CacheTicket): void {
    if (this.ttlMs === 0 || !this.listening || ticket !== this.generation) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, { row, until: Date.now() + this.ttlMs });
  }

  /** Forgets every kept session; rows being read now will not be kept. */
  clear(): void {
    this.generation += 1;
    this.entries.clear();
  }

  /** How many sessions are kept (for tests). */
  get size(): number {
    return this.entries.size;
  }

  /** Whether this process is listening, so rows may be kept (for tests). */
  get active(): boolean {
    return this.listening;
  }

  /** Resolves at the next notification of a change (for tests: a change made elsewhere has reached this process). */
  nextChange(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Starts listening (if not yet); resolves once listening, or false when the connection failed. */
  async start(): Promise<boolean> {
    this.listen();
    return (await this.connection?.then(() => true).catch(() => false)) ?? false;
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    this.listening = false;
    this.clear();
    const client = await this.connection?.catch(() => undefined);
    await client?.end().catch(() => undefined);
  }

  private listen(): void {
    if (this.connection || this.closed || this.ttlMs === 0 || Date.now() < this.retryAt) return;
    const options = this.dataSource.options as { url?: string };
    // Named so an operator (and the test of a lost connection) can tell it in pg_stat_activity.
    const client = new Client({ connectionString: options.url, application_name: 'zw-session-cache' });
    // Assigned right below; the callbacks that compare with it run after that.
    let connecting: Promise<Client> | undefined = undefined;
    const lose = (error?: Error): void => {
      if (this.connection !== connecting) return;
      if (!this.closed)
        this.logger.warn({ err: error }, 'session cache listener lost; sessions are read on every request until it is back');
      this.listening = false;
      this.clear();
      this.connection = undefined;
      this.retryAt = Date.now() + 1_000;
      client.end().catch(() => undefined);
    };
    connecting = (async () => {
      await client.connect();
      client.on('notification', () => {
        this.clear();
        const waiters = this.waiters;
        this.waiters = [];
        for (const resolve of waiters) resolve();
      });
      client.on('error', lose);
      // A server that closes the connection cleanly (a restart) ends it without an error.
      client.on('end', () => lose());
      await client.query(`LISTEN ${PRINCIPALS_CHANGED_CHANNEL}`);
      if (this.connection === connecting && !this.closed) {
        // Rows read before LISTEN took effect may predate a change this process was not told about.
        this.clear();
        this.listening = true;
      }
      return client;
    })();
    this.connection = connecting;
    connecting.catch((error: unknown) => lose(error instanceof Error ? error : undefined));
  }
}

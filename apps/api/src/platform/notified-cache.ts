import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';

/** A ticket taken before reading a row: the row read may be kept only if nothing changed meanwhile. */
export type CacheTicket = number;

export interface NotifiedCacheOptions {
  /** The channel whose notifications empty the cache, or the part `affected` names (sent at commit by the writes that change what is kept). */
  channel: string;
  /** The listening connection's application_name, so an operator (and the lost-connection tests) can tell it. */
  applicationName: string;
  /** How long a row is kept; 0 keeps nothing and never listens, Infinity keeps it until a notification. */
  ttlMs: number;
  /** More rows than this: the cache starts afresh (a bound on memory, not a policy). */
  maxEntries: number;
  /** Logged when the listener is lost: what the process does without the cache. */
  lostMessage: string;
  /**
   * Which kept rows a notification's payload concerns; undefined (the default, or an unknown payload): all of them.
   * Either way a row being read while it arrives is not kept.
   */
  affected?: (payload: string) => ((key: string) => boolean) | undefined;
}

/**
 * Rows kept by one api process only while it LISTENs on a channel that every committed change to them notifies (on
 * any process, or by hand in psql): a notification empties it. Without the listener (not yet connected, or lost)
 * nothing is kept and every caller reads the database, so a change is never missed; a row read before a change and
 * put after it is refused by its ticket. The session cache and the latest process versions are built on it.
 */
export class NotifiedCache<Row extends object> {
  private readonly logger = new Logger(this.constructor.name);
  private readonly entries = new Map<string, { row: Row; until: number }>();
  private generation = 0;
  private listening = false;
  private connection?: Promise<Client>;
  private retryAt = 0;
  private closed = false;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: NotifiedCacheOptions,
  ) {}

  /** The row kept for `key`, if any and still fresh (and only while listening). */
  get(key: string): Row | undefined {
    if (this.options.ttlMs === 0) return undefined;
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
    if (this.options.ttlMs === 0 || !this.listening || ticket !== this.generation) return;
    if (this.entries.size >= this.options.maxEntries) this.entries.clear();
    this.entries.set(key, { row, until: Date.now() + this.options.ttlMs });
  }

  /** Forgets every kept row; rows being read now will not be kept. */
  clear(): void {
    this.generation += 1;
    this.entries.clear();
  }

  /** Forgets the kept rows whose key matches; rows being read now (any key) will not be kept. */
  forget(matches: (key: string) => boolean): void {
    this.generation += 1;
    for (const key of [...this.entries.keys()]) if (matches(key)) this.entries.delete(key);
  }

  /** How many rows are kept (for tests). */
  get size(): number {
    return this.entries.size;
  }

  /** Whether this process is listening, so rows may be kept (for tests). */
  get active(): boolean {
    return this.listening;
  }

  /** Resolves at the next notification (for tests: a change made elsewhere has reached this process). */
  nextChange(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Starts listening (if not yet); resolves once listening, or false when the connection failed. */
  async start(): Promise<boolean> {
    this.listen();
    return (await this.connection?.then(() => true).catch(() => false)) ?? false;
  }

  /** Stops listening for good (the api is stopping). */
  async close(): Promise<void> {
    this.closed = true;
    this.listening = false;
    this.clear();
    const client = await this.connection?.catch(() => undefined);
    await client?.end().catch(() => undefined);
  }

  private listen(): void {
    if (this.connection || this.closed || this.options.ttlMs === 0 || Date.now() < this.retryAt) return;
    const url = (this.dataSource.options as { url?: string }).url;
    const client = new Client({ connectionString: url, application_name: this.options.applicationName });
    // Assigned right below; the callbacks that compare with it run after that.
    let connecting: Promise<Client> | undefined = undefined;
    const lose = (error?: Error): void => {
      if (this.connection !== connecting) return;
      if (!this.closed) this.logger.warn({ err: error }, this.options.lostMessage);
      this.listening = false;
      this.clear();
      this.connection = undefined;
      this.retryAt = Date.now() + 1_000;
      client.end().catch(() => undefined);
    };
    connecting = (async () => {
      await client.connect();
      client.on('notification', (message) => {
        const matches = this.options.affected?.(message.payload ?? '');
        if (matches) this.forget(matches);
        else this.clear();
        const waiters = this.waiters;
        this.waiters = [];
        for (const resolve of waiters) resolve();
      });
      client.on('error', lose);
      // A server that closes the connection cleanly (a restart) ends it without an error.
      client.on('end', () => lose());
      await client.query(`LISTEN ${this.options.channel}`);
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

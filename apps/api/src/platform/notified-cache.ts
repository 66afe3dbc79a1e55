import { Logger } from '@nestjs/common';
import type { PgListener } from './pg-listener';

/** A ticket taken before reading a row: the row read may be kept only if nothing changed meanwhile. */
export type CacheTicket = number;

export interface NotifiedCacheOptions {
  /**
   * The channel whose notifications empty the cache, or the part `affected` names (sent at commit by the writes that
   * change what is kept).
   */
  channel: string;
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
 * Rows kept by one api process only while it LISTENs (on the process's shared PgListener) on a channel that every
 * committed change to them notifies (on any process, or by hand in psql): a notification empties it. Without the
 * listener (not yet connected, or lost) nothing is kept and every caller reads the database, so a change is never
 * missed; a row read before a change and put after it is refused by its ticket. The session cache and the latest
 * process versions are built on it.
 */
export class NotifiedCache<Row extends object> {
  private readonly logger = new Logger(this.constructor.name);
  private readonly entries = new Map<string, { row: Row; until: number }>();
  private generation = 0;
  private listening = false;
  private unsubscribe?: () => void;
  private closed = false;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly listener: PgListener,
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
    return this.unsubscribe ? this.listener.ready(this.options.channel) : false;
  }

  /** Stops listening for good (the api is stopping); the shared connection is the listener's to close. */
  async close(): Promise<void> {
    this.closed = true;
    this.listening = false;
    this.clear();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private listen(): void {
    if (this.unsubscribe || this.closed || this.options.ttlMs === 0) return;
    this.unsubscribe = this.listener.subscribe(this.options.channel, {
      notification: (payload) => {
        const matches = this.options.affected?.(payload);
        if (matches) this.forget(matches);
        else this.clear();
        const waiters = this.waiters;
        this.waiters = [];
        for (const resolve of waiters) resolve();
      },
      // Rows read before LISTEN took effect may predate a change this process was not told about.
      listening: () => {
        this.clear();
        this.listening = !this.closed;
      },
      lost: () => {
        this.listening = false;
        this.clear();
        this.logger.warn(this.options.lostMessage);
      },
    });
  }
}

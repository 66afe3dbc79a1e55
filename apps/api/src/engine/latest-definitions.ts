import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';

/** The channel a deployment notifies (with its key) when its transaction commits, in whichever api process it ran. */
export const DEFINITION_DEPLOYED_CHANNEL = 'zw_definition_deployed';
/** More keys than this in one process's cache: it starts afresh (a bound on memory, not a policy). */
const MAX_ENTRIES = 1_000;

/** A ticket taken before reading a definition: the row read may be kept only if no deployment came meanwhile. */
export type LatestTicket = number;

/**
 * The latest version of each process key this api process started, so a start does not read it again (a start
 * through HTTP read it twice: for the start form, then for the start). Kept only while this process listens on
 * DEFINITION_DEPLOYED_CHANNEL: a deployment on any api process notifies it at commit and every listening process
 * forgets what it kept. Without the listener (not yet connected, connection lost) nothing is kept and every start
 * reads the latest version. A notification still on its way cannot start an old version either: the start's own
 * INSERT refuses when a newer version of the key is committed (EngineService.startIn), which then forgets the key and
 * reads it again. The same shape as the session cache (identity/session-cache.ts).
 */
export class LatestDefinitions<Row extends object> {
  private readonly logger = new Logger(LatestDefinitions.name);
  private readonly entries = new Map<string, Row>();
  private generation = 0;
  private listening = false;
  private connection?: Promise<Client>;
  private retryAt = 0;
  private closed = false;
  private waiters: (() => void)[] = [];

  constructor(private readonly dataSource: DataSource) {}

  /** The row kept for `key`, if any (and only while listening). */
  get(key: string): Row | undefined {
    if (!this.listening) {
      this.listen();
      return undefined;
    }
    return this.entries.get(key);
  }

  /** Take before reading the row to keep. */
  ticket(): LatestTicket {
    return this.generation;
  }

  /** Keeps `row` unless a deployment came (or the listener was lost) since `ticket` was taken. */
  put(key: string, row: Row, ticket: LatestTicket): void {
    if (!this.listening || ticket !== this.generation) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, row);
  }

  /** Forgets every kept row; rows being read now will not be kept. */
  clear(): void {
    this.generation += 1;
    this.entries.clear();
  }

  /** How many keys are kept (for tests). */
  get size(): number {
    return this.entries.size;
  }

  /** Whether this process is listening, so rows may be kept (for tests). */
  get active(): boolean {
    return this.listening;
  }

  /** Resolves at the next deployment notified (for tests: a deployment elsewhere has reached this process). */
  nextChange(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Starts listening (if not yet); resolves once listening, or false when the connection failed. */
  async start(): Promise<boolean> {
    this.listen();
    return (await this.connection?.then(() => true).catch(() => false)) ?? false;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listening = false;
    this.clear();
    const client = await this.connection?.catch(() => undefined);
    await client?.end().catch(() => undefined);
  }

  private listen(): void {
    if (this.connection || this.closed || Date.now() < this.retryAt) return;
    const options = this.dataSource.options as { url?: string };
    // Named so an operator (and the test of a lost connection) can tell it in pg_stat_activity.
    const client = new Client({ connectionString: options.url, application_name: 'zw-definition-cache' });
    // Assigned right below; the callbacks that compare with it run after that.
    let connecting: Promise<Client> | undefined = undefined;
    const lose = (error?: Error): void => {
      if (this.connection !== connecting) return;
      if (!this.closed)
        this.logger.warn({ err: error }, 'definition cache listener lost; every start reads the latest version until it is back');
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
      await client.query(`LISTEN ${DEFINITION_DEPLOYED_CHANNEL}`);
      if (this.connection === connecting && !this.closed) {
        // Rows read before LISTEN took effect may predate a deployment this process was not told about.
        this.clear();
        this.listening = true;
      }
      return client;
    })();
    this.connection = connecting;
    connecting.catch((error: unknown) => lose(error instanceof Error ? error : undefined));
  }
}

import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { OneAtATime } from './one-at-a-time';

/** The listening connection's application_name, so an operator (and the lost-connection tests) can tell it. */
export const LISTENER_APPLICATION_NAME = 'zw-listener';
const RECONNECT_MS = 1_000;

/** What a feature hears on its channel. */
export interface ChannelSubscriber {
  /** A notification, with its payload ('' when none). */
  notification(payload: string): void;
  /** Listening on the channel now (the first time, or again after a loss: what was committed meanwhile was not heard). */
  listening?(): void;
  /** The connection is gone: nothing is heard until `listening` again. */
  lost?(): void;
}

/**
 * The one LISTEN connection of an api process, shared by every channel (session cache, latest process versions,
 * external-task long polls, bell streams): one connection beside the pool instead of one per feature. Opened at the
 * first subscription; a lost connection (an error, or a server that ends it cleanly on restart) tells every subscriber
 * and is opened again a second later, then again each second until it is back, for as long as anyone subscribes.
 */
@Injectable()
export class PgListener implements OnModuleDestroy {
  private readonly logger = new Logger(PgListener.name);
  private readonly subscribers = new Map<string, Set<ChannelSubscriber>>();
  /** Channels LISTENed on the current connection. */
  private readonly heard = new Set<string>();
  private connection?: Promise<Client>;
  private client?: Client;
  private retry?: NodeJS.Timeout;
  private closed = false;
  /** LISTENs one at a time: a subscription may come while the connection is still listening on the others. */
  private readonly listens = new OneAtATime();
  /** Whether the last attempt failed (the warning is logged once per outage, not once per second). */
  private down = false;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Subscribes to a channel (opening the connection if need be); returns the unsubscription. */
  subscribe(channel: string, subscriber: ChannelSubscriber): () => void {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a channel name: ${channel}`);
    let set = this.subscribers.get(channel);
    if (!set) this.subscribers.set(channel, (set = new Set()));
    set.add(subscriber);
    if (this.closed) return () => undefined;
    if (this.client && this.heard.has(channel)) subscriber.listening?.();
    else if (this.client) void this.listenOn(this.client, channel);
    else this.connect();
    return () => {
      const current = this.subscribers.get(channel);
      current?.delete(subscriber);
      if (current?.size === 0) this.subscribers.delete(channel);
    };
  }

  /** Whether the channel is being listened on now. */
  isListening(channel: string): boolean {
    return this.client !== undefined && this.heard.has(channel);
  }

  /** Resolves true once the channel is listened on, false when the connection cannot be opened now (or we stop). */
  async ready(channel: string): Promise<boolean> {
    if (this.isListening(channel)) return true;
    if (this.closed) return false;
    this.connect();
    const client = await this.connection?.catch(() => undefined);
    if (!client) return false;
    if (!this.heard.has(channel)) await this.listenOn(client, channel);
    return this.isListening(channel);
  }

  async onModuleDestroy(): Promise<void> {
    await this.close();
  }

  /** Stops listening for good (the api is stopping). */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    this.retry = undefined;
    const client = await this.connection?.catch(() => undefined);
    this.connection = undefined;
    this.client = undefined;
    this.heard.clear();
    await client?.end().catch(() => undefined);
  }

  private connect(): void {
    if (this.connection || this.closed || this.retry) return;
    const url = (this.dataSource.options as { url?: string }).url;
    const client = new Client({ connectionString: url, application_name: LISTENER_APPLICATION_NAME });
    let lostOnce = false;
    // Assigned right below; the callbacks that compare with it run after that.
    let connecting: Promise<Client> | undefined = undefined;
    const lose = (error?: Error): void => {
      if (lostOnce || this.connection !== connecting) return;
      lostOnce = true;
      const wasListening = this.client === client;
      this.connection = undefined;
      this.client = undefined;
      this.heard.clear();
      client.end().catch(() => undefined);
      if (this.closed) return;
      if (wasListening || !this.down) this.logger.warn({ err: error }, 'database listener lost; will reconnect every second');
      this.down = true;
      if (wasListening) for (const subscriber of this.all()) subscriber.lost?.();
      this.scheduleReconnect();
    };
    connecting = (async () => {
      await client.connect();
      client.on('notification', (message) => {
        for (const subscriber of [...(this.subscribers.get(message.channel) ?? [])]) subscriber.notification(message.payload ?? '');
      });
      client.on('error', lose);
      // A server that closes the connection cleanly (a restart) ends it without an error.
      client.on('end', () => lose());
      if (this.connection !== connecting || this.closed) throw new Error('the api is stopping');
      this.client = client;
      this.down = false;
      for (const channel of [...this.subscribers.keys()]) await this.listenOn(client, channel);
      return client;
    })();
    this.connection = connecting;
    connecting.catch((error: unknown) => lose(error instanceof Error ? error : undefined));
  }

  /** LISTENs on one more channel of the open connection, then tells that channel's subscribers. */
  private listenOn(client: Client, channel: string): Promise<void> {
    return this.listens.run(async () => {
      if (this.client !== client || this.heard.has(channel)) return;
      try {
        await client.query(`LISTEN ${channel}`);
      } catch {
        // The connection failed under the query: its 'error' or 'end' handler takes it from here.
        return;
      }
      if (this.client !== client || this.heard.has(channel)) return;
      this.heard.add(channel);
      for (const subscriber of [...(this.subscribers.get(channel) ?? [])]) subscriber.listening?.();
    });
  }

  private scheduleReconnect(): void {
    if (this.closed || this.retry || this.subscribers.size === 0) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.connect();
    }, RECONNECT_MS);
    this.retry.unref();
  }

  private all(): ChannelSubscriber[] {
    return [...this.subscribers.values()].flatMap((set) => [...set]);
  }
}

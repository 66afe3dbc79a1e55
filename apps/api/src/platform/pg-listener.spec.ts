import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database';
import { LISTENER_APPLICATION_NAME, PgListener, type ChannelSubscriber } from './pg-listener';

/**
 * The api process's one LISTEN connection, shared by every channel (real PostgreSQL): one connection however many
 * channels, every subscriber told of a loss and of the return, and notifications after it heard again.
 */
describe('PgListener: one LISTEN connection per api process', () => {
  let db: TestDatabase;
  let listener: PgListener;

  /** A subscriber that records what it heard. */
  const recorder = () => {
    const heard: string[] = [];
    const subscriber: ChannelSubscriber = {
      notification: (payload) => heard.push(`n:${payload}`),
      listening: () => heard.push('listening'),
      lost: () => heard.push('lost'),
    };
    return { heard, subscriber };
  };
  const until = async (what: () => boolean, label: string, ms = 10_000) => {
    const deadline = Date.now() + ms;
    while (!what()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const listeners = async () =>
    (
      await db.dataSource.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()`,
        [LISTENER_APPLICATION_NAME],
      )
    )[0].n as number;
  const notify = (channel: string, payload: string) => db.dataSource.query(`SELECT pg_notify($1, $2)`, [channel, payload]);

  beforeAll(async () => {
    db = await createTestDatabase({ seed: false });
    listener = new PgListener({ options: { url: db.url } } as unknown as DataSource);
  });
  afterAll(async () => {
    await listener.close();
    await db.drop();
  });

  it('listens on every channel over one connection, also on a channel subscribed after it opened', async () => {
    const a = recorder();
    const b = recorder();
    listener.subscribe('zw_test_a', a.subscriber);
    expect(await listener.ready('zw_test_a')).toBe(true);
    listener.subscribe('zw_test_b', b.subscriber);
    expect(await listener.ready('zw_test_b')).toBe(true);
    expect(await listeners()).toBe(1);
    await notify('zw_test_a', 'one');
    await notify('zw_test_b', 'two');
    await until(() => a.heard.includes('n:one') && b.heard.includes('n:two'), 'both notifications');
    // Each hears its own channel only.
    expect(a.heard).toEqual(['listening', 'n:one']);
    expect(b.heard).toEqual(['listening', 'n:two']);
  });

  it('tells every subscriber of a lost connection, opens it again by itself, and they hear again', async () => {
    const a = recorder();
    const b = recorder();
    listener.subscribe('zw_test_c', a.subscriber);
    listener.subscribe('zw_test_d', b.subscriber);
    await listener.ready('zw_test_c');
    await listener.ready('zw_test_d');
    await db.dataSource.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()`,
      [LISTENER_APPLICATION_NAME],
    );
    await until(() => a.heard.includes('lost') && b.heard.includes('lost'), 'the loss');
    expect(listener.isListening('zw_test_c')).toBe(false);
    // Nobody asks: it comes back on its own (about a second later) and says so.
    await until(
      () => a.heard.filter((e) => e === 'listening').length === 2 && b.heard.filter((e) => e === 'listening').length === 2,
      'the return',
    );
    expect(await listeners()).toBe(1);
    await notify('zw_test_c', 'after');
    await until(() => a.heard.includes('n:after'), 'a notification after the return');
    expect(a.heard).toEqual(['listening', 'lost', 'listening', 'n:after']);
  });

  it('an unsubscribed subscriber hears nothing more', async () => {
    const a = recorder();
    const off = listener.subscribe('zw_test_e', a.subscriber);
    await listener.ready('zw_test_e');
    off();
    const b = recorder();
    listener.subscribe('zw_test_e', b.subscriber);
    await notify('zw_test_e', 'x');
    await until(() => b.heard.includes('n:x'), 'the notification');
    expect(a.heard).toEqual(['listening']);
  });

  it('sends one LISTEN at a time, also when channels are subscribed while it is still listening on others', async () => {
    const fresh = new PgListener({ options: { url: db.url } } as unknown as DataSource);
    const query = Client.prototype.query;
    const running = new WeakMap<object, number>();
    let overlapped = 0;
    // Every query of any pg client in this test: the listener's own are the LISTENs.
    Client.prototype.query = function (this: Client, ...args: unknown[]) {
      const n = running.get(this) ?? 0;
      if (n > 0) overlapped += 1;
      running.set(this, n + 1);
      const result = (query as (...a: unknown[]) => unknown).apply(this, args);
      if (result instanceof Promise) void result.finally(() => running.set(this, (running.get(this) ?? 1) - 1)).catch(() => undefined);
      else running.set(this, n);
      return result;
    } as typeof query;
    try {
      const channels = Array.from({ length: 6 }, (_, i) => `zw_test_many_${i}`);
      for (const channel of channels.slice(0, 3)) fresh.subscribe(channel, recorder().subscriber);
      await fresh.ready(channels[0]);
      for (const channel of channels.slice(3)) fresh.subscribe(channel, recorder().subscriber);
      for (const channel of channels) expect(await fresh.ready(channel)).toBe(true);
    } finally {
      Client.prototype.query = query;
      await fresh.close();
    }
    expect(overlapped).toBe(0);
  });

  it('answers ready() false at once when the database cannot be reached, and nothing once closed', async () => {
    const url = new URL(db.url);
    url.port = '1';
    const away = new PgListener({ options: { url: url.toString() } } as unknown as DataSource);
    const a = recorder();
    away.subscribe('zw_test_f', a.subscriber);
    const started = Date.now();
    expect(await away.ready('zw_test_f')).toBe(false);
    expect(Date.now() - started).toBeLessThan(5_000);
    await away.close();
    expect(await away.ready('zw_test_f')).toBe(false);
    // Never listening, so never lost either.
    expect(a.heard).toEqual([]);
  });
});

import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createTestApp, type TestApp } from '../../../../test/support/test-app';
import { TEST_PASSWORD } from '../../../../test/support/test-database';
import { createHttpApp } from '../platform/http-app';
import { AccountLocks } from './account-locks';

/**
 * Replicas: two complete api applications on one database, as two api processes of `npm start`
 * are (each has its own AuthService queue and its own lock connection).
 */
describe('one login attempt per account across api processes', () => {
  let t: TestApp;
  let other: INestApplication;

  beforeAll(async () => {
    t = await createTestApp();
    other = await createHttpApp(t.config, t.db.url);
    await other.init();
  });
  afterAll(async () => {
    await other.close();
    await t.close();
  });

  // First: the burst below fails often enough from this address to have its logins refused (429) for a while.
  it('takes the locks of different accounts at once over its one connection, one statement at a time', async () => {
    const login = (username: string) => request(t.app.getHttpServer()).post('/api/auth/login').send({ username, password: TEST_PASSWORD });
    expect((await login('hejun')).status).toBe(200);
    // The lock connection is open now: count the statements sent to it while another is still running.
    const client = (t.app.get(AccountLocks) as unknown as { current: { query: (...args: unknown[]) => Promise<unknown> } }).current;
    const query = client.query.bind(client);
    let running = 0;
    let overlapped = 0;
    client.query = async (...args: unknown[]) => {
      if (running > 0) overlapped += 1;
      running += 1;
      try {
        return await query(...args);
      } finally {
        running -= 1;
      }
    };
    try {
      const names = ['lina', 'wufang', 'yangfan', 'zhangwei', 'hejun', 'lina', 'wufang', 'yangfan'];
      const answers = await Promise.all(names.map(login));
      expect(answers.map((r) => r.status)).toEqual(names.map(() => 200));
    } finally {
      client.query = query;
    }
    // pg would queue them itself, but that is deprecated (and gone in pg 9).
    expect(overlapped).toBe(0);
  });

  it('checks no more than LOGIN_MAX_FAILURES passwords of a burst spread over two processes', async () => {
    const apps = [t.app, other];
    // 32 guesses at once, alternating between the processes; the right password comes last.
    const burst = Array.from({ length: 32 }, (_, i) =>
      request(apps[i % 2].getHttpServer())
        .post('/api/auth/login')
        .send({ username: 'xutao', password: i === 31 ? TEST_PASSWORD : `Wrong#Burst${i}` }),
    );
    const statuses = (await Promise.all(burst)).map((r) => r.status);
    const [{ tried }] = await t.db.dataSource.query(
      `SELECT count(*)::int AS tried FROM audit_log WHERE action = 'auth.login' AND username = 'xutao' AND detail->>'reason' = 'wrong-password'`,
    );
    expect(statuses.every((s) => s === 401 || s === 423)).toBe(true);
    expect(tried).toBe(t.config.maxLoginFailures);
    const [xutao] = await t.db.dataSource.query(`SELECT locked_until > now() AS locked FROM users WHERE username = 'xutao'`);
    expect(xutao.locked).toBe(true);
  });

  it('lets the other process have the account once the holder is done, and after its lock connection was lost', async () => {
    const mine = t.app.get(AccountLocks);
    const theirs = other.get(AccountLocks);
    const order: string[] = [];
    let release!: () => void;
    const held = mine.run('someone', async () => {
      order.push('first in');
      await new Promise<void>((resolve) => (release = resolve));
      order.push('first out');
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const waiting = theirs.run('someone', async () => void order.push('second'));
    // Another account is not held up.
    await theirs.run('someone-else', async () => void order.push('unrelated'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    release();
    await Promise.all([held, waiting]);
    expect(order).toEqual(['first in', 'unrelated', 'first out', 'second']);

    // The holder's connection dies mid-attempt: PostgreSQL frees the lock, and both sides carry on.
    const killed = mine.run('someone', async () => {
      await t.db.dataSource.query(
        `SELECT pg_terminate_backend(l.pid) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
          WHERE l.locktype = 'advisory' AND l.classid = 7242010 AND l.granted AND d.datname = current_database()`,
      );
      return 'ran';
    });
    await expect(killed).resolves.toBe('ran');
    await expect(theirs.run('someone', async () => 'after')).resolves.toBe('after');
    await expect(mine.run('someone', async () => 'again')).resolves.toBe('again');
  });
});

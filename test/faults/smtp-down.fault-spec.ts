import { TestSmtp } from '../support/smtp';
import { createTestApp, type TestApp } from '../support/test-app';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';
import { call, deploy, FLOW_XML, login, reliability, sleep, waitFor } from './support';

const TOKEN = 'fault-smtp-worker-token-0123456789';

/**
 * Fault 4: the SMTP server goes away for a while and comes back on the same port. The notifications
 * written meanwhile wait in the outbox (their failed attempts recorded), then each is delivered
 * exactly once — counted by Message-ID on the server — by the real worker process, unaided.
 */
describe('fault: SMTP server down for a while', () => {
  let t: TestApp | undefined;
  let workers: WorkerProcess | undefined;
  const servers: TestSmtp[] = [];

  afterAll(async () => {
    await workers?.stop();
    for (const s of servers) await s.stop();
    await t?.close();
  });

  it('keeps the mail in the outbox while SMTP is down and delivers each message once when it returns', async () => {
    const first = new TestSmtp();
    servers.push(first);
    await first.start();
    const smtpPort = first.port;
    // Short retry waits so the outage and the recovery fit in a test; the logic is the production one.
    t = await createTestApp({ WORKER_TOKEN: TOKEN, MAIL_RETRY_BASE_MS: '500', MAIL_RETRY_MAX_MS: '2000' });
    await t.app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${(t.app.getHttpServer().address() as { port: number }).port}`;
    workers = await startWorkerProcess(base, TOKEN, { SMTP_URL: `smtp://127.0.0.1:${smtpPort}` });
    const admin = await login(base, 'admin');
    const lina = await login(base, 'lina');
    await deploy(base, admin.token, FLOW_XML);
    const q = t.db.dataSource;

    // Each new case gives lina a 待办 and so one `task.created` mail.
    const newCases = async (n: number, tag: string): Promise<string[]> => {
      const ids: string[] = [];
      for (let i = 0; i < n; i += 1) {
        const res = await call<{ id: string }>(`${base}/api/process-instances`, {
          token: admin.token,
          body: { key: 'fault-flow', businessKey: `${tag}-${i}`, variables: { assignee: lina.userId } },
        });
        expect(res.status).toBe(201);
        ids.push(res.body.id);
      }
      const rows: { id: string }[] = await q.query(
        `SELECT o.id::text FROM outbox o JOIN tasks t ON t.id::text = o.payload->>'taskId' WHERE o.topic = 'task.created' AND t.instance_id = ANY($1)`,
        [ids],
      );
      expect(rows).toHaveLength(n);
      return rows.map((r) => r.id);
    };
    const messageIds = (): string[] => servers.flatMap((s) => s.received.map((r) => r.mail.messageId ?? ''));
    const idOf = (outboxId: string): string => `<outbox-${outboxId}@zhengwu.local>`;

    const before = await newCases(3, 'smtp-up');
    await waitFor('the first mails', async () => before.every((id) => messageIds().includes(idOf(id))), 30_000);

    await first.stop();
    const downAt = Date.now();
    const during = await newCases(8, 'smtp-down');
    // Tried and failed, and waiting: every message has a recorded failure and none was delivered.
    await waitFor(
      'failed attempts on every message written during the outage',
      async () => {
        const rows: { attempts: number; status: string }[] = await q.query(
          `SELECT attempts, status FROM outbox WHERE id = ANY($1::bigint[])`,
          [during],
        );
        return rows.every((r) => r.attempts >= 1 && r.status === 'pending');
      },
      30_000,
    );
    await sleep(5000); // long enough for retries with backoff
    const waiting: { attempts: number; status: string; last_error: string | null }[] = await q.query(
      `SELECT attempts, status, last_error FROM outbox WHERE id = ANY($1::bigint[])`,
      [during],
    );
    const receivedWhileDown = messageIds().length - before.length;

    const second = new TestSmtp();
    servers.push(second);
    await second.start(smtpPort);
    const upAt = Date.now();
    await waitFor(
      'the waiting mail after SMTP returns',
      async () => {
        const [{ n }]: { n: number }[] = await q.query(
          `SELECT count(*)::int AS n FROM outbox WHERE id = ANY($1::bigint[]) AND status = 'delivered'`,
          [during],
        );
        return n === during.length && during.every((id) => messageIds().includes(idOf(id)));
      },
      60_000,
      100,
    );
    const deliveredAfterMs = Date.now() - upAt;
    await sleep(3000); // a late duplicate would arrive now
    const all = messageIds();
    const counts = new Map<string, number>();
    for (const id of all) counts.set(id, (counts.get(id) ?? 0) + 1);
    const expected = [...before, ...during].map(idOf);

    reliability('smtp-down', {
      mailsBefore: before.length,
      mailsWrittenWhileDown: during.length,
      downMs: upAt - downAt,
      receivedWhileDown,
      failedAttemptsWhileDown: waiting.reduce((n, r) => n + r.attempts, 0),
      waitingInOutbox: waiting.filter((r) => r.status === 'pending').length,
      deliveredAfterReturnMs: deliveredAfterMs,
      messagesOnServer: all.length,
      distinctMessageIds: counts.size,
      duplicates: [...counts.values()].filter((n) => n > 1).length,
      missing: expected.filter((id) => !counts.has(id)).length,
    });
    expect(receivedWhileDown).toBe(0);
    expect(waiting.every((r) => r.status === 'pending' && r.attempts >= 1 && !!r.last_error)).toBe(true);
    expect(expected.filter((id) => counts.get(id) !== 1)).toEqual([]);
    expect(all).toHaveLength(expected.length);
    expect(second.received.map((r) => r.envelope)).toEqual(during.map(() => [expect.stringContaining('@')]));
  });
});

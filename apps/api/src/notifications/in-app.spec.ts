import type { INestApplication } from '@nestjs/common';
import { request as httpRequest, type ClientRequest } from 'node:http';
import { DataSource } from 'typeorm';
import { createHttpApp } from '../platform/http-app';
import { createTestApp, type TestApp } from '../../../../test/support/test-app';
import { DefinitionsService } from '../engine/definitions.service';
import { EngineService } from '../engine/engine.service';
import { NotificationHub } from './notification-hub';
import { OutboxRenderer } from './outbox-renderer';

const TOKEN = 'bell-test-worker-token-0123456789';

const DIAGRAM = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D_bell" targetNamespace="t">
<process id="bell-test" name="站内通知测试流程" isExecutable="true" camunda:historyTimeToLive="P1D">
  <startEvent id="s" /><sequenceFlow id="f0" sourceRef="s" targetRef="draft" />
  <userTask id="draft" name="拟稿" camunda:assignee="\${drafter}" /><sequenceFlow id="f1" sourceRef="draft" targetRef="review" />
  <userTask id="review" name="核稿" camunda:candidateGroups="reviewer" /><sequenceFlow id="f2" sourceRef="review" targetRef="done" />
  <endEvent id="done" />
</process></definitions>`;

interface StreamEvent {
  type: string;
  data: { unread?: number; notification?: { id: string; title: string; link: string; kind: string } };
}

/** A server-sent-events reader over plain HTTP, as EventSource would read the stream. */
function openStream(
  baseUrl: string,
  ticket: string,
): Promise<{ status: number; headers: Record<string, unknown>; events: StreamEvent[]; close: () => void; body: string }> {
  return new Promise((resolve, reject) => {
    const events: StreamEvent[] = [];
    let buffer = '';
    const req: ClientRequest = httpRequest(`${baseUrl}/api/me/notifications/stream?ticket=${encodeURIComponent(ticket)}`, {
      headers: { Accept: 'text/event-stream' },
    });
    req.on('response', (res) => {
      res.setEncoding('utf8');
      const result = { status: res.statusCode ?? 0, headers: res.headers, events, close: () => req.destroy(), body: '' };
      if (res.statusCode !== 200) {
        res.on('data', (chunk: string) => (result.body += chunk));
        res.on('end', () => resolve(result));
        return;
      }
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const type = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (data) events.push({ type, data: JSON.parse(data) as StreamEvent['data'] });
        }
      });
      res.on('error', () => undefined);
      resolve(result);
    });
    req.on('error', (error) => (events.length === 0 ? reject(error) : undefined));
    req.end();
  });
}

async function until<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the bell: in-app notifications written with the outbox', () => {
  let t: TestApp;
  let replica: INestApplication;
  let baseUrl: string;
  let replicaUrl: string;
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc test queries
  const q = (sql: string, params: unknown[] = []): Promise<any[]> => t.app.get(DataSource).query(sql, params);
  const as = (who: string) => ({
    get: (path: string) => t.http().get(path).set('Authorization', `Bearer ${tokens[who]}`),
    post: (path: string, body: Record<string, unknown> = {}) =>
      t.http().post(path).set('Authorization', `Bearer ${tokens[who]}`).send(body),
    put: (path: string, body: Record<string, unknown>) => t.http().put(path).set('Authorization', `Bearer ${tokens[who]}`).send(body),
  });
  const ticketFor = async (who: string): Promise<string> => {
    const res = await as(who).post('/api/me/notifications/stream-ticket');
    expect(res.status).toBe(200);
    return res.body.ticket as string;
  };

  /** lina sends her 拟稿 on: the 核稿 goes to 规划司's reviewers (yangfan among them). */
  const caseAtReview = async (title: string) => {
    const [unit] = await q(`SELECT unit_id FROM users WHERE username = 'lina'`);
    const { id } = await t.app.get(EngineService).startProcess('bell-test', {
      variables: { drafter: ids.lina, title },
      ownerUnitId: unit.unit_id,
      startedBy: ids.lina,
    });
    const [draft] = await q(`SELECT id FROM tasks WHERE instance_id = $1 AND activity_id = 'draft'`, [id]);
    const res = await as('lina').post(`/api/tasks/${draft.id}/actions`, { action: 'approve', comment: '请核稿' });
    expect(res.status).toBe(200);
    const [review] = await q(`SELECT id FROM tasks WHERE instance_id = $1 AND activity_id = 'review'`, [id]);
    const [outbox] = await q(`SELECT id::text FROM outbox WHERE topic = 'task.created' AND payload->>'taskId' = $1`, [review.id]);
    return { reviewTaskId: review.id as string, outboxId: outbox.id as string };
  };

  beforeAll(async () => {
    process.env.ZW_DISABLE_SCHEDULER = '1';
    t = await createTestApp({ WORKER_TOKEN: TOKEN });
    await t.app.listen(0, '127.0.0.1');
    baseUrl = await t.app.getUrl();
    // A second API replica over the same database: streams on it hear notices committed through the first.
    replica = await createHttpApp(t.config, t.db.url);
    await replica.listen(0, '127.0.0.1');
    replicaUrl = await replica.getUrl();
    await t.app.get(DefinitionsService).deploy(DIAGRAM, { source: 'test' });
    for (const name of ['lina', 'yangfan']) {
      tokens[name] = await t.login(name);
      ids[name] = (await q(`SELECT id FROM users WHERE username = $1`, [name]))[0].id;
    }
  });
  afterAll(async () => {
    await replica?.close();
    await t.close();
  });

  it('gives each reviewer a bell notice for the new task, tied to the very outbox row mail uses, and none to the sender', async () => {
    const { reviewTaskId, outboxId } = await caseAtReview('关于报送年度规划实施情况的报告');
    const rows = await q(`SELECT user_id, kind, title, link, read_at, outbox_id::text FROM user_notifications WHERE outbox_id = $1`, [
      outboxId,
    ]);
    const reviewers = await q(
      `SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = 'reviewer'
        WHERE u.unit_id = (SELECT unit_id FROM users WHERE username = 'lina') AND u.is_active ORDER BY u.id`,
    );
    expect(reviewers.length).toBeGreaterThan(0);
    expect(rows.map((r) => r.user_id).sort()).toEqual(reviewers.map((r) => r.id).sort());
    for (const row of rows) {
      expect(row).toMatchObject({
        kind: 'assigned',
        title: '【待办】关于报送年度规划实施情况的报告——核稿',
        link: `/tasks/${reviewTaskId}`,
        read_at: null,
      });
    }
    // lina's own 拟稿 was hers already (she started it): no bell for her own act.
    const linaRows = await q(`SELECT title FROM user_notifications WHERE user_id = $1`, [ids.lina]);
    expect(linaRows.filter((r) => String(r.title).includes('关于报送年度规划实施情况的报告'))).toEqual([]);
  });

  it('writes the bell notice and the outbox row together: a rolled-back transaction leaves neither', async () => {
    const { reviewTaskId } = await caseAtReview('回滚测试');
    const payload = JSON.stringify({ taskId: reviewTaskId, to: ids.yangfan, by: ids.lina, marker: 'rollback' });
    await expect(
      t.app.get(DataSource).transaction(async (m) => {
        await m.query(`INSERT INTO outbox (topic, payload) VALUES ('task.urged', $1)`, [payload]);
        throw new Error('the feature failed after queueing its notice');
      }),
    ).rejects.toThrow('the feature failed');
    expect(await q(`SELECT 1 FROM outbox WHERE payload->>'marker' = 'rollback'`)).toEqual([]);
    expect(await q(`SELECT 1 FROM user_notifications WHERE topic = 'task.urged' AND link = $1`, [`/tasks/${reviewTaskId}`])).toEqual([]);

    const committed = JSON.stringify({ taskId: reviewTaskId, to: ids.yangfan, by: ids.lina, marker: 'commit' });
    await t.app.get(DataSource).transaction(async (m) => {
      await m.query(`INSERT INTO outbox (topic, payload) VALUES ('task.urged', $1)`, [committed]);
    });
    const [outbox] = await q(`SELECT id::text FROM outbox WHERE payload->>'marker' = 'commit'`);
    const notices = await q(`SELECT user_id, kind, title FROM user_notifications WHERE outbox_id = $1`, [outbox.id]);
    expect(notices).toEqual([{ user_id: ids.yangfan, kind: 'urged', title: '【催办】回滚测试——核稿' }]);
  });

  it('lets nobody read or mark another person’s notice', async () => {
    await caseAtReview('越权测试');
    const mine = await as('yangfan').get('/api/me/notifications?order=newest');
    expect(mine.status).toBe(200);
    const target = mine.body.items.find((n: { title: string }) => n.title.includes('越权测试'));
    expect(target).toBeDefined();
    expect(mine.body.unread).toBeGreaterThan(0);

    const others = await as('lina').get('/api/me/notifications?limit=100');
    expect(others.body.items.map((n: { id: string }) => n.id)).not.toContain(target.id);
    const denied = await as('lina').post(`/api/me/notifications/${target.id}/read`);
    expect([denied.status, denied.body.code]).toEqual([404, 'NOT_FOUND']);
    const missing = await as('lina').post('/api/me/notifications/999999999/read');
    expect([missing.status, missing.body.code]).toEqual([404, 'NOT_FOUND']);
    await as('lina').post('/api/me/notifications/read-all');
    expect((await q(`SELECT read_at FROM user_notifications WHERE id = $1`, [target.id]))[0].read_at).toBeNull();

    const read = await as('yangfan').post(`/api/me/notifications/${target.id}/read`);
    expect(read.status).toBe(200);
    expect(read.body.notification.readAt).not.toBeNull();
    expect(read.body.unread).toBe(mine.body.unread - 1);
    const all = await as('yangfan').post('/api/me/notifications/read-all');
    expect(all.body).toEqual({ marked: mine.body.unread - 1, unread: 0 });
    const unreadFirst = await as('yangfan').get('/api/me/notifications');
    expect(unreadFirst.body.unread).toBe(0);
  });

  it('streams a new notice to its person only, across replicas, and a stream ticket opens one stream once', async () => {
    const yangfanTicket = await ticketFor('yangfan');
    const yangfan = await openStream(replicaUrl, yangfanTicket);
    const lina = await openStream(baseUrl, await ticketFor('lina'));
    try {
      expect([yangfan.status, lina.status]).toEqual([200, 200]);
      expect(yangfan.headers).toMatchObject({ 'content-type': expect.stringContaining('text/event-stream'), 'x-accel-buffering': 'no' });
      await until(() => yangfan.events.find((e) => e.type === 'unread'), 'the first count on the stream');
      await until(() => lina.events.find((e) => e.type === 'unread'), 'the first count on the other stream');
      const before = yangfan.events.length;
      // Committed through the first replica; yangfan's stream is on the second.
      const { reviewTaskId } = await caseAtReview('实时推送测试');
      const pushed = await until(
        () => yangfan.events.slice(before).find((e) => e.type === 'notification' && e.data.notification?.title.includes('实时推送测试')),
        'the pushed notice',
      );
      expect(pushed.data.notification).toMatchObject({ kind: 'assigned', link: `/tasks/${reviewTaskId}` });
      const [{ unread }] = await q(`SELECT count(*)::int AS unread FROM user_notifications WHERE user_id = $1 AND read_at IS NULL`, [
        ids.yangfan,
      ]);
      expect(pushed.data.unread).toBe(unread);
      // lina sent it: her stream stays quiet about it.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(lina.events.filter((e) => e.type === 'notification')).toEqual([]);

      // Read on another page: this stream's count follows (0 after 全部已读).
      const afterPush = yangfan.events.length;
      expect((await as('yangfan').post('/api/me/notifications/read-all')).body.unread).toBe(0);
      await until(
        () => yangfan.events.slice(afterPush).find((e) => e.type === 'unread' && e.data.unread === 0),
        'the count after 全部已读',
      );

      const reused = await openStream(baseUrl, yangfanTicket);
      expect(reused.status).toBe(401);
      expect(JSON.parse(reused.body).code).toBe('STREAM_TICKET_INVALID');
      const forged = await openStream(baseUrl, 'A'.repeat(43));
      expect(forged.status).toBe(401);
      const malformed = await openStream(baseUrl, 'short');
      expect(malformed.status).toBe(401);
    } finally {
      yangfan.close();
      lina.close();
    }
    await until(() => replica.get(NotificationHub).streams === 0 && t.app.get(NotificationHub).streams === 0, 'streams closed');
  });

  it('catches a stream up after the listening connection was lost: nothing committed meanwhile stays uncounted', async () => {
    const stream = await openStream(baseUrl, await ticketFor('yangfan'));
    try {
      await until(() => stream.events.find((e) => e.type === 'unread'), 'the first count');
      const killed = await q(
        `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
          WHERE application_name = 'zw-listener' AND datname = current_database()`,
      );
      expect(killed.length).toBeGreaterThan(0);
      await caseAtReview('断线补数测试');
      const count = async () =>
        (await q(`SELECT count(*)::int AS n FROM user_notifications WHERE user_id = $1 AND read_at IS NULL`, [ids.yangfan]))[0].n as number;
      const expected = await count();
      // Either the notice itself (listening again before the commit) or a recount after the reconnect says it.
      await until(() => stream.events.some((e) => e.data.unread === expected), 'the count after the reconnect');
      // And the stream goes on: the next notice arrives as a notice.
      await caseAtReview('断线之后的推送');
      await until(
        () => stream.events.find((e) => e.type === 'notification' && e.data.notification?.title.includes('断线之后的推送')),
        'a notice after the reconnect',
      );
    } finally {
      stream.close();
    }
  });

  it('refuses a stream ticket whose session has ended', async () => {
    const token = await t.login('yangfan');
    const res = await t.http().post('/api/me/notifications/stream-ticket').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    const { sid } = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { sid: string };
    await q(`UPDATE sessions SET revoked_at = now() WHERE id = $1`, [sid]);
    const stream = await openStream(baseUrl, res.body.ticket);
    expect(stream.status).toBe(401);
  });

  it('rings the bell for the same people the mail renderer addresses, topic by topic, with the mail’s subject', async () => {
    const [unit] = await q(`SELECT unit_id FROM users WHERE username = 'lina'`);
    const { reviewTaskId } = await caseAtReview('受众一致性测试');
    const [task] = await q(`SELECT instance_id FROM tasks WHERE id = $1`, [reviewTaskId]);
    const someId = '0b6f2c1e-8a2d-4c8e-9f3b-2d1c0a9e8f7d';
    const payloads: [string, Record<string, unknown>, string][] = [
      [
        'document.result',
        { documentId: someId, to: ids.lina, title: '关于某事的通知', docNumber: '国土资发〔2026〕1号', result: '已办结' },
        `/documents/${someId}`,
      ],
      ['document.refused', { documentId: someId, to: ids.lina, title: '退文测试', unitId: unit.unit_id }, `/documents/${someId}`],
      ['approval.result', { approvalId: someId, unitId: unit.unit_id, subject: '【审批结果】A-1“建设用地”：批准' }, `/approvals/${someId}`],
      [
        'filing.returned',
        { filingId: someId, recipients: [ids.lina], subject: '《备案》被单位领导退回修改：请补充' },
        `/filings/${someId}`,
      ],
      [
        'document.receipt.overdue',
        { toUnit: unit.unit_id, toRole: 'drafter', documentId: someId, subject: '催办：公文《X》尚未签收' },
        `/documents/${someId}`,
      ],
      ['instance.terminated', { instanceId: task.instance_id, by: ids.yangfan, reason: '重复申报' }, '/tasks?view=started'],
      ['task.transferred', { taskId: reviewTaskId, to: ids.lina, by: ids.yangfan }, `/tasks/${reviewTaskId}`],
    ];
    for (const [topic, payload, link] of payloads) {
      // One transaction per notice, as a feature writes it (instance.terminated alone in its own).
      await t.app
        .get(DataSource)
        .transaction((m) => m.query(`INSERT INTO outbox (topic, payload) VALUES ($1, $2)`, [topic, JSON.stringify(payload)]));
      const [row] = await q(`SELECT id::text, topic, payload, created_at FROM outbox WHERE id = (SELECT max(id) FROM outbox)`);
      const rendered = await new OutboxRenderer(t.app.get(DataSource).manager, 'https://zw.example').render(row);
      const bell = await q(
        `SELECT u.email, n.title, n.link, n.kind FROM user_notifications n JOIN users u ON u.id = n.user_id WHERE n.outbox_id = $1`,
        [row.id],
      );
      const where = `${topic}: ${rendered.note ?? ''}`;
      expect([where, bell.length]).not.toEqual([where, 0]);
      expect([where, [...new Set(bell.map((b) => b.email as string).filter((e) => e?.includes('@')))].sort()]).toEqual([
        where,
        [...(rendered.mail?.to ?? [])].sort(),
      ]);
      for (const b of bell) expect([where, b.title, b.link]).toEqual([where, rendered.mail?.subject, link]);
    }
  });

  it('keeps the bell notice but sends no mail when the person turned that mail off', async () => {
    const worker = (body: Record<string, unknown>) =>
      t.http().post('/api/worker/outbox/fetch-and-lock').set('Authorization', `Bearer ${TOKEN}`).send(body);
    // Nothing queued before this test is ours to look at.
    await q(`UPDATE outbox SET status = 'skipped', processed_at = now(), note = 'test baseline' WHERE status = 'pending'`);
    await q(`UPDATE users SET email = 'yangfan@example.gov.cn' WHERE id = $1`, [ids.yangfan]);

    const saved = await as('yangfan').put('/api/me/notifications/preferences', { mailEnabled: true, mailOffKinds: ['urged'] });
    expect(saved.status).toBe(200);
    expect(saved.body).toEqual({ mailEnabled: true, mailOffKinds: ['urged'] });
    expect((await as('yangfan').get('/api/me/notifications/preferences')).body).toEqual(saved.body);
    expect((await as('yangfan').put('/api/me/notifications/preferences', { mailEnabled: true, mailOffKinds: ['nope'] })).status).toBe(400);

    const { reviewTaskId } = await caseAtReview('邮件开关测试');
    const urge = async () => {
      await t.app
        .get(DataSource)
        .transaction((m) =>
          m.query(`INSERT INTO outbox (topic, payload) VALUES ('task.urged', $1)`, [
            JSON.stringify({ taskId: reviewTaskId, to: ids.yangfan, by: ids.lina }),
          ]),
        );
      const [row] = await q(`SELECT max(id)::text AS id FROM outbox WHERE topic = 'task.urged'`);
      return row.id as string;
    };
    const urged = await urge();
    const [created] = await q(`SELECT id::text FROM outbox WHERE topic = 'task.created' AND payload->>'taskId' = $1`, [reviewTaskId]);
    const locked = await worker({ workerId: 'w1', maxMessages: 50 });
    expect(locked.status).toBe(200);
    const byId = new Map<string, { to: string[] }>(locked.body.map((m: { id: string; to: string[] }) => [m.id, m]));
    // 催办 is off for yangfan: no mail to him, the bell has it.
    expect(byId.has(urged)).toBe(false);
    const [urgedRow] = await q(`SELECT status, note FROM outbox WHERE id = $1`, [urged]);
    expect(urgedRow.status).toBe('skipped');
    expect(urgedRow.note).toContain('本人已关闭此类邮件：杨帆');
    expect(await q(`SELECT kind FROM user_notifications WHERE outbox_id = $1 AND user_id = $2`, [urged, ids.yangfan])).toEqual([
      { kind: 'urged' },
    ]);
    // 待办 mail is still on: the new task's mail names him.
    expect(byId.get(created.id)?.to).toContain('yangfan@example.gov.cn');

    // All mail off: the next 催办 too is bell only.
    await as('yangfan').put('/api/me/notifications/preferences', { mailEnabled: false });
    const again = await urge();
    await worker({ workerId: 'w1', maxMessages: 50 });
    expect((await q(`SELECT status FROM outbox WHERE id = $1`, [again]))[0].status).toBe('skipped');
    expect(await q(`SELECT 1 FROM user_notifications WHERE outbox_id = $1 AND user_id = $2`, [again, ids.yangfan])).toHaveLength(1);
  });

  it('opens a feature’s own page when its notice names a plain same-site link, and never a foreign one', async () => {
    const send = (subject: string, link: string) =>
      t.app
        .get(DataSource)
        .transaction((m) =>
          m.query(`INSERT INTO outbox (topic, payload) VALUES ('plan.reminder', $1)`, [
            JSON.stringify({ to: [ids.yangfan], subject, link }),
          ]),
        );
    await send('链接通知一', '/work-plans/2026?tab=items');
    await send('链接通知二', '//evil.example/x');
    await send('链接通知三', 'javascript:alert(1)');
    const rows = await q(
      `SELECT title, link FROM user_notifications WHERE user_id = $1 AND title LIKE '链接通知%' ORDER BY title COLLATE "C"`,
      [ids.yangfan],
    );
    expect(rows).toEqual([
      { title: '链接通知一', link: '/work-plans/2026?tab=items' },
      { title: '链接通知三', link: '/tasks' },
      { title: '链接通知二', link: '/tasks' },
    ]);
  });

  it('writes no notice for a payload that names nobody, and never fails the transaction for it', async () => {
    await t.app
      .get(DataSource)
      .transaction((m) =>
        m.query(`INSERT INTO outbox (topic, payload) VALUES ('filing.returned', $1)`, [
          JSON.stringify({ recipients: ['not-a-uuid', 42, null], subject: '无收件人', filingId: 'x' }),
        ]),
      );
    const [row] = await q(`SELECT id::text FROM outbox WHERE payload->>'subject' = '无收件人'`);
    expect(row).toBeDefined();
    expect(await q(`SELECT 1 FROM user_notifications WHERE outbox_id = $1`, [row.id])).toEqual([]);
  });
});

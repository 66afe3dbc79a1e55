import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { DataSource } from 'typeorm';
import { TestSmtp } from '../../../../test/support/smtp';
import { createTestApp, type TestApp } from '../../../../test/support/test-app';
import { startMailSender, type MailSender } from '../../../worker/src/mail/mail-sender';
import { DefinitionsService } from '../engine/definitions.service';
import { EngineService } from '../engine/engine.service';
import { OverdueScanner } from './overdue.scanner';

const TOKEN = 'mail-test-worker-token-0123456789';
const PUBLIC_URL = 'https://zw.example.gov.cn';

const DIAGRAM = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D_mail" targetNamespace="t">
<process id="mail-test" name="邮件测试流程" isExecutable="true" camunda:historyTimeToLive="P1D">
  <startEvent id="s" name="发起" /><sequenceFlow id="f0" sourceRef="s" targetRef="draft" />
  <userTask id="draft" name="拟稿" camunda:assignee="\${drafter}" /><sequenceFlow id="f1" sourceRef="draft" targetRef="review" />
  <userTask id="review" name="核稿" camunda:candidateGroups="reviewer" camunda:dueDate="\${workingDays(2)}" /><sequenceFlow id="f2" sourceRef="review" targetRef="done" />
  <endEvent id="done" name="办结" />
</process></definitions>`;

async function until<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('mail notifications through the outbox', () => {
  let t: TestApp;
  let baseUrl: string;
  const smtp = new TestSmtp();
  let sender: MailSender | undefined;
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const silent = pino({ level: 'silent' });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc test queries
  const q = (sql: string, params: unknown[] = []): Promise<any[]> => t.app.get(DataSource).query(sql, params);
  const worker = (path: string, body: Record<string, unknown>, token = TOKEN) =>
    t.http().post(`/api/worker/${path}`).set('Authorization', `Bearer ${token}`).send(body);
  const as = (who: string) => ({
    get: (path: string) => t.http().get(path).set('Authorization', `Bearer ${tokens[who]}`),
    post: (path: string, body: Record<string, unknown> = {}) =>
      t.http().post(path).set('Authorization', `Bearer ${tokens[who]}`).send(body),
  });

  /** lina of 规划司 starts a case and sends her 拟稿 on: the 核稿 goes to 规划司's reviewers. */
  const caseAtReview = async (title: string) => {
    const [unit] = await q(`SELECT unit_id FROM users WHERE username = 'lina'`);
    const { id } = await t.app.get(EngineService).startProcess('mail-test', {
      variables: { drafter: ids.lina, title },
      ownerUnitId: unit.unit_id,
      startedBy: ids.lina,
    });
    const [draft] = await q(`SELECT id FROM tasks WHERE instance_id = $1 AND activity_id = 'draft'`, [id]);
    const res = await as('lina').post(`/api/tasks/${draft.id}/actions`, { action: 'approve', comment: '请核稿' });
    expect(res.status).toBe(200);
    const [review] = await q(`SELECT id FROM tasks WHERE instance_id = $1 AND activity_id = 'review'`, [id]);
    const [outbox] = await q(`SELECT id::text FROM outbox WHERE topic = 'task.created' AND payload->>'taskId' = $1`, [review.id]);
    return { instanceId: id as string, reviewTaskId: review.id as string, outboxId: outbox.id as string };
  };
  const reviewersOfGhs = async () =>
    (
      await q(
        `SELECT u.email FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = 'reviewer' JOIN units un ON un.id = u.unit_id
          WHERE un.code = 'MLR-GHS' AND u.is_active ORDER BY u.email`,
      )
    ).map((row: { email: string }) => row.email);
  const arrived = (outboxId: string) => smtp.received.filter((r) => r.mail.messageId === `<outbox-${outboxId}@zhengwu.local>`);

  beforeAll(async () => {
    process.env.ZW_DISABLE_SCHEDULER = '1';
    t = await createTestApp({
      WORKER_TOKEN: TOKEN,
      PUBLIC_URL,
      MAIL_RETRY_BASE_MS: '100',
      MAIL_RETRY_MAX_MS: '300',
      MAIL_MAX_ATTEMPTS: '50',
    });
    await t.app.listen(0, '127.0.0.1');
    baseUrl = await t.app.getUrl();
    await t.app.get(DefinitionsService).deploy(DIAGRAM, { source: 'test' });
    for (const name of ['lina', 'yangfan', 'admin']) {
      tokens[name] = await t.login(name);
      ids[name] = (await q(`SELECT id FROM users WHERE username = $1`, [name]))[0].id;
    }
    await smtp.start();
    // Everything the demo organisation queued before this test is not ours to watch.
    await q(`UPDATE outbox SET status = 'skipped', processed_at = now(), note = 'test baseline' WHERE status = 'pending'`);
  });
  afterAll(async () => {
    await sender?.stop();
    await smtp.stop();
    await t.close();
  });

  describe('over SMTP', () => {
    beforeAll(() => {
      sender = startMailSender({
        baseUrl,
        workerToken: TOKEN,
        smtpUrl: `smtp://127.0.0.1:${smtp.port}`,
        workerId: 'smtp-worker',
        pollMs: 50,
        maxBackoffMs: 200,
        logger: silent,
      });
    });
    afterAll(async () => {
      await sender?.stop();
      sender = undefined;
    });

    it('mails a new task to the reviewers of the unit, in Chinese, with the link and a stable Message-ID', async () => {
      const { reviewTaskId, outboxId } = await caseAtReview('关于报送2025年度国土空间规划实施情况的报告');
      const [received] = await until(async () => arrived(outboxId).length > 0 && arrived(outboxId), 'the new-task mail');
      const expected = await reviewersOfGhs();
      expect(expected.length).toBeGreaterThan(0);
      expect(received.envelope.sort()).toEqual(expected);
      expect(received.mail.subject).toBe('【待办】关于报送2025年度国土空间规划实施情况的报告——核稿');
      expect(received.mail.text).toContain('您有一项新的待办事项，请及时办理。');
      expect(received.mail.text).toContain('当前环节：核稿');
      expect(received.mail.text).toContain(`${PUBLIC_URL}/tasks/${reviewTaskId}`);
      expect(received.mail.html).toContain(`<a href="${PUBLIC_URL}/tasks/${reviewTaskId}">点击办理</a>`);
      expect(received.mail.from?.text).toContain('noreply@zhengwu.local');
      const [row] = await q(`SELECT status, delivered_by, processed_at FROM outbox WHERE id = $1`, [outboxId]);
      expect(row).toMatchObject({ status: 'delivered', delivered_by: 'smtp-worker' });
      expect(row.processed_at).not.toBeNull();
      // The drafter's own 拟稿 was hers already: no mail to her about it.
      const [own] = await q(
        `SELECT o.status, o.note FROM outbox o JOIN tasks tk ON tk.id::text = o.payload->>'taskId'
          WHERE o.topic = 'task.created' AND tk.activity_id = 'draft' ORDER BY o.id DESC LIMIT 1`,
      );
      expect(own.status).toBe('skipped');
    });

    it('mails a 催办 when the sender urges the task', async () => {
      const { reviewTaskId } = await caseAtReview('关于开展耕地保护督察的通知');
      expect((await as('lina').post(`/api/tasks/${reviewTaskId}/actions`, { action: 'urge' })).status).toBe(200);
      const [urged] = await q(`SELECT id::text FROM outbox WHERE topic = 'task.urged' AND payload->>'taskId' = $1`, [reviewTaskId]);
      const [received] = await until(async () => arrived(urged.id).length > 0 && arrived(urged.id), 'the urge mail');
      expect(received.mail.subject).toBe('【催办】关于开展耕地保护督察的通知——核稿');
      expect(received.mail.text).toContain('李娜催您尽快办理以下事项。');
      expect(received.envelope.sort()).toEqual(await reviewersOfGhs());
      expect(received.envelope).not.toContain('lina@mlr.example.gov.cn');
    });

    it('loses nothing while the SMTP server is down and delivers exactly once when it returns', async () => {
      const port = smtp.port;
      await smtp.stop();
      const { outboxId } = await caseAtReview('关于SMTP中断期间的测试公文');
      const failing = await until(async () => {
        const [row] = await q(`SELECT status, attempts, last_error FROM outbox WHERE id = $1`, [outboxId]);
        return row.attempts >= 2 && row;
      }, 'failed attempts');
      expect(failing.status).toBe('pending');
      expect(failing.last_error).toBeTruthy();
      expect(arrived(outboxId)).toHaveLength(0);
      await smtp.start(port);
      await until(async () => arrived(outboxId).length > 0, 'delivery after the SMTP server returned');
      const [row] = await until(async () => {
        const rows = await q(`SELECT status, attempts FROM outbox WHERE id = $1`, [outboxId]);
        return rows[0].status === 'delivered' && rows;
      }, 'the delivered status');
      expect(row.attempts).toBeGreaterThanOrEqual(2);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(arrived(outboxId)).toHaveLength(1);
    });
  });

  describe('the worker protocol', () => {
    const queueNotice = async (subject: string) => {
      const [row] = await q(`INSERT INTO outbox (topic, payload) VALUES ('substitute.appointed', $1) RETURNING id::text`, [
        JSON.stringify({ to: [ids.yangfan], by: ids.lina, subject }),
      ]);
      return row.id as string;
    };
    type Fetched = { id: string; messageId: string; to: string[]; subject: string };
    const fetch = async (workerId: string, lockDurationMs = 60_000): Promise<Fetched[]> => {
      const res = await worker('outbox/fetch-and-lock', { workerId, maxMessages: 10, lockDurationMs });
      expect(res.status).toBe(200);
      return res.body as Fetched[];
    };

    it('refuses callers without the worker token', async () => {
      expect((await worker('outbox/fetch-and-lock', { workerId: 'x' }, 'wrong-token-wrong-token')).status).toBe(401);
      expect((await as('admin').post('/api/worker/outbox/fetch-and-lock', { workerId: 'x' })).status).toBe(401);
    });

    it('rejects bad input with a field message', async () => {
      const res = await worker('outbox/fetch-and-lock', { workerId: 'a b', maxMessages: 0 });
      expect(res.status).toBe(400);
      expect(res.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['maxMessages', 'workerId']);
    });

    it('hands an expired lock to another worker and refuses the late complete of the first', async () => {
      const id = await queueNotice('李娜请您在 2025-12-01 至 2025-12-05 期间代为办理其待办事项');
      // A lock long enough that a loaded machine cannot let it lapse before worker B looks.
      const first = (await fetch('worker-a', 1500)).find((m) => m.id === id)!;
      const lockedAt = Date.now();
      expect(first).toMatchObject({ messageId: `<outbox-${id}@zhengwu.local>`, to: ['yangfan@mlr.example.gov.cn'] });
      expect((await fetch('worker-b')).some((m) => m.id === id)).toBe(false); // still locked by A
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1600 - (Date.now() - lockedAt))));
      const second = (await fetch('worker-b')).find((m) => m.id === id)!;
      expect(second.messageId).toBe(first.messageId);
      const late = await worker(`outbox/${id}/complete`, { workerId: 'worker-a' });
      expect(late.status).toBe(409);
      expect(late.body.code).toBe('MESSAGE_LOCK_LOST');
      expect((await worker(`outbox/${id}/complete`, { workerId: 'worker-b' })).status).toBe(200);
      expect((await worker(`outbox/${id}/complete`, { workerId: 'worker-b' })).status).toBe(200); // a retried complete is harmless
      expect((await worker(`outbox/${id}/complete`, { workerId: 'worker-a' })).body.code).toBe('MESSAGE_ALREADY_DELIVERED');
      expect((await q(`SELECT status, delivered_by FROM outbox WHERE id = $1`, [id]))[0]).toEqual({
        status: 'delivered',
        delivered_by: 'worker-b',
      });
    });

    it('backs off exponentially, sets the message aside after the last attempt, and lets the administrator resend it', async () => {
      await q(`UPDATE outbox SET status = 'skipped' WHERE status = 'pending'`);
      const id = await queueNotice('代理测试');
      const waits: number[] = [];
      for (let attempt = 1; attempt <= 50; attempt += 1) {
        await q(`UPDATE outbox SET next_attempt_at = now() WHERE id = $1`, [id]);
        expect((await fetch('worker-c')).map((m) => m.id)).toEqual([id]);
        const res = await worker(`outbox/${id}/failure`, { workerId: 'worker-c', errorMessage: '421 service not available' });
        expect(res.status).toBe(200);
        expect(res.body.attempts).toBe(attempt);
        if (attempt < 50) {
          expect(res.body.status).toBe('pending');
          const [row] = await q(`SELECT extract(epoch FROM next_attempt_at - now()) * 1000 AS ms FROM outbox WHERE id = $1`, [id]);
          if (attempt <= 3) waits.push(Number(row.ms));
        } else {
          expect(res.body.status).toBe('failed');
        }
      }
      // 100 ms, 200 ms, then capped at 300 ms (MAIL_RETRY_BASE_MS / MAIL_RETRY_MAX_MS of this test).
      expect(waits[0]).toBeGreaterThan(50);
      expect(waits[0]).toBeLessThanOrEqual(100);
      expect(waits[1]).toBeGreaterThan(150);
      expect(waits[1]).toBeLessThanOrEqual(200);
      expect(waits[2]).toBeLessThanOrEqual(300);
      expect(await fetch('worker-c')).toEqual([]);
      expect((await as('lina').get('/api/notifications/failed')).status).toBe(403);
      const failed = await as('admin').get('/api/notifications/failed');
      expect(failed.status).toBe(200);
      expect(failed.body).toEqual([
        expect.objectContaining({
          id,
          topic: 'substitute.appointed',
          subject: '代理测试',
          attempts: 50,
          lastError: '421 service not available',
        }),
      ]);
      expect((await as('lina').post(`/api/notifications/${id}/retry`)).status).toBe(403);
      expect((await as('admin').post(`/api/notifications/${id}/retry`)).status).toBe(200);
      expect((await as('admin').post(`/api/notifications/${id}/retry`)).status).toBe(409);
      expect((await fetch('worker-c')).map((m) => m.id)).toEqual([id]);
      expect((await worker(`outbox/${id}/complete`, { workerId: 'worker-c' })).status).toBe(200);
    });

    it('closes notices nobody is to be mailed about, with a note', async () => {
      const [row] = await q(`INSERT INTO outbox (topic, payload) VALUES ('engine.something', '{}') RETURNING id::text`);
      expect((await fetch('worker-d')).some((m) => m.id === row.id)).toBe(false);
      const [closed] = await q(`SELECT status, note, processed_at FROM outbox WHERE id = $1`, [row.id]);
      expect(closed.status).toBe('skipped');
      expect(closed.note).toContain('不发送邮件');
      expect(closed.processed_at).not.toBeNull();
    });
  });

  describe('an api process that goes away while the sender records a sent mail', () => {
    // Between the sender and the api: cuts the first complete before the api sees it (the process
    // died first), and the answer to the second after the api answered (it died before replying).
    let proxy: Server;
    const completes: string[] = [];
    beforeAll(async () => {
      const upstream = new URL(baseUrl);
      proxy = createServer((req, res) => {
        const isComplete = /\/complete$/.test(req.url ?? '');
        const n = isComplete ? completes.push(req.url!) : 0;
        if (n === 1) return req.socket.destroy();
        const forward = httpRequest(
          { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
          (answer) => {
            if (n === 2) {
              answer.resume();
              answer.on('end', () => req.socket.destroy());
              return;
            }
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        req.pipe(forward);
      });
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
      sender = startMailSender({
        baseUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
        workerToken: TOKEN,
        smtpUrl: `smtp://127.0.0.1:${smtp.port}`,
        workerId: 'cut-off-worker',
        pollMs: 50,
        // Short, so that a sender giving up on the complete would fetch the message again and resend it here.
        lockDurationMs: 300,
        logger: silent,
      });
    });
    afterAll(async () => {
      await sender?.stop();
      sender = undefined;
      await new Promise((resolve) => proxy.close(resolve));
    });

    it('tries the complete again until the api answers, so the mail is sent once', async () => {
      const { outboxId } = await caseAtReview('关于发送后登记中断的测试通知');
      await until(
        async () => (await q(`SELECT status FROM outbox WHERE id = $1`, [outboxId]))[0].status === 'delivered' && completes.length >= 3,
        'the complete to get through',
      );
      // Long past the lock: a message fetched again would have arrived twice by now.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(completes).toEqual(Array(3).fill(`/api/worker/outbox/${outboxId}/complete`));
      expect(arrived(outboxId)).toHaveLength(1);
      const [row] = await q(`SELECT status, delivered_by FROM outbox WHERE id = $1`, [outboxId]);
      expect(row).toEqual({ status: 'delivered', delivered_by: 'cut-off-worker' });
    });
  });

  describe('without SMTP_URL: the local mailbox', () => {
    beforeAll(() => {
      sender = startMailSender({ baseUrl, workerToken: TOKEN, workerId: 'local-worker', pollMs: 50, logger: silent });
    });
    afterAll(async () => {
      await sender?.stop();
      sender = undefined;
    });

    it('stores the mail for the administrator, not for a normal user', async () => {
      const { outboxId, reviewTaskId } = await caseAtReview('关于本地邮箱测试的请示');
      await until(async () => (await q(`SELECT status FROM outbox WHERE id = $1`, [outboxId]))[0].status === 'delivered', 'local delivery');
      const list = await as('admin').get(`/api/mailbox?recipient=yangfan@mlr.example.gov.cn&limit=5`);
      expect(list.status).toBe(200);
      const item = list.body.items.find((m: { messageId: string }) => m.messageId === `<outbox-${outboxId}@zhengwu.local>`);
      expect(item).toMatchObject({ subject: '【待办】关于本地邮箱测试的请示——核稿' });
      expect(list.body.total).toBeGreaterThanOrEqual(1);
      const one = await as('admin').get(`/api/mailbox/${item.id}`);
      expect(one.status).toBe(200);
      expect(one.body.text).toContain(`${PUBLIC_URL}/tasks/${reviewTaskId}`);
      expect(one.body.html).toContain('点击办理');
      expect((await as('admin').get(`/api/mailbox?recipient=nobody@example.org`)).body).toMatchObject({ items: [], total: 0 });
      expect((await as('yangfan').get('/api/mailbox')).status).toBe(403);
      expect((await as('yangfan').get(`/api/mailbox/${item.id}`)).status).toBe(403);
      expect((await as('admin').get(`/api/mailbox/00000000-0000-0000-0000-000000000000`)).status).toBe(404);
    });

    it('stores a message resent with the same Message-ID once', async () => {
      const body = { messageId: '<outbox-999999@zhengwu.local>', to: ['lina@mlr.example.gov.cn'], subject: '重复测试', text: '正文' };
      const first = await worker('mailbox', body);
      const again = await worker('mailbox', body);
      expect(first.body.duplicate).toBe(false);
      expect(again.body).toEqual({ id: first.body.id, duplicate: true });
      expect((await q(`SELECT count(*)::int AS n FROM mailbox_messages WHERE message_id = $1`, [body.messageId]))[0].n).toBe(1);
    });

    it('writes one overdue notice per task, however often the scan runs, and mails it', async () => {
      const { reviewTaskId } = await caseAtReview('关于超期提醒测试的函');
      await q(`UPDATE tasks SET due_at = now() - interval '1 hour' WHERE id = $1`, [reviewTaskId]);
      const scanner = t.app.get(OverdueScanner);
      await Promise.all([scanner.scan(), scanner.scan(), scanner.scan()]);
      await scanner.scan();
      const rows = await q(`SELECT id::text FROM outbox WHERE topic = 'task.overdue' AND payload->>'taskId' = $1`, [reviewTaskId]);
      expect(rows).toHaveLength(1);
      const mail = await until(async () => {
        const found = await q(`SELECT subject, text_body, recipients FROM mailbox_messages WHERE outbox_id = $1`, [rows[0].id]);
        return found[0];
      }, 'the overdue mail');
      expect(mail.subject).toBe('【超期提醒】关于超期提醒测试的函——核稿');
      expect(mail.text_body).toContain('已超过办理时限');
      expect([...mail.recipients].sort()).toEqual(await reviewersOfGhs());
    });
  });

  describe('each feature topic', () => {
    const unitId = async (code: string) => (await q(`SELECT id FROM units WHERE code = $1`, [code]))[0].id as string;
    /** Queues a notice as the feature writes it and returns the rendered message (or undefined when closed). */
    const render = async (topic: string, payload: Record<string, unknown>) => {
      await q(`UPDATE outbox SET status = 'skipped' WHERE status = 'pending'`);
      const [row] = await q(`INSERT INTO outbox (topic, payload) VALUES ($1, $2) RETURNING id::text`, [topic, JSON.stringify(payload)]);
      const res = await worker('outbox/fetch-and-lock', { workerId: 'render-check', maxMessages: 5 });
      const found = (res.body as { id: string; to: string[]; subject: string; text: string }[]).find((m) => m.id === row.id);
      const [state] = await q(`SELECT status, note FROM outbox WHERE id = $1`, [row.id]);
      return { message: found, state };
    };
    const uuid = '3f0c8a52-6a0e-4d7e-9d7c-1d2b3c4d5e6f';

    it('mails filing, data-request and project results to the named people with a link to the record', async () => {
      const filing = await render('filing.registered', {
        filingId: uuid,
        unitId: await unitId('MLR-GHS'),
        recipients: [ids.lina],
        subject: '您单位报送的《测试规划》已备案，备案号信备〔2025〕1号',
      });
      expect(filing.message).toMatchObject({
        to: ['lina@mlr.example.gov.cn'],
        subject: '您单位报送的《测试规划》已备案，备案号信备〔2025〕1号',
      });
      expect(filing.message!.text).toContain(`${PUBLIC_URL}/filings/${uuid}`);
      const project = await render('project.rejected', {
        to: [ids.lina],
        projectId: uuid,
        subject: '您申报的信息化项目“测试”不予立项',
        reason: '重复建设',
      });
      expect(project.message!.text).toContain('意见：重复建设');
      expect(project.message!.text).toContain(`${PUBLIC_URL}/projects/${uuid}`);
      const request = await render('data-request.completed', {
        requestId: uuid,
        recipients: [ids.yangfan],
        subject: '数据使用申请《测试》已办结',
      });
      expect(request.message).toMatchObject({ to: ['yangfan@mlr.example.gov.cn'] });
      expect(request.message!.text).toContain(`${PUBLIC_URL}/data-requests/${uuid}`);
    });

    it("mails document results to the drafter and receipt reminders to the receiving unit's clerks", async () => {
      const result = await render('document.result', {
        documentId: uuid,
        to: ids.lina,
        title: '关于测试的通知',
        docNumber: null,
        result: '不予签发',
      });
      expect(result.message).toMatchObject({ to: ['lina@mlr.example.gov.cn'], subject: '【公文办理结果】《关于测试的通知》：不予签发' });
      expect(result.message!.text).toContain(`${PUBLIC_URL}/documents/${uuid}`);
      const overdue = await render('document.receipt.overdue', {
        receiptId: uuid,
        documentId: uuid,
        toUnit: await unitId('MLR-GBS'),
        toRole: 'clerk',
        subject: '催办：公文《关于测试的通知》尚未签收，已超过签收时限',
      });
      const clerks = await q(
        `SELECT u.email FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = 'clerk' JOIN units un ON un.id = u.unit_id WHERE un.code = 'MLR-GBS'`,
      );
      expect(overdue.message!.to.sort()).toEqual(clerks.map((c: { email: string }) => c.email).sort());
      expect(overdue.message!.subject).toBe('【催办】公文《关于测试的通知》尚未签收，已超过签收时限');
    });

    it('mails approval notices naming only a unit to its approvers there', async () => {
      const warning = await render('approval.warning', {
        unitId: await unitId('320102'),
        approvalId: uuid,
        subject: '【临期预警】测试将到期',
      });
      expect(warning.message!.to).toContain('xw.shouli@js.example.gov.cn');
      expect(warning.message!.to.every((address) => address.endsWith('@js.example.gov.cn'))).toBe(true);
      expect(warning.message!.text).toContain(`${PUBLIC_URL}/approvals/${uuid}`);
    });

    it('closes notices whose people have no address, and says so', async () => {
      await q(`UPDATE users SET email = NULL WHERE id = $1`, [ids.yangfan]);
      try {
        const closed = await render('substitute.appointed', { to: [ids.yangfan], by: ids.lina, subject: '代理' });
        expect(closed.message).toBeUndefined();
        expect(closed.state).toEqual({ status: 'skipped', note: '未登记电子邮箱：杨帆' });
      } finally {
        await q(`UPDATE users SET email = 'yangfan@mlr.example.gov.cn' WHERE id = $1`, [ids.yangfan]);
      }
    });
  });

  it('keeps running when the api is unreachable, and stops promptly', async () => {
    const lonely = startMailSender({ baseUrl: 'http://127.0.0.1:9', workerToken: TOKEN, pollMs: 20, maxBackoffMs: 50, logger: silent });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    await lonely.stop();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

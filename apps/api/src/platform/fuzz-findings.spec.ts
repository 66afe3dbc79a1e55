import 'reflect-metadata';
import { validate } from 'class-validator';
import { connect } from 'node:net';
import { createTestApp, type TestApp } from '../../../../test/support/test-app';
import { EngineService } from '../engine/engine.service';
import { depthOf, MAX_BODY_DEPTH } from './request-limits';
import { decimalPlaces, IsDecimal } from './validation';

class Area {
  @IsDecimal(4, { message: '面积最多 4 位小数' })
  area!: number;
}

describe('what the fuzzer found (test/load/fuzz.e2e-spec.ts)', () => {
  describe('depthOf and decimalPlaces', () => {
    it('measures nesting without recursion, even far past the limit', () => {
      expect(depthOf('x')).toBe(0);
      expect(depthOf({ a: 1 })).toBe(1);
      expect(depthOf({ a: [{ b: {} }] })).toBe(4);
      const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) as unknown;
      expect(depthOf(deep)).toBe(MAX_BODY_DEPTH + 1);
    });

    it('counts decimals of numbers written in exponent form', async () => {
      expect([12, 12.25, 1e-7, 1.5e-7, 1e21, 0.0001].map(decimalPlaces)).toEqual([0, 2, 7, 8, 0, 4]);
      // class-validator's IsNumber({ maxDecimalPlaces }) throws a TypeError on 1e-7; IsDecimal refuses it.
      for (const [area, ok] of [
        [1e-7, false],
        [4e-323, false],
        [12.5, true],
        [0.0001, true],
        [Number.NaN, false],
      ] as const) {
        const errors = await validate(Object.assign(new Area(), { area }));
        expect([area, errors.length === 0]).toEqual([area, ok]);
      }
    });
  });

  describe('over HTTP', () => {
    let t: TestApp;
    let port: number;
    const tokens: Record<string, string> = {};
    const TOKEN = 'hostile-input-worker-token-0123';

    beforeAll(async () => {
      t = await createTestApp({ WORKER_TOKEN: TOKEN });
      await t.app.listen(0, '127.0.0.1');
      port = (t.app.getHttpServer().address() as { port: number }).port;
      for (const who of ['lina', 'admin', 'xw.shouli']) tokens[who] = await t.login(who);
    });
    afterAll(() => t?.close());

    const post = (path: string, who: string, body: string | object, type = 'application/json') =>
      t
        .http()
        .post(path)
        .set('Authorization', `Bearer ${tokens[who] ?? who}`)
        .set('Content-Type', type)
        .send(typeof body === 'string' ? body : JSON.stringify(body));

    it('refuses a body nested thousands deep with 400 BODY_TOO_DEEP, on the api and on engine-rest', async () => {
      const deep = `${'{"variables":'.repeat(20_000)}{}${'}'.repeat(20_000)}`;
      const res = await post('/api/tasks/00000000-0000-4000-8000-000000000000/actions', 'lina', deep);
      expect([res.status, res.body.code]).toEqual([400, 'BODY_TOO_DEEP']);
      expect(res.body.message).toContain('嵌套层级过深');
      const arrays = await post('/api/documents', 'lina', `${'['.repeat(5_000)}${']'.repeat(5_000)}`);
      expect([arrays.status, arrays.body.code]).toEqual([400, 'BODY_TOO_DEEP']);
      const camunda = await post('/engine-rest/external-task/fetchAndLock', TOKEN, deep);
      expect([camunda.status, camunda.body.type]).toEqual([400, 'InvalidRequestException']);
      // A normally nested body still passes.
      const fine = await post('/api/tasks/00000000-0000-4000-8000-000000000000/actions', 'lina', {
        action: 'approve',
        variables: { a: { b: { c: [1, 2, { d: 3 }] } } },
      });
      expect(fine.status).toBe(404);
    });

    it('answers an address too long for the HTTP parser with 431 {code, message}, and a malformed request with 400', async () => {
      const res = await t
        .http()
        .get(`/api/documents?q=${'%E9%95%BF'.repeat(3_000)}`)
        .set('Authorization', `Bearer ${tokens.lina}`);
      expect(res.status).toBe(431);
      expect(res.body).toEqual({ code: 'HEADERS_TOO_LARGE', message: '请求的地址或请求头过长' });
      const raw = await new Promise<string>((resolve, reject) => {
        let answer = '';
        const socket = connect(port, '127.0.0.1', () => socket.write('GARBAGE / HTTP/1.1\r\n\r\n'));
        socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
        socket.on('end', () => resolve(answer));
        socket.on('error', reject);
      });
      expect(raw).toMatch(/^HTTP\/1\.1 400 /);
      expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toEqual({ code: 'BAD_REQUEST', message: '请求格式不正确' });
    });

    it('refuses an engine-rest body that is not a JSON object as Camunda does, instead of failing on undefined', async () => {
      for (const [body, type] of [
        ['a=1&b=2', 'multipart/form-data; boundary=x'],
        ['workerId=w', 'application/x-www-form-urlencoded'],
        ['[1]', 'application/json'],
      ]) {
        for (const path of [
          'fetchAndLock',
          '00000000-0000-4000-8000-000000000000/complete',
          '00000000-0000-4000-8000-000000000000/failure',
        ]) {
          const res = await post(`/engine-rest/external-task/${path}`, TOKEN, body, type);
          expect([path, type, res.status, res.body.type]).toEqual([path, type, 400, 'InvalidRequestException']);
        }
      }
    });

    it('answers ids that are not uuids with 404, not a database error', async () => {
      const action = await post('/api/tasks/toString/actions', 'lina', { action: 'claim' });
      expect([action.status, action.body.code]).toEqual([404, 'NOT_FOUND']);
      for (const path of ['__proto__/unlock', '2026-02-30/complete', 'x/lock']) {
        const res = await post(`/engine-rest/external-task/${path}`, TOKEN, { workerId: 'w', lockDuration: 1000 });
        expect([path, res.status, res.body.type]).toEqual([path, 404, 'RestException']);
      }
      const retries = await t
        .http()
        .put('/api/external-tasks/not-a-uuid/retries')
        .set('Authorization', `Bearer ${tokens.admin}`)
        .send({ retries: 1 });
      expect(retries.status).toBe(404);
    });

    it('refuses retries beyond an int with 400 instead of overflowing the column', async () => {
      const id = '00000000-0000-4000-8000-000000000000';
      const api = await t
        .http()
        .put(`/api/external-tasks/${id}/retries`)
        .set('Authorization', `Bearer ${tokens.admin}`)
        .send({ retries: 2 ** 53 });
      expect([api.status, api.body.code]).toEqual([400, 'VALIDATION_FAILED']);
      const camunda = await t
        .http()
        .put(`/engine-rest/external-task/${id}/retries`)
        .set('Authorization', `Bearer ${TOKEN}`)
        .send({ retries: 2 ** 53 });
      expect([camunda.status, camunda.body.type]).toEqual([400, 'InvalidRequestException']);
      const lock = await post(`/engine-rest/external-task/${id}/lock`, TOKEN, { workerId: 'w', lockDuration: 1e308 });
      expect([lock.status, lock.body.type]).toEqual([400, 'InvalidRequestException']);
    });

    it('refuses to start a feature’s process bare through the generic API, and a 发文 or 收文 case without its record', async () => {
      const count = async () => (await t.db.dataSource.query(`SELECT count(*)::int AS n FROM process_instances`))[0].n as number;
      const before = await count();
      for (const key of [
        'document-exchange',
        'document-receipt',
        'data-request',
        'plan-filing',
        'project-initiation',
        'three-level-approval',
      ]) {
        const res = await post('/api/process-instances', 'admin', { key, businessKey: '测'.repeat(200) });
        expect([key, res.status, res.body.code]).toEqual([key, 422, 'FEATURE_PROCESS']);
      }
      // Processes no feature owns still start.
      expect((await post('/api/process-instances', 'admin', { key: 'three-step-approval', businessKey: '测'.repeat(200) })).status).toBe(
        201,
      );
      // Inside the api, too, a 发文 or 收文 case begins only with its document or receipt (a business key that is no uuid included).
      const engine = t.app.get(EngineService);
      for (const [key, businessKey, code] of [
        ['document-exchange', '测', 'DOCUMENT_MISSING'],
        ['document-exchange', '00000000-0000-4000-8000-000000000000', 'DOCUMENT_MISSING'],
        ['document-receipt', 'x', 'RECEIPT_MISSING'],
      ]) {
        await expect(engine.startProcess(key, { businessKey })).rejects.toMatchObject({ code });
      }
      expect(await count()).toBe(before + 1);
    });

    it('refuses a land area or budget written in exponent form (1e-7) with 400, not 500', async () => {
      const approval = await post('/api/approvals', 'xw.shouli', {
        matterType: '建设用地报批',
        title: '关于某项目用地预审的申请',
        applicant: '某某公司',
        applicantContact: '025-86658000',
        location: '玄武区某路',
        landArea: 1e-7,
        description: '申请用地预审，材料齐全。',
      });
      expect([approval.status, approval.body.code]).toEqual([400, 'VALIDATION_FAILED']);
      expect(approval.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'landArea' })]));
      const project = await post('/api/projects', 'lina', { budget: 1e-7 });
      expect([project.status, project.body.code]).toEqual([400, 'VALIDATION_FAILED']);
      expect(project.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'budget' })]));
    });
  });
});

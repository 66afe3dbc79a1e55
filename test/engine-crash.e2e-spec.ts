import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../apps/api/src/platform/config';
import { createHttpApp } from '../apps/api/src/platform/http-app';
import { EngineService } from '../apps/api/src/engine/engine.service';
import { ExternalTaskService } from '../apps/api/src/engine/external-task.service';
import { createTestDatabase, TEST_PASSWORD, type TestDatabase } from './support/test-database';
import { loginOverHttp, SecondFactorKeeper } from './support/second-factor';

const root = join(__dirname, '..');
const TOKEN = 'crash-test-worker-token-0123456789';
const DIAGRAM = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D_crash" targetNamespace="t">
<process id="crash-run" name="崩溃恢复" isExecutable="true" camunda:historyTimeToLive="P1D">
  <startEvent id="s" name="开始" /><sequenceFlow id="f0" sourceRef="s" targetRef="a" />
  <serviceTask id="a" name="登记" camunda:type="external" camunda:topic="zw-crash" /><sequenceFlow id="f1" sourceRef="a" targetRef="b" />
  <serviceTask id="b" name="编号" camunda:type="external" camunda:topic="zw-crash" /><sequenceFlow id="f2" sourceRef="b" targetRef="c" />
  <serviceTask id="c" name="盖章" camunda:type="external" camunda:topic="zw-crash" /><sequenceFlow id="f3" sourceRef="c" targetRef="check" />
  <userTask id="check" name="核对" /><sequenceFlow id="f4" sourceRef="check" targetRef="e" /><endEvent id="e" name="结束" />
</process></definitions>`;

/** npm start's entry against the test database, with the diagram above as its bpmn/ directory. */
function startApp(db: TestDatabase): Promise<{ child: ChildProcess; url: string }> {
  const bpmnDir = mkdtempSync(join(tmpdir(), 'zhengwu-crash-bpmn-'));
  writeFileSync(join(bpmnDir, 'crash-run.bpmn'), DIAGRAM);
  const dataDir = mkdtempSync(join(tmpdir(), 'zhengwu-crash-'));
  chmodSync(dataDir, 0o755);
  const env = {
    ...process.env,
    DATABASE_URL: db.url,
    SEED_DEMO: 'false',
    DATA_DIR: dataDir,
    PORT: '0',
    LOG_LEVEL: 'warn',
    WORKER_TOKEN: TOKEN,
    ZW_BPMN_DIR: bpmnDir,
    // The test plays the workers itself; the platform's own would only compete for the CPU.
    RUN_WORKERS: 'false',
  };
  const child = spawn(process.execPath, ['scripts/start.js'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line:\n${out}`)), 120_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const match = /ready at (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1] });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${out}`)));
  });
}

/**
 * kill -9 of the application in the middle of a run of commands: every acknowledged step stays,
 * nothing half-written remains, and a new application instance finishes every case.
 */
describe('engine after kill -9', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('keeps every acknowledged step and leaves every case able to finish', async () => {
    const { child, url } = await startApp(db);
    // The administrator enrols TOTP and answers it, as a person would (second-factor.js).
    const login = await loginOverHttp(url, 'admin', TEST_PASSWORD, new SecondFactorKeeper());
    const { accessToken } = login.body as { accessToken: string };
    const started = new Set<string>();
    const completed = new Set<string>();
    let stop = false;
    const starter = async () => {
      while (!stop) {
        const res = await fetch(`${url}/api/process-instances`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
          body: JSON.stringify({ key: 'crash-run' }),
        }).catch(() => undefined);
        if (res?.status === 201) started.add(((await res.json()) as { id: string }).id);
      }
    };
    const worker = async (n: number) => {
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` };
      while (!stop) {
        const res = await fetch(`${url}/engine-rest/external-task/fetchAndLock`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ workerId: `w${n}`, maxTasks: 2, topics: [{ topicName: 'zw-crash', lockDuration: 1000 }] }),
        }).catch(() => undefined);
        const tasks = res?.status === 200 ? ((await res.json()) as { id: string }[]) : [];
        for (const task of tasks) {
          const done = await fetch(`${url}/engine-rest/external-task/${task.id}/complete`, {
            method: 'POST',
            headers,
            body: JSON.stringify({ workerId: `w${n}` }),
          }).catch(() => undefined);
          if (done?.status === 204) completed.add(task.id);
        }
        if (tasks.length === 0) await new Promise((r) => setTimeout(r, 10));
      }
    };
    const loops = [starter(), starter(), ...[0, 1, 2, 3].map(worker)];
    // Kill in the middle of real traffic: once enough has been acknowledged (a loaded machine is slower), or after 20 s.
    for (const begun = Date.now(); Date.now() - begun < 20_000;) {
      if (started.size > 20 && completed.size > 20) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    stop = true;
    await Promise.all(loops);
    expect(started.size).toBeGreaterThan(5);
    expect(completed.size).toBeGreaterThan(5);
    process.stdout.write(`kill -9 after ${started.size} acknowledged starts and ${completed.size} acknowledged completions\n`);

    const q = db.dataSource;
    // Every acknowledged start and completion is there.
    const instances: { id: string }[] = await q.query(`SELECT id FROM process_instances WHERE definition_key = 'crash-run'`);
    const ids = new Set(instances.map((r) => r.id));
    for (const id of started) expect(ids.has(id)).toBe(true);
    const done: { id: string }[] = await q.query(`SELECT id FROM external_tasks WHERE status = 'completed'`);
    const doneIds = new Set(done.map((r) => r.id));
    for (const id of completed) expect(doneIds.has(id)).toBe(true);
    // Nothing half-written: each running case waits in exactly one place, with one open row for it.
    const waits: { id: string; open: number }[] = await q.query(
      `SELECT i.id, (SELECT count(*) FROM external_tasks e WHERE e.instance_id = i.id AND e.status = 'open')::int
                   + (SELECT count(*) FROM tasks t WHERE t.instance_id = i.id AND t.status = 'open')::int AS open
         FROM process_instances i WHERE i.definition_key = 'crash-run' AND i.status = 'running'`,
    );
    expect(waits.filter((w) => w.open !== 1)).toEqual([]);

    // A new application instance finishes every case; a lock of the dead one is simply waited out.
    const config = loadConfig({
      DATA_DIR: mkdtempSync(join(tmpdir(), 'zhengwu-crash-2-')),
      LOG_LEVEL: 'silent',
      DATABASE_URL: db.url,
      WORKER_TOKEN: TOKEN,
    });
    const app = await createHttpApp(config, db.url);
    await app.init();
    try {
      const external = app.get(ExternalTaskService);
      const engine = app.get(EngineService);
      const [admin]: { id: string }[] = await q.query(`SELECT id FROM users WHERE username = 'admin'`);
      await q.query(`UPDATE external_tasks SET lock_expires_at = now() - interval '1 second' WHERE status = 'open'`);
      for (;;) {
        const tasks = await external.fetchAndLock({
          workerId: 'after',
          maxTasks: 50,
          usePriority: true,
          topics: [{ topicName: 'zw-crash', lockDuration: 60_000 }],
        });
        if (tasks.length === 0) break;
        for (const task of tasks) await external.complete(task.id, 'after', {});
      }
      const open: { id: string }[] = await q.query(
        `SELECT t.id FROM tasks t JOIN process_instances i ON i.id = t.instance_id WHERE i.definition_key = 'crash-run' AND t.status = 'open'`,
      );
      for (const task of open) await engine.completeTask(task.id, { userId: admin.id });
      const states: { status: string; n: number }[] = await q.query(
        `SELECT status, count(*)::int AS n FROM process_instances WHERE definition_key = 'crash-run' GROUP BY status`,
      );
      expect(states).toEqual([{ status: 'completed', n: instances.length }]);
      const perCase: { n: number }[] = await q.query(
        `SELECT count(*)::int AS n FROM external_tasks e JOIN process_instances i ON i.id = e.instance_id WHERE i.definition_key = 'crash-run' AND e.status = 'completed' GROUP BY e.instance_id`,
      );
      expect(perCase.every((r) => r.n === 3)).toBe(true);
      expect(perCase).toHaveLength(instances.length);
    } finally {
      await app.close();
    }
  });
});

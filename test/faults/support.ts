import { BpmnRuntime, compileDefinition } from '@zhengwu/engine';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { loginOverHttp, sharedKeeper } from '../support/second-factor';
import { TEST_PASSWORD } from '../support/test-database';

export const root = join(__dirname, '..', '..');

/** One line of figures for docs/reliability.md: `RELIABILITY: <fault> key=value …`. */
export function reliability(fault: string, figures: Record<string, string | number | boolean>): void {
  const line = `RELIABILITY: ${fault} ${Object.entries(figures)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')}`;
  // console.log is buffered by jest and printed with the file's results; stdout shows it at once too.
  console.log(line);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs: number, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(everyMs);
  }
}

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  // As root, the embedded PostgreSQL runs as its own user and must reach the directory.
  chmodSync(dir, 0o755);
  return dir;
}

export function removeDir(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}

export interface HttpResult<T = unknown> {
  /** 0 when no answer came (connection refused or reset, or the time limit). */
  status: number;
  body: T;
  /** Set when no answer came. */
  error?: string;
  ms: number;
}

/** One HTTP call that never throws and never waits longer than `timeoutMs`. */
export async function call<T = unknown>(
  url: string,
  init: { method?: string; token?: string; body?: unknown; contentType?: string; timeoutMs?: number } = {},
): Promise<HttpResult<T>> {
  const begun = Date.now();
  const headers: Record<string, string> = {};
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  let body: string | undefined;
  if (init.body !== undefined) {
    headers['content-type'] = init.contentType ?? 'application/json';
    body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  }
  try {
    const res = await fetch(url, {
      method: init.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      body,
      signal: AbortSignal.timeout(init.timeoutMs ?? 15_000),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed as T, ms: Date.now() - begun };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return { status: 0, body: undefined as T, error: cause?.code ?? (error as Error).name, ms: Date.now() - begun };
  }
}

/** Logs in over HTTP, enrolling TOTP / answering the second factor when the account needs it. */
export async function login(baseUrl: string, username: string): Promise<{ token: string; userId: string }> {
  const res = await loginOverHttp(baseUrl, username, TEST_PASSWORD, sharedKeeper);
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${JSON.stringify(res.body)}`);
  return { token: res.body.accessToken, userId: res.body.user.id };
}

export async function deploy(baseUrl: string, token: string, xml: string): Promise<void> {
  const res = await call(`${baseUrl}/api/process-definitions`, { token, body: xml, contentType: 'application/xml', timeoutMs: 30_000 });
  if (res.status !== 201 && res.status !== 200) throw new Error(`deploy: ${res.status} ${JSON.stringify(res.body)}`);
}

/** Two user steps for one person, then the end (the inbox's 同意 moves it on). */
export const FLOW_XML = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D_fault_flow" targetNamespace="https://zhengwu.example/bpmn">
<process id="fault-flow" name="故障演练·两步审批" isExecutable="true" camunda:historyTimeToLive="P1D">
  <startEvent id="s" name="发起" /><sequenceFlow id="f0" sourceRef="s" targetRef="t1" />
  <userTask id="t1" name="初审" camunda:assignee="\${assignee}" /><sequenceFlow id="f1" sourceRef="t1" targetRef="t2" />
  <userTask id="t2" name="复审" camunda:assignee="\${assignee}" /><sequenceFlow id="f2" sourceRef="t2" targetRef="e" />
  <endEvent id="e" name="办结" />
</process></definitions>`;

/** A short timer before a user step: it must fire even when the api was down at its due time. */
export const TIMER_XML = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D_fault_timer" targetNamespace="https://zhengwu.example/bpmn">
<process id="fault-timer" name="故障演练·定时" isExecutable="true" camunda:historyTimeToLive="P1D">
  <startEvent id="s" name="发起" /><sequenceFlow id="f0" sourceRef="s" targetRef="wait" />
  <intermediateCatchEvent id="wait" name="等待五秒"><timerEventDefinition><timeDuration>PT5S</timeDuration></timerEventDefinition></intermediateCatchEvent>
  <sequenceFlow id="f1" sourceRef="wait" targetRef="after" />
  <userTask id="after" name="到期办理" camunda:assignee="\${assignee}" /><sequenceFlow id="f2" sourceRef="after" targetRef="e" />
  <endEvent id="e" name="办结" />
</process></definitions>`;

export interface RealProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  /** kill -9, resolved when the process is gone. */
  kill9(): Promise<void>;
  /** Ctrl-C, resolved with the exit code. */
  stop(): Promise<number | null>;
}

/** `npm start`'s entry as its own process, resolved on its `ready` line. */
export function spawnPlatform(env: Record<string, string>, readyWithinMs = 120_000): Promise<RealProcess> {
  const child = spawn(process.execPath, ['scripts/start.js'], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const onData = (d: Buffer): void => {
    out += d.toString();
    if (out.length > 2_000_000) out = out.slice(-1_000_000);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const handle: RealProcess = {
    child,
    url: '',
    output: () => out,
    async kill9() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGINT');
      const timer = setTimeout(() => {
        // Which part did not stop, told at the end of the output the failing test prints.
        out += `\n[test] not stopped within 20 s; still running: ${describeChildren(child.pid!)}\n`;
        child.kill('SIGKILL');
      }, 20_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no ready line within ${readyWithinMs} ms:\n${out}`));
    }, readyWithinMs);
    const check = (): void => {
      const match = /ready at (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        resolve({ ...handle, url: match[1] });
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ready:\n${out}`));
    });
  });
}

/** The processes `pid` started (a cluster primary's api processes, when it runs nothing else). */
export function childPids(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((line) => Number(line.trim()))
      .filter((n) => n > 0);
  } catch {
    return []; // ps exits 1 when there are none
  }
}

/** The end of a process's output without the request log lines, for a failed stop (what stopped, what did not). */
export function stopTail(output: string): string {
  return output
    .split('\n')
    .filter((line) => !line.includes('"msg":"request completed"'))
    .join('\n')
    .slice(-4000);
}

/** The cluster children of `pid` with their roles (ZW_CLUSTER_ROLE), e.g. `4711 api 1, 4712 companions 1`. */
function describeChildren(pid: number): string {
  const roles = childPids(pid).map((child) => {
    try {
      const env = readFileSync(`/proc/${child}/environ`, 'utf8').split('\0');
      const value = (name: string): string => env.find((e) => e.startsWith(`${name}=`))?.slice(name.length + 1) ?? '?';
      return `${child} ${value('ZW_CLUSTER_ROLE')} ${value('ZW_CLUSTER_INDEX')}`;
    } catch {
      return `${child} (gone)`;
    }
  });
  return roles.length ? roles.join(', ') : 'only the primary';
}

/** kill -9 of one child of `parent`, resolved once the parent has seen it go. */
export async function kill9Pid(parent: number, pid: number): Promise<void> {
  process.kill(pid, 'SIGKILL');
  await waitFor(`process ${pid} to be gone`, async () => !childPids(parent).includes(pid), 10_000, 20);
}

export interface Disagreement {
  instanceId: string;
  definitionKey: string;
  problem: string;
}

/**
 * The engine's own state against the rows the inbox and the workers read, for every instance of
 * `keys`: the waits that bpmn-engine recovers from `process_instances.state` must be exactly the
 * open task rows (user tasks), open external-task rows and pending timer rows, and a case that is
 * not running has none of them.
 */
export async function engineDisagreements(q: DataSource, keys: string[]): Promise<{ checked: number; problems: Disagreement[] }> {
  const instances: { id: string; definition_key: string; status: string; state: unknown; xml: string }[] = await q.query(
    `SELECT i.id, i.definition_key, i.status, i.state, d.xml FROM process_instances i JOIN process_definitions d ON d.id = i.definition_id
      WHERE i.definition_key = ANY($1) ORDER BY i.started_at`,
    [keys],
  );
  const rows = async (sql: string): Promise<Map<string, string[]>> => {
    const found: { instance_id: string; wait_id: string }[] = await q.query(sql, [instances.map((i) => i.id)]);
    const map = new Map<string, string[]>();
    for (const r of found) map.set(r.instance_id, [...(map.get(r.instance_id) ?? []), r.wait_id]);
    return map;
  };
  const tasks = await rows(`SELECT instance_id, wait_id FROM tasks WHERE status = 'open' AND instance_id = ANY($1)`);
  const external = await rows(`SELECT instance_id, wait_id FROM external_tasks WHERE status = 'open' AND instance_id = ANY($1)`);
  const timers = await rows(`SELECT instance_id, wait_id FROM timers WHERE status = 'pending' AND instance_id = ANY($1)`);
  const compiled = new Map<string, Awaited<ReturnType<typeof compileDefinition>>>();
  const runtime = new BpmnRuntime();
  const problems: Disagreement[] = [];
  const same = (a: string[], b: string[]): boolean => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
  for (const i of instances) {
    const have = { user: tasks.get(i.id) ?? [], external: external.get(i.id) ?? [], timer: timers.get(i.id) ?? [] };
    const report = (problem: string): void => {
      problems.push({ instanceId: i.id, definitionKey: i.definition_key, problem });
    };
    if (i.status !== 'running') {
      if (have.user.length + have.external.length + have.timer.length > 0) report(`${i.status} but has open rows ${JSON.stringify(have)}`);
      continue;
    }
    if (!compiled.has(i.xml)) compiled.set(i.xml, await compileDefinition(i.xml));
    // Recover the state exactly as a command would, with a command that changes nothing.
    const result = await runtime.execute(compiled.get(i.xml)!, i.state, { type: 'fireTimer', waitId: '__fault-check__' });
    const want = {
      user: result.waits.filter((w) => w.kind === 'userTask').map((w) => w.waitId),
      external: result.waits.filter((w) => w.kind === 'externalTask').map((w) => w.waitId),
      timer: result.waits.filter((w) => w.kind === 'timer').map((w) => w.waitId),
    };
    if (result.status !== 'running') report(`row says running, engine state says ${result.status}`);
    if (want.user.length + want.external.length + want.timer.length === 0) report('running but waits nowhere');
    if (!same(want.user, have.user)) report(`user tasks: engine ${JSON.stringify(want.user)} rows ${JSON.stringify(have.user)}`);
    if (!same(want.external, have.external))
      report(`external tasks: engine ${JSON.stringify(want.external)} rows ${JSON.stringify(have.external)}`);
    if (!same(want.timer, have.timer)) report(`timers: engine ${JSON.stringify(want.timer)} rows ${JSON.stringify(have.timer)}`);
  }
  return { checked: instances.length, problems };
}

/** Completions recorded more than once: a task with two 同意 rows, or a user step that ran twice in one case. */
export async function duplicateCompletions(q: DataSource, keys: string[]): Promise<{ doubleActions: number; doubleSteps: number }> {
  const [actions]: { n: number }[] = await q.query(
    `SELECT count(*)::int AS n FROM (SELECT a.task_id FROM task_actions a JOIN tasks t ON t.id = a.task_id
       WHERE t.definition_key = ANY($1) AND a.action = 'approve' GROUP BY a.task_id HAVING count(*) > 1) d`,
    [keys],
  );
  // The test diagrams have no loops: one task row per activity and case.
  const [steps]: { n: number }[] = await q.query(
    `SELECT count(*)::int AS n FROM (SELECT instance_id, activity_id FROM tasks WHERE definition_key = ANY($1)
       GROUP BY instance_id, activity_id HAVING count(*) > 1) d`,
    [keys],
  );
  return { doubleActions: actions.n, doubleSteps: steps.n };
}

export interface ControlledPostgres {
  url: string;
  /** Fast shutdown: sessions are terminated, open transactions rolled back. */
  stop(): Promise<void>;
  /** Starts again on the same port with the same data. */
  start(): Promise<void>;
  /** Stops PostgreSQL and its controlling process for good. */
  close(): Promise<void>;
}

/** An embedded PostgreSQL of the test's own, in `dir`, that the test may stop and start (see pg-control.js). */
export async function controlledPostgres(dir: string): Promise<ControlledPostgres> {
  const child = spawn(process.execPath, [join(__dirname, 'pg-control.js'), dir], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const expectLine = async (pattern: RegExp, what: string): Promise<RegExpExecArray> => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const match = pattern.exec(out);
      if (match) {
        out = out.slice(match.index + match[0].length);
        return match;
      }
      if (child.exitCode !== null) throw new Error(`pg-control exited before ${what}:\n${err}`);
      if (Date.now() > deadline) throw new Error(`pg-control: no ${what} within 60 s:\n${err}`);
      await sleep(20);
    }
  };
  const url = (await expectLine(/url (\S+)\n/, 'url'))[1];
  return {
    url,
    async stop() {
      child.stdin.write('stop\n');
      await expectLine(/stopped\n/, 'stopped');
    },
    async start() {
      child.stdin.write('start\n');
      await expectLine(/started\n/, 'started');
    },
    async close() {
      if (child.exitCode !== null) return;
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface CamundaWorker {
  child: ChildProcess;
  locked(): string[];
  completed(): string[];
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

/** camunda-external-task-client-js as its own process (see camunda-worker.mjs). */
export function startCamundaWorker(
  engineRestUrl: string,
  token: string,
  topic: string,
  workerId: string,
  mode: 'hold' | 'complete',
  lockDurationMs: number,
): CamundaWorker {
  const child = spawn(
    process.execPath,
    [join(__dirname, 'camunda-worker.mjs'), engineRestUrl, token, topic, workerId, mode, String(lockDurationMs)],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = (verb: string): string[] => [...out.matchAll(new RegExp(`^${verb} (\\S+)$`, 'gm'))].map((m) => m[1]);
  const gone = (): boolean => child.exitCode !== null || child.signalCode !== null;
  return {
    child,
    locked: () => lines('locked'),
    completed: () => lines('completed'),
    async kill9() {
      if (!gone()) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (!gone()) child.kill('SIGTERM');
      await exited;
    },
  };
}

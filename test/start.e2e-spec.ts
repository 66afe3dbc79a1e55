import { ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loginOverHttp, SecondFactorKeeper } from './support/second-factor';

const root = join(__dirname, '..');

interface Started {
  child: ChildProcessWithoutNullStreams;
  url: string;
  output: () => string;
}

/** Runs `npm start`'s entry (or `npm start` itself) exactly as a user does, waiting for the `ready` line. */
function start(env: Record<string, string>, command: 'node' | 'npm' | 'npm in its own process group' = 'node'): Promise<Started> {
  const fullEnv = { ...process.env, DATABASE_URL: '', ...env };
  const child =
    command !== 'node'
      ? spawn('npm', ['start'], { cwd: root, env: fullEnv, detached: command !== 'npm' })
      : spawn(process.execPath, ['scripts/start.js'], { cwd: root, env: fullEnv });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line within 120 s:\n${out}`)), 120_000);
    const check = (): void => {
      const match = /ready at (http:\/\/\S+)/.exec(out);
      if (match && /Press Ctrl-C/.test(out)) {
        clearTimeout(timer);
        resolve({ child, url: match[1], output: () => out });
      }
    };
    child.stdout.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ready:\n${out}`));
    });
  });
}

function stop(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', (code) => resolve(code));
    child.kill('SIGINT');
  });
}

/** Every process below `pid` (its children, theirs…), from ps. */
function descendants(pid: number): { pid: number; command: string }[] {
  const rows = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,comm='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .map(([p, pp, command]) => ({ pid: Number(p), ppid: Number(pp), command }));
  const found: { pid: number; command: string }[] = [];
  const walk = (parent: number): void => {
    for (const row of rows.filter((r) => r.ppid === parent)) {
      found.push({ pid: row.pid, command: row.command });
      walk(row.pid);
    }
  };
  walk(pid);
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

describe('npm start on the embedded PostgreSQL', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'zhengwu-start-'));
  chmodSync(dataDir, 0o755);
  const env = { DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' };

  it('starts, serves health and a demo login, stops on Ctrl-C with PostgreSQL, and a second start reuses the data', async () => {
    // Two api processes on the port (node:cluster), then a single process on the same data.
    const first = await start({ ...env, API_PROCESSES: '2' });
    expect(first.output()).toMatch(/api processes: 2 \(API_PROCESSES; pid \d+, \d+\), workers beside them/);
    const password = /password for all: (\S+)/.exec(first.output())?.[1];
    expect(password).toBeDefined();
    const health = await fetch(`${first.url}/api/health`);
    expect(await health.json()).toEqual({ status: 'ok', db: 'ok' });
    // The web app on the same port, any page address answered by index.html; plain http must not ask for https.
    const page = await fetch(`${first.url}/inbox/some-task`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<app-root');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(page.headers.get('strict-transport-security')).toBeNull();
    // The administrator needs TOTP: the password step answers a challenge, enrolment signs in (second-factor.js).
    const login = await loginOverHttp(first.url, 'admin', password ?? '', new SecondFactorKeeper());
    expect(login.status).toBe(200);
    const body = login.body as { accessToken: string; user: { roles: string[] } };
    expect(body.user.roles).toEqual(['sysadmin']);
    const units = await fetch(`${first.url}/api/org/units`, { headers: { authorization: `Bearer ${body.accessToken}` } });
    expect(units.status).toBe(200);

    const pgPort = Number(/embedded PostgreSQL in .* at 127\.0\.0\.1:(\d+)/.exec(first.output())?.[1]);
    expect(await portOpen(pgPort)).toBe(true);
    expect(await stop(first.child)).toBe(0);
    expect(await portOpen(pgPort)).toBe(false);

    const second = await start({ ...env, API_PROCESSES: '1' });
    try {
      expect(second.output()).toContain(`api processes: 1 (API_PROCESSES; pid ${second.child.pid})`);
      expect(second.output()).toContain(`password for all: ${password}`);
      const again = await fetch(`${second.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'lina', password }),
      });
      expect(again.status).toBe(200);
    } finally {
      expect(await stop(second.child)).toBe(0);
    }
  }, 240_000);

  it('stops with an error, and stops its PostgreSQL, when the api processes cannot take the port', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '0.0.0.0', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const child = spawn(process.execPath, ['scripts/start.js'], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: '', ...env, PORT: String(port), API_PROCESSES: '2' },
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect({ code, tail: out.slice(-3000) }).toEqual({ code: 1, tail: expect.stringContaining('EADDRINUSE') });
      expect(out).toContain('启动失败');
      // PostgreSQL was started for the start, and stopped with it.
      expect(existsSync(join(dataDir, 'pg', 'PG_VERSION'))).toBe(true);
      expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  }, 240_000);

  it('refuses to start on a wrong setting, naming the variable', async () => {
    const child = spawn(process.execPath, ['scripts/start.js'], { cwd: root, env: { ...process.env, DATA_DIR: dataDir, PORT: 'eighty' } });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain('PORT');
    expect(err).toContain('whole number');
  }, 120_000);

  it('stops everything — api processes, workers, PostgreSQL — on SIGINT or SIGTERM to the `npm start` process', async () => {
    // A DATA_DIR the platform makes 0700 (a strict umask) under a 0755 directory: fixed for the postgres account.
    const base = mkdtempSync(join(tmpdir(), 'zhengwu-npm-start-'));
    chmodSync(base, 0o755);
    const data = join(base, 'data');
    mkdirSync(data, { mode: 0o700 });
    // `kill -INT <npm>`, `kill -TERM <npm>`, and Ctrl-C on a terminal (SIGINT to the whole process group).
    for (const signal of ['SIGINT', 'SIGTERM', 'Ctrl-C'] as const) {
      const ctrlC = signal === 'Ctrl-C';
      const started = await start(
        { DATA_DIR: data, PORT: '0', LOG_LEVEL: 'warn', API_PROCESSES: '2' },
        ctrlC ? 'npm in its own process group' : 'npm',
      );
      const npm = started.child.pid ?? 0;
      const tree = descendants(npm);
      const pgPid = Number(readFileSync(join(data, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
      // npm execs node (no shell between), which forks two api processes and the workers' process.
      expect(tree.filter((p) => p.command === 'node').length).toBeGreaterThanOrEqual(4);
      expect(tree.map((p) => p.pid)).toContain(pgPid);
      const port = Number(new URL(started.url).port);
      expect(await portOpen(port)).toBe(true);
      started.child.removeAllListeners('exit');
      const exited = new Promise<number | null | 'still running'>((resolve) => {
        started.child.on('exit', resolve);
        setTimeout(() => resolve('still running'), 60_000).unref();
      });
      // The npm process alone, as `kill -INT <pid>` does; or its whole group, as a terminal's Ctrl-C does.
      if (ctrlC) process.kill(-npm, 'SIGINT');
      else process.kill(npm, signal);
      const code = await exited;
      if (code === 'still running') for (const p of [npm, ...tree.map((t) => t.pid)].filter(alive)) process.kill(p, 'SIGKILL');
      expect({ signal, code }).toEqual({ signal, code: 0 });
      const left = tree.filter((p) => alive(p.pid));
      expect({ signal, left }).toEqual({ signal, left: [] });
      expect(await portOpen(port)).toBe(false);
      expect(existsSync(join(data, 'pg', 'postmaster.pid'))).toBe(false);
    }
    if (process.getuid?.() === 0) expect(statSync(data).mode & 0o001).toBe(0o001);

    // npm killed outright tells nobody: the platform notices its parent is gone and stops in order all the same.
    const orphaned = await start({ DATA_DIR: data, PORT: '0', LOG_LEVEL: 'warn', API_PROCESSES: '2' }, 'npm');
    const tree = descendants(orphaned.child.pid ?? 0);
    const port = Number(new URL(orphaned.url).port);
    orphaned.child.removeAllListeners('exit');
    process.kill(orphaned.child.pid ?? 0, 'SIGKILL');
    const deadline = Date.now() + 60_000;
    while (tree.some((p) => alive(p.pid)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
    const left = tree.filter((p) => alive(p.pid));
    for (const p of left) process.kill(p.pid, 'SIGKILL');
    expect(left).toEqual([]);
    expect(await portOpen(port)).toBe(false);
    expect(existsSync(join(data, 'pg', 'postmaster.pid'))).toBe(false);
  }, 400_000);

  (process.getuid?.() === 0 ? it : it.skip)(
    'as root, names the directory the postgres account cannot enter, and the command that fixes it',
    async () => {
      const closed = mkdtempSync(join(tmpdir(), 'zhengwu-closed-'));
      chmodSync(closed, 0o700);
      const child = spawn(process.execPath, ['scripts/start.js'], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: '', DATA_DIR: join(closed, 'data'), PORT: '0', LOG_LEVEL: 'warn', API_PROCESSES: '1' },
      });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect({ code, err }).toEqual({ code: 1, err: expect.stringContaining(`chmod o+x ${closed}`) });
      expect(err).toContain(`无法进入目录 ${closed}`);
      expect(err).not.toContain('    at '); // said plainly, without a stack
      expect(existsSync(join(closed, 'data', 'pg', 'PG_VERSION'))).toBe(false);
    },
    120_000,
  );
});

import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync } from 'node:fs';
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

/** Runs `npm start`'s entry exactly as a user does, waiting for the `ready` line. */
function start(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ['scripts/start.js'], { cwd: root, env: { ...process.env, DATABASE_URL: '', ...env } });
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
});

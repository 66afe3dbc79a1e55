import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface OidcTestClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
}

export interface RunningOidcProvider {
  issuer: string;
  password: string;
  /** How the next ID tokens come out: `normal`, `expired`, or `audience:<client_id>`. */
  setIdTokenMode(mode: string): Promise<void>;
  output(): string;
  stop(): Promise<void>;
}

/** A free port now (for an api whose PUBLIC_URL, and so its redirect URI, must be known before it starts). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * The real OpenID provider of test/support/oidc-provider.mjs (oidc-provider) as its own process,
 * with these clients and accounts (username → display name; one password for all).
 */
export async function startOidcProvider(clients: OidcTestClient[], accounts: Record<string, string>): Promise<RunningOidcProvider> {
  const password = 'Op#Password-2026';
  let output = '';
  const child: ChildProcess = spawn(process.execPath, [join(__dirname, 'oidc-provider.mjs')], {
    env: { ...process.env, OP_CLIENTS: JSON.stringify(clients), OP_ACCOUNTS: JSON.stringify(accounts), OP_PASSWORD: password },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let issuer: string | undefined;
  for (let waited = 0; !issuer; waited += 50) {
    issuer = /oidc-provider ready (\S+)/.exec(output)?.[1];
    if (issuer) break;
    if (child.exitCode !== null || waited > 30_000) throw new Error(`the OpenID provider did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const base = issuer;
  return {
    issuer: base,
    password,
    async setIdTokenMode(mode) {
      const res = await fetch(`${base}/__test/mode`, { method: 'POST', body: new URLSearchParams({ idToken: mode }) });
      if (res.status !== 204) throw new Error(`setting the provider's mode failed: ${res.status}`);
    },
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

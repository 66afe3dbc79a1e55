import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface WorkerProcess {
  output(): string;
  stop(): Promise<void>;
}

/**
 * The real workers (`npm run worker`'s entry, built by the jest global setup) as their own process
 * against an api listening on `apiUrl`: the same HTTP a scaled-out deployment uses.
 */
export async function startWorkerProcess(apiUrl: string, workerToken: string, env: Record<string, string> = {}): Promise<WorkerProcess> {
  const root = join(__dirname, '..', '..');
  let output = '';
  const child: ChildProcess = spawn(process.execPath, ['apps/worker/dist/apps/worker/src/main.js'], {
    cwd: root,
    env: { ...process.env, API_URL: apiUrl, WORKER_TOKEN: workerToken, LOG_LEVEL: 'warn', WORKER_LONG_POLL_MS: '1000', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  for (let waited = 0; !output.includes('workers ready'); waited += 50) {
    if (child.exitCode !== null || waited > 20_000) throw new Error(`the workers did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

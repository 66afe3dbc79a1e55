import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

export interface WorkerConfig {
  apiUrl: string;
  workerToken: string;
  smtpUrl?: string;
  logLevel: string;
  workerId?: string;
  /** How long one fetch waits for work (WORKER_LONG_POLL_MS, default 10 s). */
  longPollMs: number;
}

export class WorkerConfigError extends Error {}

/**
 * `npm run worker` on its own: API_URL names the api (default: this machine's), WORKER_TOKEN must
 * match the api's (default: the one the api generated under DATA_DIR, for one machine).
 */
export function loadWorkerConfig(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): WorkerConfig {
  const apiUrl = (env.API_URL || `http://127.0.0.1:${env.PORT || 3000}`).replace(/\/$/, '');
  if (!/^https?:\/\//.test(apiUrl)) throw new WorkerConfigError(`API_URL: must be an http(s) URL, got "${apiUrl}"`);
  const dataDirRaw = env.DATA_DIR || '.data';
  const tokenFile = join(isAbsolute(dataDirRaw) ? dataDirRaw : resolve(cwd, dataDirRaw), 'worker-token');
  const workerToken = env.WORKER_TOKEN || (existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : '');
  if (workerToken.length < 16) {
    throw new WorkerConfigError(
      'WORKER_TOKEN: set the same value as on the api (≥ 16 characters), or run on the api machine with its DATA_DIR',
    );
  }
  const smtpUrl = env.SMTP_URL || undefined;
  if (smtpUrl && !/^smtps?:\/\//.test(smtpUrl)) throw new WorkerConfigError(`SMTP_URL: must start with smtp:// or smtps://`);
  const longPollMs = Number(env.WORKER_LONG_POLL_MS || 10_000);
  if (!Number.isInteger(longPollMs) || longPollMs < 100 || longPollMs > 60_000) {
    throw new WorkerConfigError(`WORKER_LONG_POLL_MS: must be an integer from 100 to 60000, got "${env.WORKER_LONG_POLL_MS}"`);
  }
  return { apiUrl, workerToken, smtpUrl, logLevel: env.LOG_LEVEL || 'info', workerId: env.WORKER_ID || undefined, longPollMs };
}

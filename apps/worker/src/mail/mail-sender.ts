import { hostname } from 'node:os';
import nodemailer, { type Transporter } from 'nodemailer';
import pino, { type Logger } from 'pino';
import { ApiClient, ApiError } from '../api-client';

export interface MailSenderOptions {
  /** The api's root, e.g. http://127.0.0.1:3000. */
  baseUrl: string;
  workerToken: string;
  /** smtp:// or smtps:// URL; without it mail goes to the api's local mailbox. */
  smtpUrl?: string;
  workerId?: string;
  /** Wait between polls when nothing is due (default 2 s). */
  pollMs?: number;
  logger?: Logger;
  /** Messages locked per fetch (default 10). */
  maxMessages?: number;
  /** How long a fetched message stays ours (default 2 min); then another worker may take it. */
  lockDurationMs?: number;
  /** Longest pause after the api or the SMTP server failed (default 60 s). */
  maxBackoffMs?: number;
  /** The From header (default 政务办公平台 <noreply@zhengwu.local>). */
  from?: string;
}

export interface MailSender {
  stop(): Promise<void>;
}

/** A rendered message as the api hands it out (see the api's NotificationsService). */
interface OutgoingMessage {
  id: string;
  messageId: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
}

const DEFAULT_FROM = '政务办公平台 <noreply@zhengwu.local>';

/** One pooled SMTP transport; `pool=true` keeps connections open between messages. */
function smtpTransport(smtpUrl: string): Transporter {
  const url = new URL(smtpUrl);
  if (!url.searchParams.has('pool')) url.searchParams.set('pool', 'true');
  return nodemailer.createTransport(url.toString());
}

/**
 * Sends the outbox's mail: fetch-and-lock → send (SMTP, or the local mailbox) → complete, or report the
 * failure so the api retries later with backoff. Never throws: an unreachable api or SMTP server is
 * logged and waited out. `stop()` lets the message in flight finish; messages fetched but not yet sent
 * are left to their lock's expiry and picked up again by any worker.
 */
export function startMailSender(options: MailSenderOptions): MailSender {
  const log = (options.logger ?? pino({ name: 'mail-sender' })).child({ component: 'mail-sender' });
  const workerId = options.workerId ?? `${hostname()}-${process.pid}-mail`;
  const api = new ApiClient(options.baseUrl.replace(/\/$/, ''), options.workerToken);
  const pollMs = options.pollMs ?? 2000;
  const maxBackoffMs = options.maxBackoffMs ?? 60_000;
  const transport = options.smtpUrl ? smtpTransport(options.smtpUrl) : undefined;
  const from = options.from ?? DEFAULT_FROM;

  let stopped = false;
  let wake: (() => void) | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => (wake = undefined));

  const deliver = async (message: OutgoingMessage): Promise<void> => {
    if (transport) {
      await transport.sendMail({
        from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId: message.messageId,
        headers: { 'X-Zhengwu-Outbox-Id': message.id },
      });
      return;
    }
    await api.json('POST', '/api/worker/mailbox', {
      messageId: message.messageId,
      from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
    });
  };

  /** Sends one message and reports the outcome; returns false when the sending side failed. */
  const handle = async (message: OutgoingMessage): Promise<boolean> => {
    try {
      await deliver(message);
    } catch (error) {
      const errorMessage = error instanceof Error ? error.message : String(error);
      log.warn({ outboxId: message.id, err: error }, 'sending mail failed; the api will schedule a retry');
      await api
        .json('POST', `/api/worker/outbox/${message.id}/failure`, {
          workerId,
          errorMessage: errorMessage.slice(0, 2000) || 'unknown error',
        })
        .catch((reportError: unknown) =>
          log.warn({ outboxId: message.id, err: reportError }, 'reporting the failure failed; the lock will expire'),
        );
      return false;
    }
    await recordSent(message);
    return true;
  };

  /**
   * Tells the api the message went out. Sent but not recorded, it would be sent again with the same
   * Message-ID once the lock expires, so an api that is restarting or a connection cut mid-answer
   * (another api process takes the retry) is waited out; only the api's refusal ends the attempts:
   * the lock was lost to another worker (409) or the message is gone (404). The api accepts a late
   * complete as long as no other worker has taken the message.
   */
  const recordSent = async (message: OutgoingMessage): Promise<void> => {
    for (let wait = 500; ; wait = Math.min(wait * 2, 10_000)) {
      try {
        await api.json('POST', `/api/worker/outbox/${message.id}/complete`, { workerId });
        log.info({ outboxId: message.id, to: message.to.length }, 'mail sent');
        return;
      } catch (error) {
        const refused = error instanceof ApiError && error.status >= 400 && error.status < 500;
        if (refused || stopped) {
          log.warn(
            { outboxId: message.id, err: error },
            error instanceof ApiError && error.status === 409
              ? 'lock lost before complete; another worker owns the message'
              : 'completing failed; the message may be sent again when its lock expires',
          );
          return;
        }
        log.warn({ outboxId: message.id, err: error, retryInMs: wait }, 'recording a sent mail failed; retrying');
        await pause(wait);
      }
    }
  };

  const loop = async (): Promise<void> => {
    let backoff = pollMs;
    while (!stopped) {
      let batch: OutgoingMessage[];
      try {
        batch = await api.json<OutgoingMessage[]>('POST', '/api/worker/outbox/fetch-and-lock', {
          workerId,
          maxMessages: options.maxMessages ?? 10,
          lockDurationMs: options.lockDurationMs ?? 120_000,
        });
      } catch (error) {
        log.warn({ err: error, retryInMs: backoff }, 'fetching mail from the api failed');
        await pause(backoff);
        backoff = Math.min(backoff * 2, maxBackoffMs);
        continue;
      }
      if (batch.length === 0) {
        backoff = pollMs;
        await pause(pollMs);
        continue;
      }
      let failures = 0;
      for (const message of batch) {
        if (stopped) break;
        if (!(await handle(message))) failures += 1;
      }
      // All failed: the SMTP server is likely down; do not hammer it.
      if (failures === batch.length) {
        await pause(backoff);
        backoff = Math.min(backoff * 2, maxBackoffMs);
      } else {
        backoff = pollMs;
      }
    }
  };

  const running = loop().catch((error: unknown) => log.error({ err: error }, 'mail sender stopped unexpectedly'));
  log.info({ workerId, mode: transport ? 'smtp' : 'local-mailbox' }, 'mail sender started');

  return {
    async stop() {
      stopped = true;
      wake?.();
      await running;
      transport?.close();
    },
  };
}

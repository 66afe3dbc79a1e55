import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SupervisionRepository } from './supervision.repository';

const POLL_MS = 60_000;
const BATCH = 500;

/**
 * Reminds the responsible unit when a 督办 item turns 临期 and escalates to its leader and the creator when it is
 * overdue. Each is one `supervision_events` row guarded by a partial unique index and written in one statement with
 * its outbox message: several api processes may scan at once and each notice is still queued exactly once.
 */
@Injectable()
export class SupervisionScanner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SupervisionScanner.name);
  private handle?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(private readonly repo: SupervisionRepository) {}

  onApplicationBootstrap(): void {
    // The same switch as the overdue scanner and the engine's timers (tests and maintenance runs turn all off).
    if (process.env.ZW_DISABLE_SCHEDULER === '1') return;
    this.handle = setInterval(() => {
      this.running ??= this.scan()
        .then(() => undefined)
        .catch((error: unknown) => this.logger.warn({ err: error }, 'supervision scan failed; will retry'))
        .finally(() => (this.running = undefined));
    }, POLL_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.handle) clearInterval(this.handle);
    await this.running;
  }

  /** Queues the reminders and escalations that are due; returns how many of each were queued. */
  async scan(): Promise<{ reminded: number; escalated: number }> {
    let reminded = 0;
    let escalated = 0;
    for (;;) {
      const n = await this.repo.queueReminders(BATCH);
      reminded += n;
      if (n < BATCH) break;
    }
    for (;;) {
      const n = await this.repo.queueEscalations(BATCH);
      escalated += n;
      if (n < BATCH) break;
    }
    return { reminded, escalated };
  }
}

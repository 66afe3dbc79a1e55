import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { todayCst } from '../supervision/supervision-rules';
import { isReportDue, periodOf } from './work-plan-rules';
import { WorkPlansRepository } from './work-plans.repository';

const POLL_MS = 15 * 60_000;

/**
 * Reminds a responsible unit when its periodic progress report is due (the last days of the month or quarter) and
 * missing. Deadlines and escalation are supervision's: every approved item is a 督办 item, scanned there.
 */
@Injectable()
export class WorkPlansScanner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkPlansScanner.name);
  private handle?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(private readonly repo: WorkPlansRepository) {}

  onApplicationBootstrap(): void {
    if (process.env.ZW_DISABLE_SCHEDULER === '1') return;
    this.handle = setInterval(() => {
      this.running ??= this.scan()
        .then(() => undefined)
        .catch((error: unknown) => this.logger.warn({ err: error }, 'work-plan scan failed; will retry'))
        .finally(() => (this.running = undefined));
    }, POLL_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.handle) clearInterval(this.handle);
    await this.running;
  }

  /** Queues the progress reminders due on `now`'s day (China Standard Time); returns how many. */
  async scan(now: Date = new Date()): Promise<{ reminded: number }> {
    const day = todayCst(now);
    const reminded = await this.repo.queueProgressReminders(
      {
        monthly: isReportDue(day, 'monthly') ? periodOf(day, 'monthly') : null,
        quarterly: isReportDue(day, 'quarterly') ? periodOf(day, 'quarterly') : null,
      },
      Number(day.slice(0, 4)),
    );
    return { reminded };
  }
}

import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { EngineService } from './engine.service';

const POLL_MS = 1000;
const BATCH = 20;

/** Fires due timers; SKIP LOCKED spreads them over replicas, and each firing is its own command. */
@Injectable()
export class TimerScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TimerScheduler.name);
  private handle?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly engine: EngineService,
  ) {}

  onApplicationBootstrap(): void {
    if (process.env.ZW_DISABLE_SCHEDULER === '1') return;
    this.handle = setInterval(() => {
      this.running ??= this.tick()
        .then(() => undefined)
        .finally(() => (this.running = undefined));
    }, POLL_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.handle) clearInterval(this.handle);
    await this.running;
  }

  /** Fires every timer due now; returns how many fired. */
  async tick(): Promise<number> {
    let fired = 0;
    try {
      const due: { id: string }[] = await this.dataSource.query(
        `SELECT id FROM timers WHERE status = 'pending' AND due_at <= now() ORDER BY due_at LIMIT $1`,
        [BATCH],
      );
      for (const timer of due) {
        try {
          if (await this.engine.fireTimer(timer.id)) fired += 1;
        } catch (error) {
          this.logger.error({ err: error, timerId: timer.id }, 'timer failed; will retry');
          await this.dataSource.query(
            `UPDATE timers SET attempts = attempts + 1, last_error = $2, due_at = now() + interval '30 seconds' WHERE id = $1`,
            [timer.id, error instanceof Error ? error.message : String(error)],
          );
        }
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'timer poll failed');
    }
    return fired;
  }
}

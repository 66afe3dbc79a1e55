import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

const POLL_MS = 60_000;
const BATCH = 500;

/**
 * Writes one `task.overdue` outbox row per open task whose deadline has passed. The notice table's
 * primary key makes "once per task" hold across replicas and restarts: the row and its outbox message
 * are written in one statement, so a task is either noticed and queued, or neither.
 */
@Injectable()
export class OverdueScanner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OverdueScanner.name);
  private handle?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  onApplicationBootstrap(): void {
    // Same switch as the engine's timer scheduler (tests and maintenance runs turn both off).
    if (process.env.ZW_DISABLE_SCHEDULER === '1') return;
    this.handle = setInterval(() => {
      this.running ??= this.scan()
        .then(() => undefined)
        .catch((error: unknown) => this.logger.warn({ err: error }, 'overdue scan failed; will retry'))
        .finally(() => (this.running = undefined));
    }, POLL_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.handle) clearInterval(this.handle);
    await this.running;
  }

  /** Queues the notices of tasks that became overdue; returns how many were queued. */
  async scan(): Promise<number> {
    let total = 0;
    for (;;) {
      const rows: { id: string }[] = await this.dataSource.query(
        `WITH due AS (
           INSERT INTO task_overdue_notices (task_id)
           SELECT t.id FROM tasks t
            WHERE t.status = 'open' AND t.due_at IS NOT NULL AND t.due_at < now()
              AND NOT EXISTS (SELECT 1 FROM task_overdue_notices n WHERE n.task_id = t.id)
            ORDER BY t.due_at LIMIT $1
           ON CONFLICT (task_id) DO NOTHING
           RETURNING task_id)
         INSERT INTO outbox (topic, payload)
         SELECT 'task.overdue', jsonb_build_object('taskId', t.id, 'instanceId', t.instance_id, 'name', t.name, 'dueAt', t.due_at)
           FROM due JOIN tasks t ON t.id = due.task_id
         RETURNING id`,
        [BATCH],
      );
      total += rows.length;
      if (rows.length < BATCH) return total;
    }
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Principal } from '../identity/principal';
import { SupervisionService } from '../supervision/supervision.service';
import { ListTasksQuery } from '../tasks/tasks.dto';
import { TasksService } from '../tasks/tasks.service';
import type { DashboardFigures, MyDesk } from './dashboard.types';

/** Cases that only serve another case (the archiving step) are not counted as work. */
const SERVICE_PROCESSES = ['case-archiving'];
const WEEKS = 8;
const TOP_TODO = 8;
const TOP_SUPERVISION = 6;
/** The newest 督办 items looked at for the desk (the ledger page has them all). */
const LEDGER_WINDOW = 100;

/**
 * The unit a task sits with: the assignee's unit, else the first unit it is offered to, else the
 * case's unit. The data-scope rule (identity/data-scope.ts) bounds it to the caller's unit tree.
 */
const TASK_UNIT = `COALESCE(au.unit_id, t.candidate_units[1], t.owner_unit_id)`;
const TASKS_IN_SCOPE = `
  FROM tasks t
  LEFT JOIN users au ON au.id::text = t.assignee
  JOIN units un ON un.id = ${TASK_UNIT}
 WHERE un.path LIKE $1 AND t.definition_key <> ALL($2)`;

/** 工作台 figures, computed in SQL over the engine's read model (tasks and cases, ADR 0005). */
@Injectable()
export class DashboardService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tasks: TasksService,
    private readonly supervision: SupervisionService,
  ) {}

  /**
   * The person's own desk: the inbox's 待办 (its own rule, substitutes included) by due date, so the overdue come
   * first and undated last; and the 督办 ledger within their scope as the supervision feature decides it.
   */
  async mine(me: Principal): Promise<MyDesk> {
    const todo = (extra: Partial<ListTasksQuery>) =>
      this.tasks.list(me, Object.assign(new ListTasksQuery(), { view: 'todo', sort: 'due' }, extra));
    const [top, overdue, ledger] = await Promise.all([
      todo({ limit: TOP_TODO }),
      todo({ overdue: 'true', limit: 1 }),
      this.supervision.list(me, { limit: LEDGER_WINDOW, offset: 0 }),
    ]);
    const pending = ledger.items.filter((item) => item.status !== '已办结');
    const byDeadline = [...pending].sort((a, b) => a.deadline.localeCompare(b.deadline));
    return {
      counts: { todo: top.total, overdue: overdue.total, supervision: pending.length },
      todo: top.items.map((t) => ({
        id: t.id,
        name: t.name,
        title: t.title,
        processName: t.processName,
        urgency: t.urgency,
        createdAt: t.createdAt,
        dueAt: t.dueAt,
        // The inbox leaves it null for an undated step; the desk says plainly not overdue.
        isOverdue: t.isOverdue === true,
      })),
      supervision: byDeadline.slice(0, TOP_SUPERVISION).map((item) => ({
        id: item.id,
        title: item.title,
        unitName: item.unitName,
        deadline: item.deadline,
        status: item.status,
      })),
    };
  }

  async figures(me: Principal): Promise<DashboardFigures> {
    const params = [`${escapeLike(me.unitPath)}%`, SERVICE_PROCESSES];
    const [openByUnit, avg, weekly] = await Promise.all([
      this.dataSource.query(
        `SELECT COALESCE(un.short_name, un.name) AS unit, count(*)::int AS open,
                count(*) FILTER (WHERE t.due_at < now())::int AS overdue
         ${TASKS_IN_SCOPE} AND t.status = 'open'
         GROUP BY un.id, un.short_name, un.name, un.path ORDER BY open DESC, un.path`,
        params,
      ) as Promise<{ unit: string; open: number; overdue: number }[]>,
      this.dataSource.query(
        `SELECT COALESCE(c.process_name, t.definition_key) AS process, t.name AS step,
                round((avg(extract(epoch FROM t.completed_at - t.created_at)) / 3600)::numeric, 1)::float AS hours,
                count(*)::int AS count
         ${TASKS_IN_SCOPE.replace('FROM tasks t', 'FROM tasks t JOIN cases c ON c.id = t.instance_id')}
           AND t.status = 'completed' AND t.completed_at IS NOT NULL
         GROUP BY COALESCE(c.process_name, t.definition_key), t.name ORDER BY hours DESC, process, step LIMIT 30`,
        params,
      ) as Promise<{ process: string; step: string; hours: number; count: number }[]>,
      this.dataSource.query(
        `WITH weeks AS (
           SELECT generate_series(date_trunc('week', now() AT TIME ZONE 'Asia/Shanghai') - interval '${WEEKS - 1} weeks',
                                  date_trunc('week', now() AT TIME ZONE 'Asia/Shanghai'), interval '1 week') AS week),
         in_scope AS (
           SELECT date_trunc('week', i.started_at AT TIME ZONE 'Asia/Shanghai') AS started_week,
                  CASE WHEN i.status IN ('completed', 'terminated') THEN date_trunc('week', i.ended_at AT TIME ZONE 'Asia/Shanghai') END AS ended_week
             FROM cases i
            WHERE i.definition_key <> ALL($2) AND i.parent_instance_id IS NULL
              AND (EXISTS (SELECT 1 FROM units un WHERE un.id = i.owner_unit_id AND un.path LIKE $1)
                   OR EXISTS (SELECT 1 ${TASKS_IN_SCOPE} AND t.instance_id = i.id)))
         SELECT to_char(w.week, 'YYYY-MM-DD') AS week,
                (SELECT count(*) FROM in_scope c WHERE c.started_week = w.week)::int AS started,
                (SELECT count(*) FROM in_scope c WHERE c.ended_week = w.week)::int AS finished
           FROM weeks w ORDER BY w.week`,
        params,
      ) as Promise<{ week: string; started: number; finished: number }[]>,
    ]);
    const open = openByUnit.reduce((sum, row) => sum + row.open, 0);
    const overdue = openByUnit.reduce((sum, row) => sum + row.overdue, 0);
    return {
      openByUnit,
      overdueRate: open === 0 ? 0 : Math.round((overdue / open) * 10000) / 10000,
      avgHandlingHoursByStep: avg,
      weekly,
    };
  }
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

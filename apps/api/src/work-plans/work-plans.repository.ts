import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { returning } from '../platform/sql';
import type { PlanItemDto } from './work-plans.dto';
import { ITEM_STATUS_SQL, type PlanStatus, UNIT_WORK_ROLES } from './work-plan-rules';

export interface PlanRow {
  id: string;
  year: number;
  title: string;
  intro: string;
  status: PlanStatus;
  drafted_by: string;
  unit_id: string;
  instance_id: string | null;
  decision: string | null;
  decided_at: Date | null;
  evaluation: Record<string, unknown> | null;
  evaluation_submitted_at: Date | null;
  acknowledged_by: string | null;
  acknowledged_at: Date | null;
  acknowledgement: string | null;
  bulletin_document_id: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface ItemRow {
  id: string;
  plan_id: string;
  seq: number;
  title: string;
  measures: string;
  unit_id: string;
  unit_name: string;
  unit_path: string;
  deadline: string;
  cadence: 'monthly' | 'quarterly';
  supervision_item_id: string | null;
  summary: string | null;
  summary_at: Date | null;
  summary_by_name: string | null;
  status: string;
  stage: string | null;
  due_at: Date | null;
  reported_at: Date | null;
  closed_at: Date | null;
  escalated: boolean;
  latest_percent: number | null;
  latest_note: string | null;
  latest_at: Date | null;
  latest_period: string | null;
}

const ITEM_COLUMNS = `i.id, i.plan_id, i.seq, i.title, i.measures, i.unit_id, u.name AS unit_name, u.path AS unit_path,
  to_char(i.deadline, 'YYYY-MM-DD') AS deadline, i.cadence, i.supervision_item_id, i.summary, i.summary_at, sb.display_name AS summary_by_name,
  ${ITEM_STATUS_SQL} AS status, s.stage, s.due_at, s.reported_at, s.closed_at,
  EXISTS (SELECT 1 FROM supervision_events e WHERE e.item_id = s.id AND e.kind = 'escalated') AS escalated,
  g.percent AS latest_percent, g.note AS latest_note, g.at AS latest_at, g.period AS latest_period`;
// The 督办 item is read, never written, here: supervision keeps its own rules (SupervisionService.createForSource).
const ITEM_FROM = `work_plan_items i JOIN units u ON u.id = i.unit_id LEFT JOIN users sb ON sb.id = i.summary_by
  LEFT JOIN supervision_items s ON s.id = i.supervision_item_id
  LEFT JOIN LATERAL (SELECT percent, note, at, period FROM work_plan_progress WHERE item_id = i.id ORDER BY id DESC LIMIT 1) g ON true`;

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** 工作要点: plans, items, progress reports, votes and history; SQL only, no rules. */
@Injectable()
export class WorkPlansRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  private m(m?: EntityManager): EntityManager {
    return m ?? this.dataSource.manager;
  }

  async unitsByCode(codes: string[]): Promise<{ id: string; code: string; path: string; name: string }[]> {
    return this.dataSource.query(`SELECT id, code, path, name FROM units WHERE code = ANY($1)`, [codes]);
  }

  async isGroupMember(groupUnitId: string, userId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM unit_members WHERE unit_id = $1 AND user_id = $2`, [
      groupUnitId,
      userId,
    ]);
    return rows.length > 0;
  }

  /** Units that may answer for an item (bodies such as the leading group answer for nothing). */
  async responsibleUnits(): Promise<{ id: string; name: string; depth: number }[]> {
    return this.dataSource.query(`SELECT id, name, depth FROM units WHERE kind <> 'body' ORDER BY path`);
  }

  async unitKinds(m: EntityManager, ids: string[]): Promise<{ id: string; kind: string }[]> {
    return m.query(`SELECT id, kind FROM units WHERE id = ANY($1::uuid[])`, [ids]);
  }

  async insertPlan(
    m: EntityManager,
    plan: { year: number; title: string; intro: string; draftedBy: string; unitId: string },
  ): Promise<string> {
    const rows: { id: string }[] = await m.query(
      `INSERT INTO work_plans (year, title, intro, drafted_by, unit_id) VALUES ($1,$2,$3,$4,$5) RETURNING id`,
      [plan.year, plan.title, plan.intro, plan.draftedBy, plan.unitId],
    );
    return rows[0].id;
  }

  async updatePlanText(m: EntityManager, id: string, title: string, intro: string): Promise<void> {
    await m.query(`UPDATE work_plans SET title = $2, intro = $3, updated_at = now() WHERE id = $1`, [id, title, intro]);
  }

  async replaceItems(m: EntityManager, planId: string, items: PlanItemDto[]): Promise<void> {
    await m.query(`DELETE FROM work_plan_items WHERE plan_id = $1`, [planId]);
    for (const [index, item] of items.entries()) {
      await m.query(
        `INSERT INTO work_plan_items (plan_id, seq, title, measures, unit_id, deadline, cadence) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
        [planId, index + 1, item.title.trim(), item.measures.trim(), item.unitId, item.deadline, item.cadence ?? 'monthly'],
      );
    }
  }

  async plan(id: string, m?: EntityManager, lock = false): Promise<PlanRow | undefined> {
    const rows: PlanRow[] = await this.m(m).query(`SELECT * FROM work_plans WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return rows[0];
  }

  async setStatus(m: EntityManager, id: string, status: PlanStatus, extra: { instanceId?: string; decision?: string } = {}): Promise<void> {
    await m.query(
      `UPDATE work_plans SET status = $2, instance_id = coalesce($3, instance_id), decision = coalesce($4, decision),
              decided_at = CASE WHEN $4::text IS NULL THEN decided_at ELSE now() END, updated_at = now() WHERE id = $1`,
      [id, status, extra.instanceId ?? null, extra.decision ?? null],
    );
  }

  async storeEvaluation(m: EntityManager, id: string, evaluation: object, by: string): Promise<void> {
    await m.query(
      `UPDATE work_plans SET status = '评估中', evaluation = $2, evaluation_submitted_by = $3, evaluation_submitted_at = now(), updated_at = now()
        WHERE id = $1`,
      [id, JSON.stringify(evaluation), by],
    );
  }

  async acknowledge(m: EntityManager, id: string, by: string | null, text: string | null): Promise<void> {
    await m.query(
      `UPDATE work_plans SET status = '已评估', acknowledged_by = $2, acknowledged_at = now(), acknowledgement = $3, updated_at = now() WHERE id = $1`,
      [id, by, text],
    );
  }

  /** Links the 通报 once: false when another request linked one first. */
  async linkBulletin(m: EntityManager, id: string, documentId: string): Promise<boolean> {
    const rows = await returning<{ id: string }>(
      m,
      `UPDATE work_plans SET bulletin_document_id = $2, updated_at = now() WHERE id = $1 AND bulletin_document_id IS NULL RETURNING id`,
      [id, documentId],
    );
    return rows.length > 0;
  }

  /**
   * Plans in the viewer's sight: all of them for 信息办 and the group (`whole`); otherwise approved plans with an item
   * of the viewer's subtree.
   */
  async list(
    viewer: { whole: boolean; unitPath: string },
    year: number | undefined,
    page: { offset: number; limit: number },
  ): Promise<{ items: unknown[]; total: number }> {
    const params: unknown[] = [viewer.whole, `${escapeLike(viewer.unitPath)}%`, year ?? null];
    const where = `WHERE ($3::int IS NULL OR p.year = $3)
      AND ($1 OR (p.status IN ('执行中','评估中','已评估') AND EXISTS (
        SELECT 1 FROM work_plan_items vi JOIN units vu ON vu.id = vi.unit_id WHERE vi.plan_id = p.id AND vu.path LIKE $2)))`;
    const [{ total }]: { total: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS total FROM work_plans p ${where}`,
      params,
    );
    const items: unknown[] = await this.dataSource.query(
      `SELECT p.id, p.year, p.title, p.status, p.decided_at AS "decidedAt", p.created_at AS "createdAt", d.display_name AS "draftedByName",
              (SELECT count(*)::int FROM work_plan_items i WHERE i.plan_id = p.id) AS "itemCount",
              (SELECT count(*)::int FROM work_plan_items i JOIN supervision_items s ON s.id = i.supervision_item_id
                WHERE i.plan_id = p.id AND s.stage = 'closed') AS "doneCount",
              (SELECT count(*)::int FROM work_plan_items i JOIN supervision_items s ON s.id = i.supervision_item_id
                WHERE i.plan_id = p.id AND s.stage <> 'closed' AND now() >= s.due_at) AS "overdueCount"
         FROM work_plans p JOIN users d ON d.id = p.drafted_by ${where}
        ORDER BY p.year DESC, p.created_at DESC LIMIT ${Number(page.limit)} OFFSET ${Number(page.offset)}`,
      params,
    );
    return { items, total };
  }

  async items(planId: string, m?: EntityManager): Promise<ItemRow[]> {
    return this.m(m).query(`SELECT ${ITEM_COLUMNS} FROM ${ITEM_FROM} WHERE i.plan_id = $1 ORDER BY i.seq`, [planId]);
  }

  async item(id: string, m?: EntityManager): Promise<ItemRow | undefined> {
    const rows: ItemRow[] = await this.m(m).query(`SELECT ${ITEM_COLUMNS} FROM ${ITEM_FROM} WHERE i.id = $1`, [id]);
    return rows[0];
  }

  async lockItem(m: EntityManager, id: string): Promise<void> {
    await m.query(`SELECT 1 FROM work_plan_items WHERE id = $1 FOR UPDATE`, [id]);
  }

  async linkSupervision(m: EntityManager, itemId: string, supervisionItemId: string): Promise<void> {
    await m.query(`UPDATE work_plan_items SET supervision_item_id = $2 WHERE id = $1`, [itemId, supervisionItemId]);
  }

  async addProgress(m: EntityManager, itemId: string, period: string, percent: number, note: string, userId: string): Promise<void> {
    await m.query(`INSERT INTO work_plan_progress (item_id, period, percent, note, user_id) VALUES ($1,$2,$3,$4,$5)`, [
      itemId,
      period,
      percent,
      note,
      userId,
    ]);
  }

  async progress(itemId: string): Promise<unknown[]> {
    return this.dataSource.query(
      `SELECT g.id::text AS id, g.period, g.percent, g.note, g.at, u.display_name AS "userName"
         FROM work_plan_progress g JOIN users u ON u.id = g.user_id WHERE g.item_id = $1 ORDER BY g.id DESC`,
      [itemId],
    );
  }

  async setSummary(m: EntityManager, itemId: string, summary: string, userId: string): Promise<void> {
    await m.query(`UPDATE work_plan_items SET summary = $2, summary_by = $3, summary_at = now() WHERE id = $1`, [itemId, summary, userId]);
  }

  async insertVote(
    m: EntityManager,
    vote: {
      planId: string;
      instanceId: string;
      round: number;
      taskId: string;
      voterId: string;
      vote: string;
      opinion: string | null;
      refer: boolean;
    },
  ): Promise<void> {
    await m.query(
      `INSERT INTO work_plan_votes (plan_id, instance_id, round, task_id, voter_id, vote, opinion, refer_to_secretary) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
      [vote.planId, vote.instanceId, vote.round, vote.taskId, vote.voterId, vote.vote, vote.opinion, vote.refer],
    );
  }

  async tally(
    m: EntityManager,
    instanceId: string,
    round: number,
  ): Promise<{ approve: number; reject: number; cast: number; referred: boolean }> {
    const [row]: { approve: number; reject: number; cast: number; referred: boolean }[] = await m.query(
      `SELECT count(*) FILTER (WHERE vote = 'approve')::int AS approve, count(*) FILTER (WHERE vote = 'reject')::int AS reject,
              count(*)::int AS cast, coalesce(bool_or(refer_to_secretary), false) AS referred
         FROM work_plan_votes WHERE instance_id = $1 AND round = $2`,
      [instanceId, round],
    );
    return row;
  }

  async votes(planId: string): Promise<unknown[]> {
    return this.dataSource.query(
      `SELECT v.round, v.vote, v.opinion, v.refer_to_secretary AS "referToSecretary", v.voted_at AS "votedAt", u.display_name AS "voterName"
         FROM work_plan_votes v JOIN users u ON u.id = v.voter_id WHERE v.plan_id = $1 ORDER BY v.round, v.voted_at, v.id`,
      [planId],
    );
  }

  async addHistory(m: EntityManager, planId: string, action: string, note: string | null, userId: string | null): Promise<void> {
    await m.query(`INSERT INTO work_plan_history (plan_id, action, note, user_id) VALUES ($1,$2,$3,$4)`, [planId, action, note, userId]);
  }

  async history(planId: string): Promise<unknown[]> {
    return this.dataSource.query(
      `SELECT h.action, h.note, h.at, u.display_name AS "userName" FROM work_plan_history h LEFT JOIN users u ON u.id = h.user_id
        WHERE h.plan_id = $1 ORDER BY h.id`,
      [planId],
    );
  }

  /** The case's open steps (the engine port's read model `tasks`). */
  async openTasks(
    instanceId: string,
    m?: EntityManager,
  ): Promise<{ id: string; activityId: string; name: string; assignee: string | null }[]> {
    return this.m(m).query(
      `SELECT t.id, t.activity_id AS "activityId", t.name, t.assignee FROM tasks t WHERE t.instance_id = $1 AND t.status = 'open' ORDER BY t.created_at, t.id`,
      [instanceId],
    );
  }

  async outbox(m: EntityManager, topic: string, payload: object): Promise<void> {
    await m.query(`INSERT INTO outbox (topic, payload) VALUES ($1, $2)`, [topic, JSON.stringify(payload)]);
  }

  /** The people of a unit who do its work (they report progress). */
  async unitWorkers(m: EntityManager, unitId: string): Promise<string[]> {
    const rows: { id: string }[] = await m.query(
      `SELECT DISTINCT u.id FROM users u JOIN user_roles r ON r.user_id = u.id WHERE u.unit_id = $1 AND u.is_active AND r.role = ANY($2)`,
      [unitId, UNIT_WORK_ROLES],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Progress reminders: one `work_plan_reminders` row per item and period (its primary key holds it across processes)
   * and its outbox notice, in one statement. Only items of running plans of `year` whose 督办 is still open and that
   * have no report for the period.
   */
  async queueProgressReminders(periods: { monthly: string | null; quarterly: string | null }, year: number): Promise<number> {
    const rows: unknown[] = await this.dataSource.query(
      `WITH due AS (
         INSERT INTO work_plan_reminders (item_id, period)
         SELECT i.id, CASE i.cadence WHEN 'monthly' THEN $1 ELSE $2 END
           FROM work_plan_items i JOIN work_plans p ON p.id = i.plan_id JOIN supervision_items s ON s.id = i.supervision_item_id
          WHERE p.status = '执行中' AND p.year = $3 AND s.stage = 'open'
            AND CASE i.cadence WHEN 'monthly' THEN $1 ELSE $2 END IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM work_plan_progress g WHERE g.item_id = i.id AND g.period = CASE i.cadence WHEN 'monthly' THEN $1 ELSE $2 END)
         ON CONFLICT (item_id, period) DO NOTHING
         RETURNING item_id, period)
       INSERT INTO outbox (topic, payload)
       SELECT 'work-plan.progress-due', jsonb_build_object('itemId', i.id, 'planId', i.plan_id, 'period', due.period,
                'to', (SELECT coalesce(jsonb_agg(DISTINCT w.id), '[]'::jsonb) FROM users w JOIN user_roles r ON r.user_id = w.id
                        WHERE w.unit_id = i.unit_id AND w.is_active AND r.role = ANY($4)),
                'subject', '请报送工作要点进展（' || due.period || '）：' || i.title,
                'link', '/work-plans/items/' || i.id)
         FROM due JOIN work_plan_items i ON i.id = due.item_id
       RETURNING id`,
      [periods.monthly, periods.quarterly, year, UNIT_WORK_ROLES],
    );
    return rows.length;
  }
}

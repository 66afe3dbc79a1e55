import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '../identity/principal';
import { HANDLING_ROLES, STATUS_SQL, type SupervisionStage, type SupervisionStatus } from './supervision-rules';

export interface ItemRow {
  id: string;
  target_kind: 'case' | 'document' | 'work-plan';
  /** What a 'work-plan' item stands for (a 工作要点 item); null for cases and 公文. */
  source_kind: string | null;
  source_id: string | null;
  instance_id: string | null;
  document_id: string | null;
  title: string;
  opinion: string;
  unit_id: string;
  unit_name: string;
  unit_path: string;
  created_by: string;
  created_by_name: string;
  creator_unit_id: string;
  creator_unit_name: string;
  creator_unit_path: string;
  deadline: string;
  due_at: Date;
  remind_at: Date;
  stage: SupervisionStage;
  status: SupervisionStatus;
  reported_by: string | null;
  reported_at: Date | null;
  closed_at: Date | null;
  created_at: Date;
}

export interface CaseTarget {
  id: string;
  status: string;
  title: string | null;
  process_name: string | null;
  owner_unit_id: string | null;
  owner_unit_path: string | null;
  started_by: string | null;
}

export interface DocumentTarget {
  id: string;
  title: string;
  doc_number: string | null;
  status: string;
  instance_id: string | null;
  unit_id: string;
  unit_path: string;
  recipients: string[];
}

export interface NewItem {
  targetKind: 'case' | 'document' | 'work-plan';
  sourceKind?: string;
  sourceId?: string;
  instanceId: string | null;
  documentId: string | null;
  title: string;
  opinion: string;
  unitId: string;
  createdBy: string;
  creatorUnitId: string;
  deadline: string;
  dueAt: Date;
  remindAt: Date;
}

export interface LedgerFilter {
  status?: SupervisionStatus;
  unitId?: string;
  year?: number;
  targetId?: string;
}

/** Who is asking the ledger: their subtree, their own items, the steps they hold; 办公厅 sees all. */
export interface Viewer {
  me: Principal;
  isOffice: boolean;
}

const ITEM_COLUMNS = `s.id, s.target_kind, s.source_kind, s.source_id, s.instance_id, s.document_id, s.title, s.opinion, s.unit_id, ru.name AS unit_name, ru.path AS unit_path,
  s.created_by, cb.display_name AS created_by_name, s.creator_unit_id, cu.name AS creator_unit_name, cu.path AS creator_unit_path,
  to_char(s.deadline, 'YYYY-MM-DD') AS deadline, s.due_at, s.remind_at, s.stage, ${STATUS_SQL} AS status,
  s.reported_by, s.reported_at, s.closed_at, s.created_at`;
const ITEM_FROM = `supervision_items s JOIN units ru ON ru.id = s.unit_id JOIN units cu ON cu.id = s.creator_unit_id JOIN users cb ON cb.id = s.created_by`;

/**
 * A person holds a step of a case when it is assigned to them, offered to them by name, or offered to their role in
 * their unit (the inbox's rule, over the port's read model `tasks`). $1 user id, $2 roles, $3 unit id.
 */
const holds = (user: string, roles: string, unit: string) => `(t.assignee = ${user}::text
  OR (t.assignee IS NULL AND t.candidate_users @> ARRAY[${user}::text])
  OR (t.assignee IS NULL AND t.candidate_groups && ${roles}::text[] AND (t.candidate_units @> ARRAY[${unit}::uuid]
      OR (cardinality(t.candidate_units) = 0 AND t.owner_unit_id = ${unit}::uuid))))`;
const HOLDS = holds('$1', '$2', '$3');

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The 督办 items, their timeline and what they point at; SQL only, no rules. */
@Injectable()
export class SupervisionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  private m(m?: EntityManager): EntityManager {
    return m ?? this.dataSource.manager;
  }

  async unitByCode(code: string): Promise<{ id: string; path: string } | undefined> {
    const rows: { id: string; path: string }[] = await this.dataSource.query(`SELECT id, path FROM units WHERE code = $1`, [code]);
    return rows[0];
  }

  async unit(id: string, m?: EntityManager): Promise<{ id: string; path: string; name: string } | undefined> {
    const rows: { id: string; path: string; name: string }[] = await this.m(m).query(`SELECT id, path, name FROM units WHERE id = $1`, [
      id,
    ]);
    return rows[0];
  }

  /** Units a creator may make responsible: their subtree, or every unit (办公厅); bodies such as a leading group answer for nothing. */
  async unitsWithin(path: string | null): Promise<{ id: string; name: string; depth: number }[]> {
    return this.dataSource.query(
      `SELECT id, name, depth FROM units WHERE kind <> 'body' AND ($1::text IS NULL OR path LIKE $1) ORDER BY path`,
      [path === null ? null : `${escapeLike(path)}%`],
    );
  }

  /** A case from the engine port's read model (`cases`), with its owner unit's path. */
  async caseTarget(id: string, m?: EntityManager): Promise<CaseTarget | undefined> {
    const rows: CaseTarget[] = await this.m(m).query(
      `SELECT c.id, c.status, c.variables->>'title' AS title, c.process_name, c.owner_unit_id, u.path AS owner_unit_path, c.started_by::text AS started_by
         FROM cases c LEFT JOIN units u ON u.id = c.owner_unit_id WHERE c.id = $1`,
      [id],
    );
    return rows[0];
  }

  /** Whether the person holds, held or acted on a step of the case, or was copied on it. */
  async isInvolvedInCase(me: Principal, instanceId: string, m?: EntityManager): Promise<boolean> {
    const rows: unknown[] = await this.m(m).query(
      `SELECT 1 FROM tasks t WHERE t.instance_id = $4 AND ${HOLDS}
       UNION ALL SELECT 1 FROM task_actions a WHERE a.instance_id = $4 AND a.user_id = $1::uuid
       UNION ALL SELECT 1 FROM task_copies c WHERE c.instance_id = $4 AND c.user_id = $1::uuid
       LIMIT 1`,
      [me.userId, me.roles, me.unitId, instanceId],
    );
    return rows.length > 0;
  }

  /** Whether the person holds an open step of the case now (they may report its 办结). */
  async holdsOpenStep(me: Principal, instanceId: string, m?: EntityManager): Promise<boolean> {
    const rows: unknown[] = await this.m(m).query(
      `SELECT 1 FROM tasks t WHERE t.instance_id = $4 AND t.status = 'open' AND ${HOLDS} LIMIT 1`,
      [me.userId, me.roles, me.unitId, instanceId],
    );
    return rows.length > 0;
  }

  async documentTarget(id: string, m?: EntityManager): Promise<DocumentTarget | undefined> {
    const rows: DocumentTarget[] = await this.m(m).query(
      `SELECT d.id, d.title, d.doc_number, d.status, d.instance_id, d.unit_id, u.path AS unit_path,
              coalesce((SELECT array_agg(r.unit_id::text) FROM document_receipts r WHERE r.document_id = d.id), '{}') AS recipients
         FROM documents d JOIN units u ON u.id = d.unit_id WHERE d.id = $1`,
      [id],
    );
    return rows[0];
  }

  /** Inserts the item and its first timeline entry; a live item on the same target raises the unique violation. */
  async insert(m: EntityManager, item: NewItem): Promise<string> {
    const rows: { id: string }[] = await m.query(
      `INSERT INTO supervision_items (target_kind, instance_id, document_id, title, opinion, unit_id, created_by, creator_unit_id, deadline, due_at, remind_at,
                                     source_kind, source_id)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) RETURNING id`,
      [
        item.targetKind,
        item.instanceId,
        item.documentId,
        item.title,
        item.opinion,
        item.unitId,
        item.createdBy,
        item.creatorUnitId,
        item.deadline,
        item.dueAt,
        item.remindAt,
        item.sourceKind ?? null,
        item.sourceId ?? null,
      ],
    );
    return rows[0].id;
  }

  async addEvent(
    m: EntityManager,
    itemId: string,
    kind: string,
    userId: string | null,
    note: string | null,
    detail: object = {},
  ): Promise<void> {
    await m.query(`INSERT INTO supervision_events (item_id, kind, user_id, note, detail) VALUES ($1, $2, $3, $4, $5)`, [
      itemId,
      kind,
      userId,
      note,
      JSON.stringify(detail),
    ]);
  }

  async outbox(m: EntityManager, topic: string, payload: object): Promise<void> {
    await m.query(`INSERT INTO outbox (topic, payload) VALUES ($1, $2)`, [topic, JSON.stringify(payload)]);
  }

  async item(id: string, m?: EntityManager): Promise<ItemRow | undefined> {
    const rows: ItemRow[] = await this.m(m).query(`SELECT ${ITEM_COLUMNS} FROM ${ITEM_FROM} WHERE s.id = $1`, [id]);
    return rows[0];
  }

  /** Moves the item from one stage to another; false when it was not in `from` (someone else moved it first). */
  async moveStage(m: EntityManager, id: string, from: SupervisionStage, to: SupervisionStage, by: string | null): Promise<boolean> {
    // TypeORM answers an UPDATE with [rows, rowCount].
    const [, moved]: [unknown[], number] = await m.query(
      `UPDATE supervision_items
          SET stage = $3,
              reported_by = CASE WHEN $3 = 'reported' THEN $4::uuid WHEN $3 = 'open' THEN NULL ELSE reported_by END,
              reported_at = CASE WHEN $3 = 'reported' THEN now() WHEN $3 = 'open' THEN NULL ELSE reported_at END,
              closed_at = CASE WHEN $3 = 'closed' THEN now() ELSE NULL END
        WHERE id = $1 AND stage = $2`,
      [id, from, to, by],
    );
    return moved > 0;
  }

  /** The ledger within the viewer's scope, newest first; `limit` undefined for the export. */
  async ledger(
    viewer: Viewer,
    filter: LedgerFilter,
    page?: { offset: number; limit: number },
  ): Promise<{ items: ItemRow[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, ...values: unknown[]) => {
      let text = sql;
      for (const value of values) {
        params.push(value);
        text = text.replace('?', `$${params.length}`);
      }
      where.push(text);
    };
    if (!viewer.isOffice) {
      const { me } = viewer;
      params.push(`${escapeLike(me.unitPath)}%`, me.userId, me.roles, me.unitId);
      where.push(`(cu.path LIKE $1 OR ru.path LIKE $1 OR s.created_by = $2::uuid
        OR EXISTS (SELECT 1 FROM tasks t WHERE t.instance_id = s.instance_id AND t.status = 'open' AND ${holds('$2', '$3', '$4')}))`);
    }
    if (filter.status) add(`${STATUS_SQL} = ?`, filter.status);
    if (filter.unitId) add(`s.unit_id = ?`, filter.unitId);
    if (filter.year) add(`extract(year FROM s.created_at AT TIME ZONE 'Asia/Shanghai') = ?`, filter.year);
    if (filter.targetId) add(`coalesce(s.document_id, s.instance_id) = ?`, filter.targetId);
    const whereSql = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const [{ total }]: { total: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS total FROM ${ITEM_FROM} ${whereSql}`,
      params,
    );
    const paging = page ? ` LIMIT ${Number(page.limit)} OFFSET ${Number(page.offset)}` : ' LIMIT 10000';
    const items: ItemRow[] = await this.dataSource.query(
      `SELECT ${ITEM_COLUMNS} FROM ${ITEM_FROM} ${whereSql} ORDER BY s.created_at DESC, s.id${paging}`,
      params,
    );
    return { items, total };
  }

  async events(itemId: string): Promise<
    {
      id: string;
      kind: string;
      userName: string | null;
      note: string | null;
      detail: Record<string, unknown>;
      at: Date;
      recipients: string | null;
    }[]
  > {
    return this.dataSource.query(
      `SELECT e.id::text AS id, e.kind, u.display_name AS "userName", e.note, e.detail, e.at,
              (SELECT string_agg(p.display_name, '、' ORDER BY p.username) FROM users p
                WHERE p.id::text IN (SELECT jsonb_array_elements_text(coalesce(e.detail->'leaderIds', '[]'::jsonb)))) AS recipients
         FROM supervision_events e LEFT JOIN users u ON u.id = e.user_id
        WHERE e.item_id = $1 ORDER BY e.id`,
      [itemId],
    );
  }

  /** The case's open steps and who holds them (the port's read model). */
  async openSteps(instanceId: string): Promise<{ taskId: string; name: string; holders: string; dueAt: Date | null }[]> {
    return this.dataSource.query(
      `SELECT t.id AS "taskId", t.name, t.due_at AS "dueAt",
              coalesce(
                (SELECT display_name FROM users WHERE id::text = t.assignee),
                nullif(concat_ws('、',
                  (SELECT string_agg(display_name, '、') FROM users WHERE id::text = ANY(t.candidate_users)),
                  (SELECT string_agg(name, '、') FROM units
                    WHERE cardinality(t.candidate_groups) > 0
                      AND id = ANY(CASE WHEN cardinality(t.candidate_units) > 0 THEN t.candidate_units ELSE ARRAY[t.owner_unit_id] END))
                ), ''),
                '—') AS holders
         FROM tasks t WHERE t.instance_id = $1 AND t.status = 'open' ORDER BY t.created_at`,
      [instanceId],
    );
  }

  async caseSummary(instanceId: string): Promise<{ status: string; processName: string | null } | undefined> {
    const rows: { status: string; processName: string | null }[] = await this.dataSource.query(
      `SELECT c.status, c.process_name AS "processName" FROM cases c WHERE c.id = $1`,
      [instanceId],
    );
    return rows[0];
  }

  async documentSummary(documentId: string): Promise<{ status: string; docNumber: string | null } | undefined> {
    const rows: { status: string; docNumber: string | null }[] = await this.dataSource.query(
      `SELECT status, doc_number AS "docNumber" FROM documents WHERE id = $1`,
      [documentId],
    );
    return rows[0];
  }

  /** Of the given ids, those that are live attachments of this item. */
  async itemAttachments(m: EntityManager, itemId: string, ids: string[]): Promise<string[]> {
    const rows: { id: string }[] = await m.query(
      `SELECT id FROM attachments WHERE owner_kind = 'supervision' AND owner_id = $1 AND deleted_at IS NULL AND id = ANY($2::uuid[])`,
      [itemId, ids],
    );
    return rows.map((r) => r.id);
  }

  // ---- the scanner -------------------------------------------------------------------------

  /**
   * 临期 reminders: one `reminded` event per item (the partial unique index holds it across processes) and its outbox
   * message, in one statement, so an item is reminded and queued, or neither.
   */
  async queueReminders(batch: number): Promise<number> {
    const rows: unknown[] = await this.dataSource.query(
      `WITH due AS (
         INSERT INTO supervision_events (item_id, kind, detail)
         SELECT s.id, 'reminded', jsonb_build_object('unitId', s.unit_id, 'roles', $2::jsonb)
           FROM supervision_items s
          WHERE s.stage = 'open' AND s.remind_at <= now() AND s.due_at > now()
            AND NOT EXISTS (SELECT 1 FROM supervision_events e WHERE e.item_id = s.id AND e.kind = 'reminded')
          ORDER BY s.due_at LIMIT $1
         ON CONFLICT (item_id, kind) WHERE kind IN ('reminded', 'escalated') DO NOTHING
         RETURNING item_id)
       INSERT INTO outbox (topic, payload)
       SELECT 'supervision.due-soon', jsonb_build_object('itemId', s.id, 'unitId', s.unit_id, 'roles', $2::jsonb, 'title', s.title,
                'deadline', to_char(s.deadline, 'YYYY-MM-DD'), 'subject', '督办事项临期：' || s.title)
         FROM due JOIN supervision_items s ON s.id = due.item_id
       RETURNING id`,
      [batch, JSON.stringify(HANDLING_ROLES)],
    );
    return rows.length;
  }

  /**
   * Overdue escalation to the responsible unit's leader (the `signer`s of that unit, else of its nearest ancestor that
   * has one) and to the creator; once per item, as the reminders.
   */
  async queueEscalations(batch: number): Promise<number> {
    const rows: unknown[] = await this.dataSource.query(
      `WITH due AS (
         INSERT INTO supervision_events (item_id, kind, detail)
         SELECT s.id, 'escalated', jsonb_build_object('leaderUnitId', l.unit_id, 'leaderIds', coalesce(to_jsonb(l.ids), '[]'::jsonb),
                  'creatorId', s.created_by)
           FROM supervision_items s
           LEFT JOIN LATERAL (
             SELECT a.id AS unit_id, array_agg(u.id ORDER BY u.username) AS ids
               FROM units ru JOIN units a ON starts_with(ru.path, a.path)
               JOIN users u ON u.unit_id = a.id AND u.is_active
               JOIN user_roles r ON r.user_id = u.id AND r.role = 'signer'
              WHERE ru.id = s.unit_id
              GROUP BY a.id, a.depth ORDER BY a.depth DESC LIMIT 1) l ON true
          WHERE s.stage = 'open' AND s.due_at <= now()
            AND NOT EXISTS (SELECT 1 FROM supervision_events e WHERE e.item_id = s.id AND e.kind = 'escalated')
          ORDER BY s.due_at LIMIT $1
         ON CONFLICT (item_id, kind) WHERE kind IN ('reminded', 'escalated') DO NOTHING
         RETURNING item_id, detail)
       INSERT INTO outbox (topic, payload)
       SELECT 'supervision.overdue', jsonb_build_object('itemId', s.id, 'unitId', s.unit_id, 'title', s.title,
                'deadline', to_char(s.deadline, 'YYYY-MM-DD'), 'subject', '督办事项逾期：' || s.title,
                'to', (due.detail->'leaderIds') || jsonb_build_array(s.created_by))
         FROM due JOIN supervision_items s ON s.id = due.item_id
       RETURNING id`,
      [batch],
    );
    return rows.length;
  }
}

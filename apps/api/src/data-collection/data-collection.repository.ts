import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { dataScopeParams, dataScopeSql } from '../identity/data-scope';
import type { Principal } from '../identity/principal';
import type { BoardRow } from './collection-rules';
import type { CollectionItemDto, ListStatus, ListSubmissionsQuery, SubmissionStatus } from './data-collection.dto';

export interface ListRow {
  id: string;
  year: number;
  title: string;
  unit_id: string;
  drafter_id: string;
  instance_id: string | null;
  status: ListStatus;
  last_opinion: string | null;
  notice_document_id: string | null;
  bulletin_document_id: string | null;
  issued_at: Date | null;
}

export interface ItemRow {
  id: string;
  code: string;
  name: string;
  kind: string;
  format: string;
  coordinate_system: string;
  max_size_mb: number;
  due_working_days: number;
  levels: string[];
  regions: string[];
  secrecy: string;
}

export interface SubmissionRow {
  id: string;
  list_id: string;
  item_id: string;
  unit_id: string;
  unit_path: string;
  unit_name: string;
  division_code: string | null;
  addressed_unit_ids: string[];
  instance_id: string | null;
  status: SubmissionStatus;
  due_at: Date;
  responsible_unit: string | null;
  contact_name: string | null;
  contact_phone: string | null;
  version: string | null;
  area_code: string | null;
  area_name: string | null;
  file_name: string | null;
  file_size: string | null;
  sha256: string | null;
  upload_id: string | null;
  check_reason: string | null;
  review_opinion: string | null;
  first_submitted_at: Date | null;
}

const SUBMISSION_VIEW = `s.id, s.status, s.due_at AS "dueAt", s.responsible_unit AS "responsibleUnit", s.contact_name AS "contactName",
  s.contact_phone AS "contactPhone", s.version, s.area_code AS "areaCode", s.area_name AS "areaName", s.file_name AS "fileName",
  s.file_size::float8 AS "fileSize", s.sha256, s.check_reason AS "checkReason", s.checked_at AS "checkedAt", s.review_opinion AS "reviewOpinion",
  s.submitted_at AS "submittedAt", s.first_submitted_at AS "firstSubmittedAt", s.accepted_at AS "acceptedAt", s.unit_id AS "unitId",
  u.name AS "unitName", u.division_code AS "divisionCode", s.list_id AS "listId", l.title AS "listTitle", l.year,
  i.id AS "itemId", i.code AS "itemCode", i.name AS "itemName", i.kind AS "itemKind", i.format, i.coordinate_system AS "coordinateSystem",
  i.max_size_mb AS "maxSizeMb"`;

/** The SQL of 基础数据汇交. */
@Injectable()
export class DataCollectionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async unitIdByCode(m: EntityManager, code: string): Promise<string | undefined> {
    const rows: { id: string }[] = await m.query(`SELECT id FROM units WHERE code = $1`, [code]);
    return rows[0]?.id;
  }

  async insertList(m: EntityManager, me: Principal, year: number, title: string): Promise<string> {
    const rows: { id: string }[] = await m.query(
      `INSERT INTO collection_lists (year, title, unit_id, drafter_id) VALUES ($1,$2,$3,$4) RETURNING id`,
      [year, title, me.unitId, me.userId],
    );
    return rows[0].id;
  }

  async replaceItems(m: EntityManager, listId: string, items: CollectionItemDto[]): Promise<void> {
    await m.query(`DELETE FROM collection_items WHERE list_id = $1`, [listId]);
    for (const [sort, it] of items.entries()) {
      await m.query(
        `INSERT INTO collection_items (list_id, code, name, kind, format, coordinate_system, max_size_mb, due_working_days, levels, regions, secrecy, sort)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`,
        [
          listId,
          it.code,
          it.name.trim(),
          it.kind.trim(),
          it.format,
          it.coordinateSystem.trim(),
          it.maxSizeMb,
          it.dueWorkingDays,
          it.levels,
          it.regions,
          it.secrecy ?? '内部',
          sort,
        ],
      );
    }
  }

  async list(m: EntityManager, id: string, forUpdate = false): Promise<ListRow | undefined> {
    const rows: ListRow[] = await m.query(`SELECT * FROM collection_lists WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
    return rows[0];
  }

  items(m: EntityManager, listId: string): Promise<ItemRow[]> {
    return m.query(`SELECT * FROM collection_items WHERE list_id = $1 ORDER BY sort`, [listId]);
  }

  /** The units an item names: of the levels listed, inside the regions listed (by 行政区划代码 prefix). */
  unitsFor(m: EntityManager, levels: string[], prefixes: string[]): Promise<{ id: string; name: string }[]> {
    return m.query(
      `SELECT id, name FROM units WHERE kind = ANY($1) AND division_code IS NOT NULL
          AND EXISTS (SELECT 1 FROM unnest($2::text[]) p WHERE units.division_code LIKE p || '%') ORDER BY path`,
      [levels, prefixes],
    );
  }

  /** The provinces (else the units themselves) a 通知 is addressed to. */
  async provincesOf(m: EntityManager, unitIds: string[]): Promise<string[]> {
    const rows: { id: string }[] = await m.query(
      `SELECT DISTINCT coalesce(p.id, u.id) AS id FROM units u
         LEFT JOIN units p ON p.kind = 'province' AND starts_with(u.path, p.path)
        WHERE u.id = ANY($1::uuid[])`,
      [unitIds],
    );
    return rows.map((r) => r.id);
  }

  async insertSubmission(
    m: EntityManager,
    listId: string,
    itemId: string,
    unitId: string,
    dueAt: Date,
    addressed: string[],
  ): Promise<string> {
    const rows: { id: string }[] = await m.query(
      `INSERT INTO collection_submissions (list_id, item_id, unit_id, due_at, addressed_unit_ids) VALUES ($1,$2,$3,$4,$5) RETURNING id`,
      [listId, itemId, unitId, dueAt, addressed],
    );
    return rows[0].id;
  }

  async lists(me: Principal, office: string | undefined, limit: number, offset: number) {
    // Drafts are 信息中心's and 信息办's; an issued list is the whole system's to read.
    const where = `(l.status IN ('已下发','已通报') OR ${dataScopeSql({ unitColumn: 'l.unit_id' }, '$1', '$2::uuid')} OR $3::uuid = $2::uuid)`;
    const scope = dataScopeParams(me);
    const params = [scope.zwScopePath, scope.zwScopeUnit, office ?? null];
    const [{ n }]: { n: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM collection_lists l WHERE ${where}`,
      params,
    );
    const items = await this.dataSource.query(
      `SELECT l.id, l.year, l.title, l.status, l.issued_at AS "issuedAt", l.notice_document_id AS "noticeDocumentId",
              l.bulletin_document_id AS "bulletinDocumentId", l.created_at AS "createdAt", d.display_name AS "drafterName",
              (SELECT count(*)::int FROM collection_items i WHERE i.list_id = l.id) AS "itemCount",
              (SELECT count(*)::int FROM collection_submissions s WHERE s.list_id = l.id) AS "submissionCount"
         FROM collection_lists l JOIN users d ON d.id = l.drafter_id WHERE ${where}
        ORDER BY l.year DESC, l.created_at DESC LIMIT $4 OFFSET $5`,
      [...params, limit, offset],
    );
    return { items, total: n };
  }

  async submissions(me: Principal, q: ListSubmissionsQuery) {
    const scope = dataScopeParams(me);
    const params: unknown[] = [scope.zwScopePath, scope.zwScopeUnit];
    let where = dataScopeSql({ unitColumn: 's.unit_id', addressedColumn: 's.addressed_unit_ids' }, '$1', '$2::uuid');
    if (q.listId) where += ` AND s.list_id = $${params.push(q.listId)}`;
    if (q.status) where += ` AND s.status = $${params.push(q.status)}`;
    const from = `FROM collection_submissions s JOIN units u ON u.id = s.unit_id JOIN collection_lists l ON l.id = s.list_id
      JOIN collection_items i ON i.id = s.item_id WHERE ${where}`;
    const [{ n }]: { n: number }[] = await this.dataSource.query(`SELECT count(*)::int AS n ${from}`, params);
    const items = await this.dataSource.query(
      `SELECT ${SUBMISSION_VIEW} ${from} ORDER BY l.year DESC, u.path, i.sort LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, q.limit, q.offset],
    );
    return { items, total: n };
  }

  async submissionView(m: EntityManager, id: string) {
    const rows: Record<string, unknown>[] = await m.query(
      `SELECT ${SUBMISSION_VIEW} FROM collection_submissions s JOIN units u ON u.id = s.unit_id JOIN collection_lists l ON l.id = s.list_id
         JOIN collection_items i ON i.id = s.item_id WHERE s.id = $1`,
      [id],
    );
    return rows[0];
  }

  async submission(m: EntityManager, id: string, forUpdate = false): Promise<SubmissionRow | undefined> {
    const rows: SubmissionRow[] = await m.query(
      `SELECT s.*, s.file_size::text AS file_size, u.path AS unit_path, u.name AS unit_name, u.division_code,
              (SELECT up.id FROM collection_uploads up WHERE up.submission_id = s.id AND up.completed_at IS NOT NULL
                ORDER BY up.completed_at DESC LIMIT 1) AS upload_id
         FROM collection_submissions s JOIN units u ON u.id = s.unit_id WHERE s.id = $1${forUpdate ? ' FOR UPDATE OF s' : ''}`,
      [id],
    );
    return rows[0];
  }

  /** The board of a list within `me`'s data scope. */
  board(me: Principal, listId: string): Promise<BoardRow[]> {
    const scope = dataScopeParams(me);
    return this.dataSource.query(
      `SELECT s.id AS "submissionId", s.unit_id AS "unitId", u.name AS "unitName", p.id AS "provinceId", p.name AS "provinceName",
              i.code AS "itemCode", i.name AS "itemName", s.status, s.due_at AS "dueAt", s.first_submitted_at AS "firstSubmittedAt",
              s.accepted_at AS "acceptedAt"
         FROM collection_submissions s JOIN units u ON u.id = s.unit_id JOIN collection_items i ON i.id = s.item_id
         LEFT JOIN units p ON p.kind = 'province' AND starts_with(u.path, p.path)
        WHERE s.list_id = $3 AND ${dataScopeSql({ unitColumn: 's.unit_id', addressedColumn: 's.addressed_unit_ids' }, '$1', '$2::uuid')}
        ORDER BY u.path, i.sort`,
      [scope.zwScopePath, scope.zwScopeUnit, listId],
    );
  }

  async openTask(m: EntityManager, instanceId: string | null, activityId: string): Promise<string | undefined> {
    if (!instanceId) return undefined;
    const rows: { id: string }[] = await m.query(
      `SELECT id FROM tasks WHERE instance_id = $1 AND activity_id = $2 AND status = 'open' LIMIT 1`,
      [instanceId, activityId],
    );
    return rows[0]?.id;
  }

  /** An accepted dataset joins 数据共享目录 (or, already there, is marked as updated). */
  async joinCatalogue(m: EntityManager, submissionId: string, by: string | null): Promise<void> {
    await m.query(
      `INSERT INTO datasets (code, name, owner_unit_code, category, description, secrecy, formats, update_cycle, share_level, sort, updated_by)
       SELECT i.code, i.name, 'MLR-XXZX', '基础数据汇交',
              i.kind || '（' || i.coordinate_system || '），' || l.year || '年度由各地汇交，信息中心审核入库。', i.secrecy, ARRAY[i.format],
              '每年', '有条件共享', 100 + i.sort, $2
         FROM collection_submissions s JOIN collection_items i ON i.id = s.item_id JOIN collection_lists l ON l.id = s.list_id
        WHERE s.id = $1
       ON CONFLICT (code) DO UPDATE SET updated_at = now(), updated_by = EXCLUDED.updated_by, is_active = true,
              formats = (SELECT array_agg(DISTINCT f) FROM unnest(datasets.formats || EXCLUDED.formats) f)`,
      [submissionId, by],
    );
  }

  /** Reminders to the unit's people once a submission is due within a day or late; one per submission. */
  async queueUrges(batch: number): Promise<number> {
    const rows: unknown[] = await this.dataSource.query(
      `WITH due AS (
         INSERT INTO collection_events (submission_id, kind)
         SELECT s.id, 'urged' FROM collection_submissions s
          WHERE s.status IN ('待提交','检查未通过','已退回') AND s.due_at <= now() + interval '1 day'
            AND NOT EXISTS (SELECT 1 FROM collection_events e WHERE e.submission_id = s.id AND e.kind = 'urged')
          ORDER BY s.due_at LIMIT $1
         ON CONFLICT (submission_id, kind) DO NOTHING RETURNING submission_id)
       INSERT INTO outbox (topic, payload)
       SELECT 'data-collection.urged', jsonb_build_object('submissionId', s.id, 'unitId', s.unit_id,
                'subject', '催报：' || i.name || '（' || l.year || '年度基础数据汇交）' ||
                  CASE WHEN s.due_at <= now() THEN '已逾期，请尽快汇交' ELSE '即将到期，请按时汇交' END,
                'link', '/data-collection/submissions/' || s.id,
                'to', coalesce((SELECT jsonb_agg(x.id ORDER BY x.username) FROM users x JOIN user_roles r ON r.user_id = x.id
                                 WHERE x.unit_id = s.unit_id AND x.is_active AND r.role IN ('drafter','clerk')), '[]'::jsonb))
         FROM due JOIN collection_submissions s ON s.id = due.submission_id
         JOIN collection_items i ON i.id = s.item_id JOIN collection_lists l ON l.id = s.list_id
       RETURNING id`,
      [batch],
    );
    return rows.length;
  }

  /** Escalation to the unit's leader (nearest 签发人 up its tree) and 信息中心 once a submission is 5 days late. */
  async queueEscalations(batch: number): Promise<number> {
    const rows: unknown[] = await this.dataSource.query(
      `WITH due AS (
         INSERT INTO collection_events (submission_id, kind)
         SELECT s.id, 'escalated' FROM collection_submissions s
          WHERE s.status IN ('待提交','检查未通过','已退回') AND s.due_at <= now() - interval '5 days'
            AND NOT EXISTS (SELECT 1 FROM collection_events e WHERE e.submission_id = s.id AND e.kind = 'escalated')
          ORDER BY s.due_at LIMIT $1
         ON CONFLICT (submission_id, kind) DO NOTHING RETURNING submission_id)
       INSERT INTO outbox (topic, payload)
       SELECT 'data-collection.escalated', jsonb_build_object('submissionId', s.id, 'unitId', s.unit_id,
                'subject', '逾期督促：' || un.name || '的' || i.name || '（' || l.year || '年度基础数据汇交）逾期未报',
                'link', '/data-collection/submissions/' || s.id,
                'to', coalesce(ld.ids, '[]'::jsonb) || coalesce((SELECT jsonb_agg(x.id) FROM users x JOIN user_roles r ON r.user_id = x.id
                         JOIN units c ON c.id = x.unit_id WHERE c.code = 'MLR-XXZX' AND x.is_active AND r.role = 'data-admin'), '[]'::jsonb))
         FROM due JOIN collection_submissions s ON s.id = due.submission_id JOIN units un ON un.id = s.unit_id
         JOIN collection_items i ON i.id = s.item_id JOIN collection_lists l ON l.id = s.list_id
         LEFT JOIN LATERAL (
           SELECT jsonb_agg(x.id ORDER BY x.username) AS ids FROM units a JOIN users x ON x.unit_id = a.id AND x.is_active
             JOIN user_roles r ON r.user_id = x.id AND r.role = 'signer'
            WHERE starts_with(un.path, a.path) AND a.depth = (
              SELECT max(a2.depth) FROM units a2 JOIN users x2 ON x2.unit_id = a2.id AND x2.is_active
                JOIN user_roles r2 ON r2.user_id = x2.id AND r2.role = 'signer' WHERE starts_with(un.path, a2.path))) ld ON true
       RETURNING id`,
      [batch],
    );
    return rows.length;
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { dataScopeParams, dataScopeSql } from '../identity/data-scope';
import type { Principal } from '../identity/principal';
import { returning } from '../platform/sql';
import type { OutsideStatus, ReleaseStatus } from './data-release.dto';

export interface DatasetRow {
  id: string;
  code: string;
  name: string;
  category: string;
  secrecy: string;
  share_level: string;
  owner_unit_id: string | null;
}

export interface ReleaseRequestRow {
  id: string;
  instance_id: string | null;
  unit_id: string;
  unit_path: string;
  unit_name: string;
  requester_id: string;
  dataset_id: string;
  owner_unit_id: string;
  release_unit_id: string;
  audience_type: string;
  audience: string;
  purpose: string;
  scope: string;
  status: ReleaseStatus;
  addressed_unit_ids: string[];
  reviewed_by: string | null;
  approved_by: string | null;
  last_opinion: string | null;
  created_at: Date;
  updated_at: Date;
  closed_at: Date | null;
}

export interface OutsideRequestRow {
  id: string;
  instance_id: string | null;
  unit_id: string;
  unit_path: string;
  registered_by: string;
  organ_name: string;
  organ_kind: string;
  contact_name: string;
  contact_phone: string;
  letter_ref: string;
  received_on: string;
  purpose: string;
  partner_organ_code: string | null;
  partner_unit_code: string | null;
  status: OutsideStatus;
  addressed_unit_ids: string[];
  reply_document_id: string | null;
  reply_channel: string | null;
  replied_at: Date | null;
  created_at: Date;
  updated_at: Date;
  closed_at: Date | null;
}

const escapeLike = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The SQL of 数据发布 and 外部门数据需求 (apps/api/src/data-release). */
@Injectable()
export class DataReleaseRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  get db(): DataSource {
    return this.dataSource;
  }

  datasets(m: EntityManager, ids: string[]): Promise<DatasetRow[]> {
    return m.query(
      `SELECT d.id, d.code, d.name, d.category, d.secrecy, d.share_level, u.id AS owner_unit_id
         FROM datasets d LEFT JOIN units u ON u.code = d.owner_unit_code WHERE d.id = ANY($1::uuid[]) AND d.is_active`,
      [ids],
    );
  }

  async unitIdsByCode(m: EntityManager, codes: string[]): Promise<Map<string, string>> {
    const rows: { id: string; code: string }[] = await m.query(`SELECT id, code FROM units WHERE code = ANY($1)`, [codes]);
    return new Map(rows.map((r) => [r.code, r.id]));
  }

  async unitOf(m: EntityManager, unitId: string): Promise<{ code: string; kind: string; name: string; isTopLevel: boolean }> {
    const [row]: { code: string; kind: string; name: string; is_top_level: boolean }[] = await m.query(
      `SELECT u.code, u.kind, u.name, p.parent_id IS NULL AS is_top_level FROM units u LEFT JOIN units p ON p.id = u.parent_id WHERE u.id = $1`,
      [unitId],
    );
    return { code: row.code, kind: row.kind, name: row.name, isTopLevel: row.is_top_level };
  }

  async openTask(m: EntityManager, instanceId: string | null, activityId: string): Promise<{ id: string } | undefined> {
    if (!instanceId) return undefined;
    const rows: { id: string }[] = await m.query(
      `SELECT id FROM tasks WHERE instance_id = $1 AND activity_id = $2 AND status = 'open' ORDER BY created_at LIMIT 1`,
      [instanceId, activityId],
    );
    return rows[0];
  }

  async datasetName(m: EntityManager, datasetId: string): Promise<string> {
    const [row]: { name: string }[] = await m.query(`SELECT name FROM datasets WHERE id = $1`, [datasetId]);
    return row?.name ?? '';
  }

  async taskUnit(m: EntityManager, taskId: string): Promise<string | null> {
    const [row]: { unit: string | null }[] = await m.query(`SELECT candidate_units[1] AS unit FROM tasks WHERE id = $1`, [taskId]);
    return row?.unit ?? null;
  }

  history(instanceId: string | null): Promise<unknown[]> {
    return this.dataSource.query(
      `SELECT a.action, a.comment, a.at, t.name AS "taskName", u.display_name AS "userName", un.name AS "unitName"
         FROM task_actions a JOIN users u ON u.id = a.user_id LEFT JOIN units un ON un.id = a.unit_id LEFT JOIN tasks t ON t.id = a.task_id
        WHERE a.instance_id = $1 ORDER BY a.id`,
      [instanceId],
    );
  }

  currentTasks(instanceId: string | null): Promise<unknown[]> {
    return this.dataSource.query(
      `SELECT t.id, t.name, t.activity_id AS "activityId", t.due_at AS "dueAt", t.candidate_units AS "candidateUnits",
              (SELECT string_agg(x.name, '、') FROM units x WHERE x.id = ANY(t.candidate_units)) AS "unitNames", u.display_name AS "assigneeName"
         FROM tasks t LEFT JOIN users u ON u.id::text = t.assignee WHERE t.instance_id = $1 AND t.status = 'open' ORDER BY t.created_at`,
      [instanceId],
    );
  }

  outbox(
    m: EntityManager,
    topic: string,
    payload: { to: string[]; subject: string; link: string } & Record<string, unknown>,
  ): Promise<unknown> {
    return m.query(`INSERT INTO outbox (topic, payload) VALUES ($1, $2)`, [topic, JSON.stringify(payload)]);
  }

  // ---- release requests ----------------------------------------------------------------------

  async insertReleaseRequest(
    m: EntityManager,
    r: Omit<
      ReleaseRequestRow,
      | 'id'
      | 'instance_id'
      | 'unit_path'
      | 'unit_name'
      | 'status'
      | 'reviewed_by'
      | 'approved_by'
      | 'last_opinion'
      | 'created_at'
      | 'updated_at'
      | 'closed_at'
    >,
  ): Promise<string> {
    const [row]: { id: string }[] = await m.query(
      `INSERT INTO data_release_requests (unit_id, requester_id, dataset_id, owner_unit_id, release_unit_id, audience_type, audience, purpose, scope, addressed_unit_ids)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) RETURNING id`,
      [
        r.unit_id,
        r.requester_id,
        r.dataset_id,
        r.owner_unit_id,
        r.release_unit_id,
        r.audience_type,
        r.audience,
        r.purpose,
        r.scope,
        r.addressed_unit_ids,
      ],
    );
    return row.id;
  }

  setReleaseInstance(m: EntityManager, id: string, instanceId: string): Promise<unknown> {
    return m.query(`UPDATE data_release_requests SET instance_id = $2 WHERE id = $1`, [id, instanceId]);
  }

  async releaseRequest(m: EntityManager, id: string, forUpdate = false): Promise<ReleaseRequestRow | undefined> {
    const rows: ReleaseRequestRow[] = await m.query(
      `SELECT r.*, u.path AS unit_path, u.name AS unit_name FROM data_release_requests r JOIN units u ON u.id = r.unit_id
        WHERE r.id = $1${forUpdate ? ' FOR UPDATE OF r' : ''}`,
      [id],
    );
    return rows[0];
  }

  setReleaseFields(
    m: EntityManager,
    id: string,
    fields: Partial<Record<'status' | 'reviewed_by' | 'approved_by' | 'last_opinion', string | null>>,
    close = false,
  ) {
    const names = Object.keys(fields);
    const sets = names.map((n, i) => `${n} = $${i + 2}`);
    return m.query(
      `UPDATE data_release_requests SET ${[...sets, 'updated_at = now()', ...(close ? ['closed_at = now()'] : [])].join(', ')} WHERE id = $1`,
      [id, ...names.map((n) => fields[n as keyof typeof fields])],
    );
  }

  insertRelease(
    m: EntityManager,
    r: { requestId: string; channel: string; link: string | null; releasedBy: string },
  ): Promise<{ id: string }[]> {
    return returning(
      m,
      `INSERT INTO data_releases (request_id, dataset_id, audience_type, audience, scope, channel, link, release_unit_id, released_by, approved_by)
       SELECT r.id, r.dataset_id, r.audience_type, r.audience, r.scope, $2, $3, r.release_unit_id, $4, r.approved_by
         FROM data_release_requests r WHERE r.id = $1 AND r.status = '待发布' AND r.approved_by IS NOT NULL
       RETURNING id`,
      [r.requestId, r.channel, r.link, r.releasedBy],
    );
  }

  async listReleaseRequests(me: Principal, q: { status?: string; limit: number; offset: number }) {
    const scope = dataScopeSql({ unitColumn: 'r.unit_id', addressedColumn: 'r.addressed_unit_ids' }, '$1', '$2::uuid');
    const p = dataScopeParams(me);
    const params: unknown[] = [p.zwScopePath, p.zwScopeUnit];
    let where = scope;
    if (q.status) {
      params.push(q.status);
      where += ` AND r.status = $${params.length}`;
    }
    const [items, [{ n }]] = await Promise.all([
      this.dataSource.query(
        `SELECT r.id, r.status, r.audience_type AS "audienceType", r.audience, r.scope, r.created_at AS "createdAt", r.updated_at AS "updatedAt",
                d.name AS "datasetName", d.code AS "datasetCode", d.category, u.name AS "unitName", ou.name AS "ownerUnitName", ru.name AS "releaseUnitName"
           FROM data_release_requests r JOIN datasets d ON d.id = r.dataset_id JOIN units u ON u.id = r.unit_id
           JOIN units ou ON ou.id = r.owner_unit_id JOIN units ru ON ru.id = r.release_unit_id
          WHERE ${where} ORDER BY r.created_at DESC, r.id DESC LIMIT ${q.limit} OFFSET ${q.offset}`,
        params,
      ),
      this.dataSource.query(`SELECT count(*)::int AS n FROM data_release_requests r WHERE ${where}`, params) as Promise<{ n: number }[]>,
    ]);
    return { items, total: n };
  }

  async releaseRequestDetail(id: string) {
    const [row] = await this.dataSource.query(
      `SELECT d.id AS "datasetId", d.code AS "datasetCode", d.name AS "datasetName", d.category, d.secrecy, d.share_level AS "shareLevel",
              u.name AS "unitName", ou.name AS "ownerUnitName", ru.name AS "releaseUnitName", rq.display_name AS "requesterName",
              rv.display_name AS "reviewedByName", ap.display_name AS "approvedByName"
         FROM data_release_requests r JOIN datasets d ON d.id = r.dataset_id JOIN units u ON u.id = r.unit_id
         JOIN units ou ON ou.id = r.owner_unit_id JOIN units ru ON ru.id = r.release_unit_id JOIN users rq ON rq.id = r.requester_id
         LEFT JOIN users rv ON rv.id = r.reviewed_by LEFT JOIN users ap ON ap.id = r.approved_by WHERE r.id = $1`,
      [id],
    );
    return row as Record<string, unknown>;
  }

  private readonly releaseColumns = `x.id, x.request_id AS "requestId", d.id AS "datasetId", d.code AS "datasetCode", d.name AS "datasetName", d.category,
      x.audience_type AS "audienceType", x.audience, x.scope, x.channel, x.link, ru.name AS "releaseUnitName", rb.display_name AS "releasedByName",
      ab.display_name AS "approvedByName", x.released_at AS "releasedAt"`;
  private readonly releaseFrom = `FROM data_releases x JOIN datasets d ON d.id = x.dataset_id JOIN units ru ON ru.id = x.release_unit_id
      JOIN users rb ON rb.id = x.released_by JOIN users ab ON ab.id = x.approved_by`;

  async releaseOf(requestId: string) {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT ${this.releaseColumns} ${this.releaseFrom} WHERE x.request_id = $1`,
      [requestId],
    );
    return rows[0] ?? null;
  }

  /** The release register: every release, to every signed-in person. */
  async listReleases(q: { datasetId?: string; keyword?: string; limit: number; offset: number }) {
    const params: unknown[] = [];
    const where: string[] = ['true'];
    if (q.datasetId) {
      params.push(q.datasetId);
      where.push(`x.dataset_id = $${params.length}`);
    }
    if (q.keyword) {
      params.push(`%${escapeLike(q.keyword)}%`);
      const k = `$${params.length}`;
      where.push(`(d.name ILIKE ${k} ESCAPE '\\' OR x.audience ILIKE ${k} ESCAPE '\\' OR x.scope ILIKE ${k} ESCAPE '\\')`);
    }
    const condition = where.join(' AND ');
    const [items, [{ n }]] = await Promise.all([
      this.dataSource.query(
        `SELECT ${this.releaseColumns} ${this.releaseFrom} WHERE ${condition} ORDER BY x.released_at DESC, x.id DESC LIMIT ${q.limit} OFFSET ${q.offset}`,
        params,
      ),
      this.dataSource.query(`SELECT count(*)::int AS n ${this.releaseFrom} WHERE ${condition}`, params) as Promise<{ n: number }[]>,
    ]);
    return { items, total: n };
  }

  // ---- outside requests ----------------------------------------------------------------------

  async insertOutsideRequest(
    m: EntityManager,
    r: Pick<
      OutsideRequestRow,
      | 'unit_id'
      | 'registered_by'
      | 'organ_name'
      | 'organ_kind'
      | 'contact_name'
      | 'contact_phone'
      | 'letter_ref'
      | 'received_on'
      | 'purpose'
      | 'partner_organ_code'
      | 'partner_unit_code'
      | 'addressed_unit_ids'
    >,
    items: { datasetId: string; ownerUnitId: string }[],
  ): Promise<string> {
    const [row]: { id: string }[] = await m.query(
      `INSERT INTO data_outside_requests (unit_id, registered_by, organ_name, organ_kind, contact_name, contact_phone, letter_ref, received_on, purpose,
                                          partner_organ_code, partner_unit_code, addressed_unit_ids)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) RETURNING id`,
      [
        r.unit_id,
        r.registered_by,
        r.organ_name,
        r.organ_kind,
        r.contact_name,
        r.contact_phone,
        r.letter_ref,
        r.received_on,
        r.purpose,
        r.partner_organ_code,
        r.partner_unit_code,
        r.addressed_unit_ids,
      ],
    );
    await m.query(
      `INSERT INTO data_outside_request_items (request_id, dataset_id, owner_unit_id) SELECT $1, d, o FROM unnest($2::uuid[], $3::uuid[]) AS x(d, o)`,
      [row.id, items.map((i) => i.datasetId), items.map((i) => i.ownerUnitId)],
    );
    return row.id;
  }

  setOutsideInstance(m: EntityManager, id: string, instanceId: string): Promise<unknown> {
    return m.query(`UPDATE data_outside_requests SET instance_id = $2 WHERE id = $1`, [id, instanceId]);
  }

  async outsideRequest(m: EntityManager, id: string, forUpdate = false): Promise<OutsideRequestRow | undefined> {
    const rows: OutsideRequestRow[] = await m.query(
      `SELECT r.*, to_char(r.received_on, 'YYYY-MM-DD') AS received_on, u.path AS unit_path
         FROM data_outside_requests r JOIN units u ON u.id = r.unit_id WHERE r.id = $1${forUpdate ? ' FOR UPDATE OF r' : ''}`,
      [id],
    );
    return rows[0];
  }

  async producerUnits(m: EntityManager, requestId: string): Promise<string[]> {
    const rows: { owner_unit_id: string }[] = await m.query(
      `SELECT DISTINCT owner_unit_id FROM data_outside_request_items WHERE request_id = $1 ORDER BY owner_unit_id`,
      [requestId],
    );
    return rows.map((r) => r.owner_unit_id);
  }

  setOutsideStatus(m: EntityManager, id: string, status: OutsideStatus, close = false): Promise<unknown> {
    return m.query(`UPDATE data_outside_requests SET status = $2, updated_at = now()${close ? ', closed_at = now()' : ''} WHERE id = $1`, [
      id,
      status,
    ]);
  }

  linkReply(m: EntityManager, id: string, documentId: string, channel: string): Promise<unknown> {
    return m.query(
      `UPDATE data_outside_requests SET reply_document_id = $2, reply_channel = $3, status = '复函办理中', updated_at = now() WHERE id = $1`,
      [id, documentId, channel],
    );
  }

  /** The 函 was distributed: its request is answered (once). */
  markReplied(m: EntityManager, documentId: string): Promise<{ id: string; registered_by: string; organ_name: string }[]> {
    return returning(
      m,
      `UPDATE data_outside_requests SET status = '已答复', replied_at = now(), closed_at = now(), updated_at = now()
        WHERE reply_document_id = $1 AND status = '复函办理中' RETURNING id, registered_by, organ_name`,
      [documentId],
    );
  }

  recordOpinion(m: EntityManager, o: { requestId: string; unitId: string; userId: string; opinion: string; comment: string | null }) {
    return m.query(
      `INSERT INTO data_outside_opinions (request_id, unit_id, user_id, opinion, comment) VALUES ($1,$2,$3,$4,$5)
       ON CONFLICT (request_id, unit_id) DO UPDATE SET user_id = EXCLUDED.user_id, opinion = EXCLUDED.opinion, comment = EXCLUDED.comment, at = now()`,
      [o.requestId, o.unitId, o.userId, o.opinion, o.comment],
    );
  }

  async opinionUsers(m: EntityManager, requestId: string): Promise<string[]> {
    const rows: { user_id: string }[] = await m.query(`SELECT user_id FROM data_outside_opinions WHERE request_id = $1`, [requestId]);
    return rows.map((r) => r.user_id);
  }

  async listOutsideRequests(me: Principal, q: { status?: string; limit: number; offset: number }) {
    const scope = dataScopeSql({ unitColumn: 'r.unit_id', addressedColumn: 'r.addressed_unit_ids' }, '$1', '$2::uuid');
    const p = dataScopeParams(me);
    const params: unknown[] = [p.zwScopePath, p.zwScopeUnit];
    let where = scope;
    if (q.status) {
      params.push(q.status);
      where += ` AND r.status = $${params.length}`;
    }
    const [items, [{ n }]] = await Promise.all([
      this.dataSource.query(
        `SELECT r.id, r.organ_name AS "organName", r.organ_kind AS "organKind", r.letter_ref AS "letterRef", to_char(r.received_on, 'YYYY-MM-DD') AS "receivedOn",
                r.status, r.reply_channel AS "replyChannel", r.created_at AS "createdAt",
                (SELECT array_agg(d.name ORDER BY d.sort) FROM data_outside_request_items i JOIN datasets d ON d.id = i.dataset_id WHERE i.request_id = r.id) AS "datasetNames"
           FROM data_outside_requests r WHERE ${where} ORDER BY r.created_at DESC, r.id DESC LIMIT ${q.limit} OFFSET ${q.offset}`,
        params,
      ),
      this.dataSource.query(`SELECT count(*)::int AS n FROM data_outside_requests r WHERE ${where}`, params) as Promise<{ n: number }[]>,
    ]);
    return { items, total: n };
  }

  outsideDatasets(requestId: string): Promise<unknown[]> {
    return this.dataSource.query(
      `SELECT d.id, d.code, d.name, d.category, d.secrecy, i.owner_unit_id AS "ownerUnitId", u.name AS "ownerUnitName"
         FROM data_outside_request_items i JOIN datasets d ON d.id = i.dataset_id JOIN units u ON u.id = i.owner_unit_id
        WHERE i.request_id = $1 ORDER BY d.sort`,
      [requestId],
    );
  }

  outsideOpinions(requestId: string): Promise<unknown[]> {
    return this.dataSource.query(
      `SELECT o.unit_id AS "unitId", un.name AS "unitName", o.opinion, o.comment, o.at, u.display_name AS "userName"
         FROM data_outside_opinions o JOIN units un ON un.id = o.unit_id JOIN users u ON u.id = o.user_id WHERE o.request_id = $1 ORDER BY o.at`,
      [requestId],
    );
  }

  async registrarName(userId: string): Promise<string | null> {
    const [row]: { name: string }[] = await this.dataSource.query(`SELECT display_name AS name FROM users WHERE id = $1`, [userId]);
    return row?.name ?? null;
  }
}

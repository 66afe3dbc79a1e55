import type { EntityManager } from 'typeorm';
import { NotFoundError } from '../platform/errors';
import type { ArchiveEvent, ArchiveSource } from './archive.types';

const ACTION_LABELS: Record<string, string> = {
  approve: '同意',
  return: '退回',
  reject: '驳回',
  delegate: '委派',
  resolve: '委派办毕',
  transfer: '转办',
  claim: '签收',
  unclaim: '退回待领',
  urge: '催办',
  copy: '抄送',
  countersign: '加签',
  withdraw: '撤回',
  assign: '管理员指派',
  complete: '办理',
};

interface InstanceRow {
  id: string;
  definition_key: string;
  definition_name: string | null;
  business_key: string | null;
  status: string;
  variables: Record<string, unknown>;
  owner_unit_id: string | null;
  unit_name: string | null;
  started_at: Date;
  ended_at: Date | null;
  starter_name: string | null;
  starter_unit: string | null;
}

export async function loadInstance(m: EntityManager, instanceId: string): Promise<InstanceRow> {
  const rows: InstanceRow[] = await m.query(
    `SELECT i.id, i.definition_key, i.process_name AS definition_name, i.business_key, i.status, i.variables, i.owner_unit_id, un.name AS unit_name,
            i.started_at, i.ended_at, s.display_name AS starter_name, su.name AS starter_unit
       FROM cases i
       LEFT JOIN units un ON un.id = i.owner_unit_id LEFT JOIN users s ON s.id = i.started_by LEFT JOIN units su ON su.id = s.unit_id
      WHERE i.id = $1`,
    [instanceId],
  );
  if (!rows[0]) throw new NotFoundError('办件');
  return rows[0];
}

/** The business events of a case: its start, every recorded action (or completed step), its end. */
export async function caseEvents(m: EntityManager, instance: InstanceRow): Promise<ArchiveEvent[]> {
  const events: ArchiveEvent[] = [
    {
      action: '发起',
      step: '发起',
      person: instance.starter_name ?? '系统',
      unit: instance.starter_unit ?? instance.unit_name ?? '',
      at: iso(instance.started_at),
    },
  ];
  const actions: { action: string; comment: string | null; at: Date; person: string; unit: string | null; step: string | null }[] =
    await m.query(
      `SELECT a.action, a.comment, a.at, u.display_name AS person, un.name AS unit, t.name AS step
         FROM task_actions a JOIN users u ON u.id = a.user_id LEFT JOIN units un ON un.id = COALESCE(a.unit_id, u.unit_id)
         LEFT JOIN tasks t ON t.id = a.task_id
        WHERE a.instance_id = $1 ORDER BY a.id`,
      [instance.id],
    );
  if (actions.length > 0) {
    for (const a of actions) {
      events.push({
        action: ACTION_LABELS[a.action] ?? a.action,
        step: a.step ?? '',
        person: a.person,
        unit: a.unit ?? '',
        at: iso(a.at),
        description: a.comment ?? undefined,
      });
    }
  } else {
    // Cases driven through the engine port directly leave no task_actions: the completed steps tell the story.
    const steps: { step: string; at: Date; outcome: string | null; comment: string | null; person: string | null; unit: string | null }[] =
      await m.query(
        `SELECT t.name AS step, t.completed_at AS at, t.outcome, t.comment, u.display_name AS person, un.name AS unit
           FROM tasks t LEFT JOIN users u ON u.id = t.completed_by LEFT JOIN units un ON un.id = u.unit_id
          WHERE t.instance_id = $1 AND t.status = 'completed' ORDER BY t.completed_at, t.created_at`,
        [instance.id],
      );
    for (const s of steps) {
      events.push({
        action: ACTION_LABELS[s.outcome ?? 'complete'] ?? s.outcome ?? '办理',
        step: s.step,
        person: s.person ?? '系统',
        unit: s.unit ?? '',
        at: iso(s.at),
        description: s.comment ?? undefined,
      });
    }
  }
  if (instance.ended_at) {
    events.push({
      action: instance.status === 'completed' ? '办结' : '终止',
      step: instance.status === 'completed' ? '办结' : '终止',
      person: '系统',
      unit: instance.unit_name ?? '',
      at: iso(instance.ended_at),
    });
  }
  return events;
}

/** Fallback for any case: metadata from the case variables, events from its history, files attached to it. */
export async function genericSource(instanceId: string, m: EntityManager): Promise<ArchiveSource> {
  const instance = await loadInstance(m, instanceId);
  if (!instance.owner_unit_id) throw new NotFoundError('办件的主办单位');
  const v = instance.variables ?? {};
  const text = (name: string): string | undefined => {
    const value = v[name];
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const processName = instance.definition_name ?? instance.definition_key;
  const title = text('title') ?? `${processName}（${instance.business_key ?? instance.id.slice(0, 8)}）`;
  const date = iso(instance.ended_at ?? new Date()).slice(0, 10);
  const events = await caseEvents(m, instance);
  const owners = [instance.id, ...(isUuid(instance.business_key) ? [instance.business_key!] : [])];
  const files: { id: string }[] = await m.query(
    `SELECT id FROM attachments WHERE owner_id = ANY($1::uuid[]) AND deleted_at IS NULL ORDER BY uploaded_at, name`,
    [owners],
  );
  const source: ArchiveSource = {
    title,
    docNumber: text('docNumber') ?? text('number'),
    responsible: instance.unit_name ?? '',
    date,
    docType: text('docType') ?? '其他',
    secrecy: text('secrecy') ?? '非密',
    secrecyTerm: text('secrecyTerm'),
    urgency: text('urgency') ?? '平急',
    mainTo: text('mainTo'),
    cc: text('cc'),
    unitId: instance.owner_unit_id,
    events,
    files: files.map((f) => ({ attachmentId: f.id, role: 'attachment' as const })),
    sheet: { heading: `${processName}办理单`, fields: [], steps: [], metadata: { title, author: instance.unit_name ?? '' } },
  };
  source.sheet = sheetOf(`${processName}办理单`, source, [
    ['事项', title],
    ['流程', processName],
    ['主办单位', source.responsible],
    ['办结日期', date],
  ]);
  return source;
}

/** 公文交换 (document-exchange): the document's own record, its attachments and its official PDF. */
export async function documentSource(instanceId: string, m: EntityManager): Promise<ArchiveSource> {
  const docs: {
    id: string;
    unit_id: string;
    unit_name: string;
    doc_type: string;
    title: string;
    secrecy: string;
    secrecy_term: string | null;
    urgency: string;
    doc_number: string | null;
    main_to: string | null;
    cc: string | null;
    signed_at: Date | null;
    closed_at: Date | null;
    pdf_attachment_id: string | null;
  }[] = await m.query(
    `SELECT d.id, d.unit_id, un.name AS unit_name, d.doc_type, d.title, d.secrecy, d.secrecy_term, d.urgency, d.doc_number,
            (SELECT string_agg(x.name, '、' ORDER BY array_position(d.main_recipients, x.id)) FROM units x WHERE x.id = ANY(d.main_recipients)) AS main_to,
            (SELECT string_agg(x.name, '、' ORDER BY array_position(d.cc_recipients, x.id)) FROM units x WHERE x.id = ANY(d.cc_recipients)) AS cc,
            d.signed_at, d.closed_at, to_jsonb(d) ->> 'pdf_attachment_id' AS pdf_attachment_id
       FROM documents d JOIN units un ON un.id = d.unit_id WHERE d.instance_id = $1`,
    [instanceId],
  );
  const doc = docs[0];
  if (!doc) return genericSource(instanceId, m);
  const instance = await loadInstance(m, instanceId);
  const files: { id: string }[] = await m.query(
    `SELECT id FROM attachments WHERE owner_kind = 'document' AND owner_id = $1 AND deleted_at IS NULL ORDER BY uploaded_at, name`,
    [doc.id],
  );
  const date = iso(doc.signed_at ?? doc.closed_at ?? instance.ended_at ?? new Date()).slice(0, 10);
  const source: ArchiveSource = {
    title: doc.title,
    docNumber: doc.doc_number ?? undefined,
    responsible: doc.unit_name,
    date,
    docType: doc.doc_type,
    secrecy: doc.secrecy,
    secrecyTerm: doc.secrecy_term ?? undefined,
    urgency: doc.urgency,
    mainTo: doc.main_to ?? undefined,
    cc: doc.cc ?? undefined,
    unitId: doc.unit_id,
    events: await caseEvents(m, instance),
    // The official PDF first, as the 正文.
    files: files
      .map((f) => ({ attachmentId: f.id, role: f.id === doc.pdf_attachment_id ? ('document' as const) : ('attachment' as const) }))
      .sort((a, b) => (a.role === b.role ? 0 : a.role === 'document' ? -1 : 1)),
    sheet: { heading: '', fields: [], steps: [], metadata: { title: doc.title, author: doc.unit_name } },
  };
  source.sheet = sheetOf('公文处理单', source, [
    ['标题', doc.title],
    ['发文字号', doc.doc_number ?? ''],
    ['文种', doc.doc_type],
    ['密级', doc.secrecy + (doc.secrecy_term ? `★${doc.secrecy_term}` : '')],
    ['紧急程度', doc.urgency],
    ['主送', doc.main_to ?? ''],
    ['抄送', doc.cc ?? ''],
    ['拟稿单位', doc.unit_name],
  ]);
  return source;
}

function sheetOf(heading: string, source: ArchiveSource, fields: [string, string][]): ArchiveSource['sheet'] {
  return {
    heading,
    fields,
    steps: source.events.map((e) => ({ step: e.step, person: e.person, unit: e.unit, at: e.at, action: e.action, opinion: e.description })),
    metadata: { title: `${source.title}（${heading}）`, author: source.responsible, subject: heading, createdAt: source.date },
  };
}

function iso(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

export function isUuid(value: string | null | undefined): boolean {
  return typeof value === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

import type { EntityManager } from 'typeorm';
import { NotFoundError } from '../platform/errors';
import type { ArchiveEvent, ArchiveSource } from './archive.types';
import { SM2_SM3_OID, type MetadataSignature } from './dat46';

/**
 * The organ that issued a document, as its 发文机关署名 reads: a department or office of an organ signs
 * with the organ's name before its own (自然资源部规划司), an organ with its own name.
 */
const ISSUING_ORGAN_SQL = `CASE WHEN u.kind IN ('department','office') THEN coalesce((SELECT a.name FROM units a
   WHERE u.path LIKE a.path || '%' AND a.id <> u.id AND a.kind IN ('ministry','province','city','county') ORDER BY a.depth DESC LIMIT 1), '') || u.name ELSE u.name END`;

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
  definition_version: number | null;
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
    `SELECT i.id, i.definition_key, i.process_name AS definition_name, i.definition_version, i.business_key, i.status, i.variables, i.owner_unit_id, un.name AS unit_name,
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
  } else {
    // A running case is archived only by its own 归档 step, its last (archiveCase refuses otherwise): its business
    // is done, and it ends as this step completes.
    events.push({ action: '办结', step: '归档', person: '系统', unit: instance.unit_name ?? '', at: new Date().toISOString() });
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
    basis: basisOf(instance),
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
    disclosure: string | null;
  }[] = await m.query(
    `SELECT d.id, d.unit_id, ${ISSUING_ORGAN_SQL} AS unit_name, d.doc_type, d.title, d.secrecy, d.secrecy_term, d.urgency, d.doc_number,
            (SELECT string_agg(x.name, '、' ORDER BY array_position(d.main_recipients, x.id)) FROM units x WHERE x.id = ANY(d.main_recipients)) AS main_to,
            (SELECT string_agg(x.name, '、' ORDER BY array_position(d.cc_recipients, x.id)) FROM units x WHERE x.id = ANY(d.cc_recipients)) AS cc,
            d.signed_at, d.closed_at, to_jsonb(d) ->> 'pdf_attachment_id' AS pdf_attachment_id, to_jsonb(d) ->> 'disclosure' AS disclosure
       FROM documents d JOIN units u ON u.id = d.unit_id WHERE d.instance_id = $1`,
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
    basis: basisOf(instance),
    seals: (await sealedDocumentOf(m, doc.id))?.signatures ?? [],
    disclosure: doc.disclosure ?? undefined,
    note: doc.disclosure ? `公开属性：${doc.disclosure}` : undefined,
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

/**
 * 收文 (document-receipt): the package of the recipient holds the document it received — the official
 * PDF (and the sealed OFD and PDF with the seal's signature, once documents are sealed) and the
 * document's attachments — with the issuing organ as 责任者, beside the 收文处理单 of its own handling.
 * The recipient's organ forms the 全宗 (立档单位).
 */
export async function receiptSource(instanceId: string, m: EntityManager): Promise<ArchiveSource> {
  const rows: {
    receipt_id: string;
    unit_id: string;
    kind: string;
    status: string;
    delivered_at: Date;
    signed_at: Date | null;
    refuse_reason: string | null;
    document_id: string | null;
    title: string;
    doc_type: string;
    secrecy: string;
    secrecy_term: string | null;
    urgency: string;
    doc_number: string | null;
    signed_date: Date | null;
    exchange_package_id: string | null;
    issuer: string;
    main_to: string | null;
    cc: string | null;
    pdf_attachment_id: string | null;
    disclosure: string | null;
    receipt_number: string | null;
  }[] = await m.query(
    `SELECT r.id AS receipt_id, r.unit_id, r.kind, r.status, r.delivered_at, r.signed_at, r.refuse_reason, rd.document_id,
            rd.exchange_package_id, rd.title, rd.doc_type, rd.secrecy, rd.secrecy_term, rd.urgency, rd.doc_number, rd.signed_at AS signed_date,
            rd.issuer,
            (SELECT string_agg(x.name, '、' ORDER BY array_position(d.main_recipients, x.id)) FROM units x WHERE x.id = ANY(d.main_recipients)) AS main_to,
            (SELECT string_agg(x.name, '、' ORDER BY array_position(d.cc_recipients, x.id)) FROM units x WHERE x.id = ANY(d.cc_recipients)) AS cc,
            to_jsonb(d) ->> 'pdf_attachment_id' AS pdf_attachment_id, to_jsonb(d) ->> 'disclosure' AS disclosure,
            to_jsonb(r) ->> 'receipt_number' AS receipt_number
       FROM document_receipts r JOIN receipt_documents rd ON rd.receipt_id = r.id LEFT JOIN documents d ON d.id = r.document_id
      WHERE r.instance_id = $1`,
    [instanceId],
  );
  const r = rows[0];
  if (!r) return genericSource(instanceId, m);
  const instance = await loadInstance(m, instanceId);
  const exchanged = r.exchange_package_id ? await exchangedDocumentOf(m, r.exchange_package_id) : undefined;
  const sealed = r.document_id ? await sealedDocumentOf(m, r.document_id) : undefined;
  // The document as received: its sealed renderings when it was sealed, else the official PDF.
  const received = [sealed?.pdfAttachmentId ?? r.pdf_attachment_id, sealed?.ofdAttachmentId].filter((id): id is string => !!id);
  const attachments: { id: string }[] = r.document_id
    ? await m.query(
        `SELECT id FROM attachments WHERE owner_kind = 'document' AND owner_id = $1 AND deleted_at IS NULL AND NOT id = ANY($2::uuid[])
          ORDER BY uploaded_at, name`,
        [r.document_id, [r.pdf_attachment_id, ...(sealed?.replaced ?? [])].filter((id): id is string => !!id)],
      )
    : [];
  // What the recipient attached while handling it (its 拟办/承办 papers).
  const own: { id: string }[] = await m.query(
    `SELECT id FROM attachments WHERE owner_id = ANY($1::uuid[]) AND deleted_at IS NULL AND NOT owner_kind = 'document' ORDER BY uploaded_at, name`,
    [[instanceId, r.receipt_id]],
  );
  const date = iso(r.signed_date ?? r.delivered_at).slice(0, 10);
  const source: ArchiveSource = {
    title: r.title,
    docNumber: r.doc_number ?? undefined,
    responsible: r.issuer,
    date,
    docType: r.doc_type,
    secrecy: r.secrecy,
    secrecyTerm: r.secrecy_term ?? undefined,
    urgency: r.urgency,
    mainTo: r.main_to ?? undefined,
    cc: r.cc ?? undefined,
    unitId: r.unit_id,
    events: await caseEvents(m, instance),
    files: [
      ...(exchanged?.files ?? []),
      ...received.map((id) => ({ attachmentId: id, role: 'document' as const })),
      ...[...attachments, ...own].map((a) => ({ attachmentId: a.id, role: 'attachment' as const })),
    ],
    sheet: { heading: '', fields: [], steps: [], metadata: { title: r.title, author: r.issuer } },
    basis: basisOf(instance),
    seals: exchanged?.signatures ?? sealed?.signatures ?? [],
    disclosure: r.disclosure ?? undefined,
    note:
      [r.receipt_number && `收文编号：${r.receipt_number}`, r.disclosure && `公开属性：${r.disclosure}`, exchanged?.note]
        .filter(Boolean)
        .join('；') || undefined,
  };
  source.sheet = sheetOf('收文处理单', source, [
    ['来文单位', r.issuer],
    ['文号', r.doc_number ?? ''],
    ['标题', r.title],
    ['文种', r.doc_type],
    ['密级', r.secrecy + (r.secrecy_term ? `★${r.secrecy_term}` : '')],
    ['紧急程度', r.urgency],
    ['收文编号', r.receipt_number ?? ''],
    ['收文类型', r.kind],
    ['送达时间', iso(r.delivered_at)],
    ['签收时间', r.signed_at ? iso(r.signed_at) : ''],
    ['办理状态', r.status + (r.refuse_reason ? `（${r.refuse_reason}）` : '')],
  ]);
  return source;
}

/**
 * The sealed OFD and PDF of a document and its seal signatures (the seals feature: document_ofd, seals — GB/T
 * 38540 seals with certificates from the deployment's CA). A document never sealed has its typeset OFD only, or
 * nothing (a package then holds the official PDF); a sealed one's OFD (its Signs/ folder holds the SignedValue)
 * and PDF take the official PDF's place and each seal becomes an 电子签名 of the metadata.
 */
export async function sealedDocumentOf(
  m: EntityManager,
  documentId: string,
): Promise<{ ofdAttachmentId?: string; pdfAttachmentId?: string; replaced: string[]; signatures: MetadataSignature[] } | undefined> {
  const rows: { o: Record<string, unknown>; s: Record<string, unknown> | null; u: string | null }[] = await m.query(
    `SELECT to_jsonb(o) AS o, to_jsonb(s) AS s, un.name AS u
       FROM document_ofd o LEFT JOIN seals s ON s.id = o.seal_id LEFT JOIN units un ON un.id = s.unit_id
      WHERE o.document_id = $1`,
    [documentId],
  );
  const row = rows[0];
  if (!row) return undefined;
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const sealedOfd = str(row.o.sealed_ofd_attachment_id);
  const ofd = sealedOfd ?? str(row.o.ofd_attachment_id);
  const pdf = str(row.o.sealed_pdf_attachment_id);
  const signatures: MetadataSignature[] = [];
  const sealedAt = str(row.o.sealed_at);
  if (sealedOfd && row.s && sealedAt) {
    // bytea columns come out of to_jsonb as \x-prefixed hex.
    const cert = str(row.s.certificate);
    const certificate = cert?.startsWith('\\x') ? Buffer.from(cert.slice(2), 'hex').toString('base64') : (cert ?? '');
    signatures.push({
      rule: 'GB/T 38540-2020 电子印章签章（SES_Signature，签名值在 OFD 的 Doc_0/Signs/ 中，SM3 杂凑）',
      time: new Date(sealedAt).toISOString(),
      signer: `${row.u ?? ''}${str(row.s.name) ?? '电子印章'}`,
      result: 'OFD Doc_0/Signs/Sign_0/SignedValue.dat',
      certificate,
      certificateKind: 'X.509',
      certificateRef: `印章编码 ${str(row.s.es_id) ?? ''}，部署 CA 签发`,
      algorithm: SM2_SM3_OID,
    });
  }
  return {
    ofdAttachmentId: ofd,
    pdfAttachmentId: pdf,
    replaced: [str(row.o.ofd_attachment_id), sealedOfd, pdf].filter((id): id is string => !!id),
    signatures,
  };
}

/**
 * A document received from a partner deployment (公文交换): its files as the partner signed them (the kept package),
 * and the package's SM2 signature as an 电子签名 of the metadata — the proof of who sent it, checked on arrival.
 */
export async function exchangedDocumentOf(
  m: EntityManager,
  packageId: string,
): Promise<{ files: ArchiveSource['files']; signatures: MetadataSignature[]; note: string }> {
  const [row]: { body: Buffer; seal_status: string; received_at: Date; organ_code: string; name: string }[] = await m.query(
    `SELECT x.body, x.seal_status, x.received_at, p.organ_code, p.name FROM exchange_incoming x JOIN exchange_partners p ON p.id = x.partner_id
      WHERE x.package_id = $1`,
    [packageId],
  );
  if (!row) throw new NotFoundError('交换包');
  const envelope = JSON.parse(row.body.toString('utf8')) as {
    createdAt: string;
    files: { role: string; name: string; content: string }[];
    signature: { certificate: string; value: string };
  };
  const files = envelope.files.map((f) => ({
    inline: { name: f.name, mime: f.role === 'ofd' ? 'application/ofd' : 'application/pdf', body: Buffer.from(f.content, 'base64') },
    role: 'document' as const,
  }));
  return {
    files,
    signatures: [
      {
        rule: 'zhengwu-exchange/1 公文交换包签名（签名覆盖公文信息与各文件的 SM3 摘要，接收时已验证）',
        time: new Date(envelope.createdAt).toISOString(),
        signer: `${row.name}（${row.organ_code}）公文交换`,
        result: `交换包 ${packageId} 的签名值：${envelope.signature.value}`,
        certificate: envelope.signature.certificate,
        certificateKind: 'X.509',
        certificateRef: `交换方 ${row.organ_code} 的部署 CA 签发`,
        algorithm: SM2_SM3_OID,
      },
    ],
    note: `经公文交换收自${row.name}（${row.organ_code}），${iso(row.received_at)} 送达，交换包签名已验证，${SEAL_STATUS[row.seal_status] ?? row.seal_status}`,
  };
}

const SEAL_STATUS: Record<string, string> = { valid: '印章验证通过', unsigned: '未加盖电子印章', none: '未附 OFD' };

function basisOf(instance: InstanceRow): string {
  const name = instance.definition_name ?? instance.definition_key;
  return instance.definition_version ? `流程“${name}”第 ${instance.definition_version} 版` : `流程“${name}”`;
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

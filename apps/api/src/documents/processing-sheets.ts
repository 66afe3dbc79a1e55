import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { renderHandlingSheet, type HandlingSheet } from '@zhengwu/pdf';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '../identity/principal';
import { NotFoundError } from '../platform/errors';
import { ENGINE_PORT, type EnginePort, type HistoryEntry } from '../engine/engine.port';

/** How a recorded task action reads on paper; claiming a task (领办) is bookkeeping, not a step. */
const ACTIONS: Record<string, string> = {
  approve: '同意',
  return: '退回',
  reject: '不同意',
  delegate: '委派',
  resolve: '委派办毕',
  transfer: '转办',
  urge: '催办',
  copy: '抄送',
  countersign: '加签',
  withdraw: '撤回',
  assign: '管理员指派',
  complete: '办理',
};
const NOT_STEPS = ['claim', 'unclaim'];
/** Where the step's own word says more than 同意. */
const ACTION_AT: Record<string, Record<string, string>> = {
  draft: { approve: '送核稿' },
  review: { reject: '撤销' },
  sign: { approve: '签发', reject: '不予签发' },
  receive: { approve: '签收', reject: '退文' },
  instruct: { approve: '批办' },
  propose: { approve: '拟办' },
  handle: { approve: '办结' },
};
/** Engine steps that are work done (by a worker or a called case), as against routing; the history names them `bpmn:ServiceTask`. */
const WORK_TYPES = ['ServiceTask', 'SendTask', 'ScriptTask', 'BusinessRuleTask', 'CallActivity', 'ManualTask'];

interface Step {
  step: string;
  person: string;
  unit: string;
  at: Date;
  action: string;
  opinion: string;
  /** Sorting time; equals `at` except where a row must follow the step that caused it. */
  sortAt: Date;
  rank: number;
}

interface ActionRow {
  action: string;
  comment: string | null;
  at: Date;
  person: string;
  on_behalf: string | null;
  unit: string | null;
  step: string | null;
  activity_id: string | null;
}

/**
 * 处理单 (issue 16, item 6): the 发文稿纸 of a 发文 — its facts, every step of the case in order (拟稿, 核稿, 会签
 * per unit, 签发, and whatever later steps the case has, such as 用印 or 排版), 分发 with 份数 and each recipient's
 * 签收 or 退文 — and the 收文处理笺 of a received document with 来文单位, 来文字号, 收文编号, 收文日期 and the
 * 拟办/批办/承办 opinions; both as PDF. Steps are read from the case's own records, so a step added to the
 * process later appears by itself.
 */
@Injectable()
export class ProcessingSheets {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(ENGINE_PORT) private readonly engine: EnginePort,
  ) {}

  /**
   * 发文稿纸: for the drafting unit (and the units above it) and the 会签 units, who sign on it; the recipients see the
   * document but not the sender's internal opinions, so for them — as for anyone else — it does not exist (404).
   */
  async dispatchSheet(me: Principal, id: string): Promise<{ name: string; pdf: Buffer }> {
    if (!isUuid(id)) throw new NotFoundError('发文稿纸');
    const m = this.dataSource.manager;
    const rows: {
      id: string;
      instance_id: string;
      doc_type: string;
      title: string;
      secrecy: string;
      secrecy_term: string | null;
      urgency: string;
      disclosure: string | null;
      doc_number: string | null;
      status: string;
      created_at: Date;
      signed_at: Date | null;
      rendered_at: Date | null;
      unit_name: string;
      organ: string;
      drafter_name: string;
      signer_name: string | null;
      main_names: string[];
      cc_names: string[];
      countersign_names: string[];
    }[] = await m.query(
      `SELECT d.id, d.instance_id, d.doc_type, d.title, d.secrecy, d.secrecy_term, d.urgency, d.disclosure, d.doc_number, d.status,
              d.created_at, d.signed_at, d.rendered_at, u.name AS unit_name,
              CASE WHEN u.kind IN ('department','office')
                   THEN (SELECT r.name FROM units r WHERE r.parent_id IS NULL ORDER BY r.sort LIMIT 1) || u.name ELSE u.name END AS organ,
              dr.display_name AS drafter_name, sg.display_name AS signer_name,
              ARRAY(SELECT x.name FROM units x WHERE x.id = ANY(d.main_recipients) ORDER BY array_position(d.main_recipients, x.id)) AS main_names,
              ARRAY(SELECT x.name FROM units x WHERE x.id = ANY(d.cc_recipients) ORDER BY array_position(d.cc_recipients, x.id)) AS cc_names,
              ARRAY(SELECT x.name FROM units x WHERE x.id = ANY(d.countersign_units) ORDER BY array_position(d.countersign_units, x.id)) AS countersign_names
         FROM documents d JOIN units u ON u.id = d.unit_id JOIN users dr ON dr.id = d.drafter_id LEFT JOIN users sg ON sg.id = d.signer_id
        WHERE d.id = $1 AND (u.path LIKE $2 OR $3::uuid = ANY(d.countersign_units))`,
      [id, `${escapeLike(me.unitPath)}%`, me.unitId],
    );
    const doc = rows[0];
    if (!doc) throw new NotFoundError('发文稿纸');

    const receipts: {
      unit_name: string;
      kind: string;
      status: string;
      delivered_at: Date;
      signed_at: Date | null;
      signed_by: string | null;
      refused_at: Date | null;
      refused_by: string | null;
      refuse_reason: string | null;
    }[] = await m.query(
      `SELECT un.name AS unit_name, r.kind, r.status, r.delivered_at, r.signed_at, sb.display_name AS signed_by,
              r.refused_at, rb.display_name AS refused_by, r.refuse_reason
         FROM document_receipts r JOIN documents d ON d.id = r.document_id JOIN units un ON un.id = r.unit_id
         LEFT JOIN users sb ON sb.id = r.signed_by LEFT JOIN users rb ON rb.id = r.refused_by
        WHERE r.document_id = $1 ORDER BY array_position(d.main_recipients || d.cc_recipients, r.unit_id)`,
      [doc.id],
    );

    const steps = await actionSteps(m, doc.instance_id);
    const work = workSteps(await this.engine.history(doc.instance_id), doc.unit_name);
    steps.push(...work);
    if (receipts.length > 0) {
      const at = receipts.reduce((min, r) => (r.delivered_at < min ? r.delivered_at : min), receipts[0].delivered_at);
      // 分发 happens in the transaction that ends 排版: it follows that step even where the clocks say otherwise.
      const after = work.filter((w) => w.at <= new Date(at.getTime() + 1000)).reduce((max, w) => (w.sortAt > max ? w.sortAt : max), at);
      const main = receipts.filter((r) => r.kind === '主送').length;
      steps.push({
        step: '分发',
        person: '系统',
        unit: doc.unit_name,
        at,
        action: '分发',
        opinion: `${receipts.length}个单位：主送${main}、抄送${receipts.length - main}`,
        sortAt: after,
        rank: 2,
      });
    }
    steps.sort((a, b) => a.sortAt.getTime() - b.sortAt.getTime() || a.rank - b.rank);

    const signStep = [...steps].reverse().find((s) => s.action === '签发');
    const copies = doc.main_names.length + doc.cc_names.length;
    const sheet: HandlingSheet = {
      heading: '发文稿纸',
      organ: doc.organ,
      number: doc.doc_number ? `发文字号：${doc.doc_number}` : undefined,
      fields: [
        { label: '文种', value: doc.doc_type },
        { label: '紧急程度', value: doc.urgency },
        { label: '密级', value: secrecyText(doc.secrecy, doc.secrecy_term) },
        { label: '公开属性', value: doc.disclosure ?? '未确定' },
        { label: '标题', value: doc.title, wide: true },
        { label: '发文字号', value: doc.doc_number ?? '（签发时编号）' },
        { label: '状态', value: doc.status },
        { label: '主送', value: doc.main_names.join('、') || '无', wide: true },
        { label: '抄送', value: doc.cc_names.join('、') || '无', wide: true },
        { label: '拟稿单位', value: doc.unit_name },
        { label: '拟稿人', value: `${doc.drafter_name}（${dateTime(doc.created_at)}）` },
        { label: '会签单位', value: doc.countersign_names.join('、') || '无', wide: true },
        {
          label: '签发',
          value: signStep
            ? `${signStep.opinion || '（无意见）'}\u3000${signStep.person}\u3000${chineseDate(signStep.at)}`
            : doc.signed_at
              ? `${doc.signer_name ?? ''}\u3000${chineseDate(doc.signed_at)}`
              : '尚未签发',
          wide: true,
        },
        { label: '排版', value: doc.rendered_at ? `${dateTime(doc.rendered_at)} 按GB/T 9704-2012生成` : '尚未排版' },
        { label: '校对', value: '平台未记录' },
        { label: '份数', value: `${copies}份（主送${doc.main_names.length}、抄送${doc.cc_names.length}）` },
        { label: '分发', value: receipts.length ? `已分发${receipts.length}个单位` : '尚未分发' },
      ],
      sections: [
        {
          title: '办理过程',
          columns: [
            { title: '序号', width: 11 },
            { title: '环节', width: 24 },
            { title: '办理人', width: 16 },
            { title: '单位', width: 35 },
            { title: '时间', width: 23 },
            { title: '操作', width: 15 },
            { title: '意见' },
          ],
          rows: steps.map((s, i) => [String(i + 1), s.step, s.person, s.unit, dateTime(s.at), s.action, s.opinion]),
        },
        {
          title: '分发与签收',
          columns: [
            { title: '序号', width: 11 },
            { title: '收文单位', width: 38 },
            { title: '类别', width: 13 },
            { title: '送达时间', width: 23 },
            { title: '签收情况', width: 19 },
            { title: '签收人', width: 16 },
            { title: '签收时间', width: 23 },
            { title: '退文理由' },
          ],
          rows: receipts.map((r, i) => [
            String(i + 1),
            r.unit_name,
            r.kind,
            dateTime(r.delivered_at),
            r.refused_at ? '退文' : r.signed_at ? '已签收' : '未签收',
            (r.refused_at ? r.refused_by : r.signed_by) ?? '',
            r.refused_at ? dateTime(r.refused_at) : r.signed_at ? dateTime(r.signed_at) : '',
            r.refuse_reason ?? '',
          ]),
          empty: '尚未分发（签发、排版后分发至各收文单位）',
        },
      ],
      notes: [
        '份数按分发的收文单位计，每个主送、抄送单位一份电子公文。',
        '校对：平台未设校对环节，不记录校对人和时间；排版由平台按GB/T 9704-2012自动生成。',
      ],
      metadata: {
        title: `${doc.title}（发文稿纸）`,
        author: doc.organ,
        subject: '发文稿纸',
        keywords: ['发文稿纸', doc.doc_type, ...(doc.doc_number ? [doc.doc_number] : [])],
      },
    };
    return { name: `发文稿纸-${doc.doc_number ?? doc.title}.pdf`, pdf: await renderHandlingSheet(sheet) };
  }

  /** 收文处理笺: for the receiving unit only, as the receipt itself (others, the sender included, get 404). */
  async receiptSheet(me: Principal, receiptId: string): Promise<{ name: string; pdf: Buffer }> {
    if (!isUuid(receiptId)) throw new NotFoundError('收文处理笺');
    const m = this.dataSource.manager;
    const rows: {
      instance_id: string | null;
      kind: string;
      status: string;
      delivered_at: Date;
      signed_at: Date | null;
      signed_by: string | null;
      refused_at: Date | null;
      refuse_reason: string | null;
      completed_at: Date | null;
      receipt_number: string | null;
      handler_name: string | null;
      unit_name: string;
      doc_type: string;
      title: string;
      secrecy: string;
      secrecy_term: string | null;
      urgency: string;
      doc_number: string | null;
      organ: string;
    }[] = await m.query(
      `SELECT r.instance_id, r.kind, r.status, r.delivered_at, r.signed_at, sb.display_name AS signed_by, r.refused_at, r.refuse_reason,
              r.completed_at, r.receipt_number, h.display_name AS handler_name, ru.name AS unit_name,
              d.doc_type, d.title, d.secrecy, d.secrecy_term, d.urgency, d.doc_number, d.issuer AS organ
         FROM document_receipts r JOIN receipt_documents d ON d.receipt_id = r.id JOIN units ru ON ru.id = r.unit_id
         LEFT JOIN users sb ON sb.id = r.signed_by LEFT JOIN users h ON h.id = r.handler_id
        WHERE r.id = $1 AND r.unit_id = $2`,
      [receiptId, me.unitId],
    );
    const r = rows[0];
    if (!r) throw new NotFoundError('收文处理笺');
    const steps = r.instance_id ? await actionSteps(m, r.instance_id, r.handler_name) : [];
    const sheet: HandlingSheet = {
      heading: '收文处理笺',
      organ: r.unit_name,
      number: r.receipt_number ? `收文编号：${r.receipt_number}` : undefined,
      fields: [
        { label: '来文单位', value: r.organ },
        { label: '来文字号', value: r.doc_number ?? '' },
        { label: '收文编号', value: r.receipt_number ?? (r.refused_at ? '（退文，未编号）' : '（签收时编号）') },
        { label: '收文日期', value: r.signed_at ? chineseDate(r.signed_at) : '（尚未签收）' },
        { label: '标题', value: r.title, wide: true },
        { label: '密级', value: secrecyText(r.secrecy, r.secrecy_term) },
        { label: '紧急程度', value: r.urgency },
        { label: '文种', value: r.doc_type },
        { label: '主送/抄送', value: r.kind },
        { label: '送达时间', value: dateTime(r.delivered_at) },
        { label: '签收人', value: r.signed_by ?? '' },
        { label: '承办人', value: r.handler_name ?? '' },
        { label: '办结时间', value: r.completed_at ? dateTime(r.completed_at) : '' },
        ...(r.refused_at ? [{ label: '退文理由', value: `${r.refuse_reason ?? ''}（${dateTime(r.refused_at)}）`, wide: true }] : []),
      ],
      sections: [
        {
          title: '办理意见',
          columns: [
            { title: '环节', width: 18 },
            { title: '操作', width: 16 },
            { title: '意见' },
            { title: '办理人', width: 18 },
            { title: '时间', width: 26 },
          ],
          rows: steps.map((s) => [s.step, s.action, s.opinion, s.person, dateTime(s.at)]),
          empty: '尚未办理',
        },
      ],
      metadata: {
        title: `${r.title}（收文处理笺）`,
        author: r.unit_name,
        subject: '收文处理笺',
        keywords: ['收文处理笺', ...(r.receipt_number ? [r.receipt_number] : []), ...(r.doc_number ? [r.doc_number] : [])],
      },
    };
    return { name: `收文处理笺-${r.receipt_number ?? r.title}.pdf`, pdf: await renderHandlingSheet(sheet) };
  }
}

/**
 * 收文编号 at 签收: `代字收〔年份〕序号号`, a running number per receiving unit and year. The counter row is taken with
 * the upsert's row lock, so concurrent 签收 in one unit queue there and get consecutive numbers; a rolled-back 签收
 * gives its number back. A receipt that has one keeps it.
 */
export async function assignReceiptNumber(m: EntityManager, receiptId: string): Promise<void> {
  const rows: { unit_id: string; receipt_number: string | null; organ_code: string | null }[] = await m.query(
    `SELECT r.unit_id, r.receipt_number, u.organ_code FROM document_receipts r JOIN units u ON u.id = r.unit_id WHERE r.id = $1`,
    [receiptId],
  );
  const receipt = rows[0];
  if (!receipt || receipt.receipt_number) return;
  const [{ year }]: { year: number }[] = await m.query(`SELECT extract(year FROM now() AT TIME ZONE 'Asia/Shanghai')::int AS year`);
  const [{ value }]: { value: number }[] = await m.query(
    `INSERT INTO document_receipt_counters (unit_id, year, value) VALUES ($1, $2, 1)
     ON CONFLICT (unit_id, year) DO UPDATE SET value = document_receipt_counters.value + 1 RETURNING value`,
    [receipt.unit_id, year],
  );
  await m.query(`UPDATE document_receipts SET receipt_year = $2, receipt_seq = $3, receipt_number = $4 WHERE id = $1`, [
    receiptId,
    year,
    value,
    // 机关代字 names the unit's 发文 (苏国土资发): its 收文 reads 苏国土资收.
    `${(receipt.organ_code ?? '').replace(/发$/, '')}收〔${year}〕${value}号`,
  ]);
}

/** The people's steps of a case, from its action log: who, in which unit, when, what, with which opinion. */
async function actionSteps(m: EntityManager, instanceId: string, handler?: string | null): Promise<Step[]> {
  const rows: ActionRow[] = await m.query(
    `SELECT a.action, a.comment, a.at, u.display_name AS person, ob.display_name AS on_behalf, COALESCE(un.name, uu.name) AS unit,
            t.name AS step, t.activity_id
       FROM task_actions a JOIN users u ON u.id = a.user_id LEFT JOIN users ob ON ob.id = a.on_behalf_of
       LEFT JOIN units un ON un.id = a.unit_id LEFT JOIN units uu ON uu.id = u.unit_id
       LEFT JOIN tasks t ON t.id = a.task_id
      WHERE a.instance_id = $1 AND a.action <> ALL($2::text[]) ORDER BY a.id`,
    [instanceId, NOT_STEPS],
  );
  return rows.map((a) => {
    const action = ACTION_AT[a.activity_id ?? '']?.[a.action] ?? ACTIONS[a.action] ?? a.action;
    // 批办 names the 承办人 (the one approving 批办 of the case: a return leads back to 拟办, not to a handler).
    const named = a.activity_id === 'instruct' && a.action === 'approve' && handler ? `承办人：${handler}` : '';
    const opinion = [a.comment ?? '', named].filter(Boolean).join('\u3000');
    return {
      step: a.step ?? '',
      person: a.on_behalf ? `${a.person}（代${a.on_behalf}）` : a.person,
      unit: a.unit ?? '',
      at: a.at,
      action,
      opinion,
      sortAt: a.at,
      rank: 0,
    };
  });
}

/** Work the engine did in the case (排版, 用印 by a worker, 归档 …): the end of each such step, from its history. */
function workSteps(history: HistoryEntry[], unit: string): Step[] {
  return history
    .filter((h) => h.event === 'end' && WORK_TYPES.includes((h.activityType ?? '').replace(/^bpmn:/, '')))
    .map((w) => {
      // "排版（GB/T 9704 PDF）": the step is 排版, the parenthesis says how.
      const [, step, how] = /^(.+?)（(.+)）$/.exec(w.activityName ?? '') ?? [null, w.activityName ?? w.activityId ?? '', ''];
      const at = new Date(w.at);
      return { step, person: '系统', unit, at, action: '完成', opinion: how, sortAt: at, rank: 1 };
    });
}

function secrecyText(secrecy: string, term: string | null): string {
  return term && secrecy !== '非密' ? `${secrecy}★${term}` : secrecy;
}

/** "2026-03-01 14:05", Beijing time. */
function dateTime(d: Date): string {
  return d.toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai' }).slice(0, 16);
}

/** "2026年3月1日" (full year, no leading zeros). */
function chineseDate(d: Date): string {
  const [y, mo, da] = d.toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' }).split('-').map(Number);
  return `${y}年${mo}月${da}日`;
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

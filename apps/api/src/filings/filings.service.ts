import { HttpStatus, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { returning } from '../platform/sql';
import { renderFilingReceipt, type FilingReceipt } from '@zhengwu/pdf';
import { DataSource, EntityManager } from 'typeorm';
import { ENGINE_PORT, type CaseSteppedEvent, type EnginePort, type TaskCompletingEvent } from '../engine/engine.port';
import { applyDataScope, assertVisible } from '../identity/data-scope';
import { hasRole, type Principal } from '../identity/principal';
import { AppError, ConflictError, ForbiddenError, NotFoundError } from '../platform/errors';
import { AttachmentsService } from '../files/attachments.service';
import { DemoCases, type DemoContext } from '../seed/demo-cases';
import { TasksService } from '../tasks/tasks.service';
import type { CreateFilingDto, FilingStatus, ListFilingsQuery, SubmitFilingDto, UpdateFilingDto } from './filings.dto';

export const PLAN_FILING = 'plan-filing';
/** 信息办: where filings are registered (seed clause 八). */
const REGISTRAR_UNIT = 'MLR-XXB';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EDITABLE: FilingStatus[] = ['草稿', '需补正'];

interface FilingRow {
  id: string;
  instance_id: string | null;
  unit_id: string;
  unit_path: string;
  unit_name: string;
  drafter_id: string;
  kind: string;
  title: string;
  period_start: number;
  period_end: number;
  summary: string;
  content: string;
  contact_name: string;
  contact_phone: string;
  status: FilingStatus;
  addressed_unit_ids: string[];
  last_opinion: string | null;
  submitted_at: Date | null;
  filing_no: string | null;
  registered_at: Date | null;
  registered_by: string | null;
  created_at: Date;
  updated_at: Date;
}

/** 备案号 of 信息办: 国土资信备〔2026〕1号. */
export function formatFilingNo(year: number, seq: number): string {
  return `国土资信备〔${year}〕${seq}号`;
}

/**
 * 规划备案: a provincial bureau files its informatization plan or major project scheme, its leader
 * signs it off, 信息办 registers it with a 备案号 or asks for 补正. The case runs the `plan-filing`
 * diagram; the filing row follows it through the engine's listener.
 */
@Injectable()
export class FilingsService implements OnModuleInit {
  private readonly logger = new Logger(FilingsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(ENGINE_PORT) private readonly engine: EnginePort,
    private readonly tasks: TasksService,
    private readonly demoCases: DemoCases,
    private readonly attachments: AttachmentsService,
  ) {}

  onModuleInit(): void {
    // 规划文本、方案 and their annexes: the filing unit's drafter adds them while drafting or correcting.
    this.attachments.registerOwner('filing', {
      canRead: (me, id, m) =>
        this.load(m, me, id).then(
          () => true,
          () => false,
        ),
      canWrite: async (me, id, m) => {
        const filing = await this.load(m, me, id);
        return filing.unit_id === me.unitId && hasRole(me, 'drafter') && EDITABLE.includes(filing.status);
      },
    });
    this.engine.listen(PLAN_FILING, {
      taskCompleting: (e) => this.onTaskCompleting(e),
      caseStepped: (e) => this.onCaseStepped(e),
    });
    this.demoCases.register(PLAN_FILING, (ctx) => this.seedDemo(ctx));
  }

  async create(me: Principal, dto: CreateFilingDto) {
    if (!hasRole(me, 'drafter')) throw new ForbiddenError('只有承办人（拟稿）可以填报备案');
    checkPeriod(dto.periodStart, dto.periodEnd);
    const [unit]: { kind: string }[] = await this.dataSource.query(`SELECT kind FROM units WHERE id = $1`, [me.unitId]);
    if (unit?.kind !== 'province') throw new ForbiddenError('规划备案由省级国土资源主管部门报送，您的单位不能填报');
    const id = await this.dataSource.transaction(async (m) => {
      const [row]: { id: string }[] = await m.query(
        `INSERT INTO filings (unit_id, drafter_id, kind, title, period_start, period_end, summary, content, contact_name, contact_phone)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) RETURNING id`,
        [
          me.unitId,
          me.userId,
          dto.kind,
          dto.title.trim(),
          dto.periodStart,
          dto.periodEnd,
          dto.summary.trim(),
          dto.content,
          dto.contactName.trim(),
          dto.contactPhone.trim(),
        ],
      );
      const instance = await this.engine.startProcess(
        PLAN_FILING,
        {
          businessKey: row.id,
          variables: { drafter: me.userId, title: dto.title.trim(), kind: dto.kind, filingId: row.id },
          ownerUnitId: me.unitId,
          startedBy: me.userId,
        },
        m,
      );
      await m.query(`UPDATE filings SET instance_id = $2 WHERE id = $1`, [row.id, instance.id]);
      return row.id;
    });
    return this.get(me, id);
  }

  /** 补正 or editing a draft: only the filing unit, only while the case waits at 填报. */
  async update(me: Principal, id: string, dto: UpdateFilingDto) {
    await this.dataSource.transaction(async (m) => {
      const filing = await this.load(m, me, id, true);
      if (filing.unit_id !== me.unitId || !hasRole(me, 'drafter')) throw new ForbiddenError('只有报送单位的承办人可以修改备案材料');
      if (!EDITABLE.includes(filing.status))
        throw new ConflictError('FILING_NOT_EDITABLE', `备案当前为“${filing.status}”，只有草稿或需补正时可以修改`);
      const next = {
        kind: dto.kind ?? filing.kind,
        title: dto.title?.trim() ?? filing.title,
        periodStart: dto.periodStart ?? filing.period_start,
        periodEnd: dto.periodEnd ?? filing.period_end,
        summary: dto.summary?.trim() ?? filing.summary,
        content: dto.content ?? filing.content,
        contactName: dto.contactName?.trim() ?? filing.contact_name,
        contactPhone: dto.contactPhone?.trim() ?? filing.contact_phone,
      };
      checkPeriod(next.periodStart, next.periodEnd);
      await m.query(
        `UPDATE filings SET kind = $2, title = $3, period_start = $4, period_end = $5, summary = $6, content = $7,
                contact_name = $8, contact_phone = $9, updated_at = now() WHERE id = $1`,
        [id, next.kind, next.title, next.periodStart, next.periodEnd, next.summary, next.content, next.contactName, next.contactPhone],
      );
    });
    return this.get(me, id);
  }

  /** 报送 (first time or after 补正): completes the 填报 step through the inbox, as the drafter would. */
  async submit(me: Principal, id: string, dto: SubmitFilingDto) {
    const filing = await this.load(this.dataSource.manager, me, id);
    if (!EDITABLE.includes(filing.status)) throw new ConflictError('FILING_NOT_SUBMITTABLE', `备案当前为“${filing.status}”，不能重复报送`);
    const task = await this.openTask(filing.instance_id, 'draft');
    if (!task) throw new ConflictError('FILING_NOT_SUBMITTABLE', '备案当前不在填报环节，请刷新');
    await this.tasks.act(me, task.id, { action: 'approve', comment: dto.comment });
    return this.get(me, id);
  }

  async list(me: Principal, query: ListFilingsQuery) {
    const qb = this.dataSource.createQueryBuilder().from('filings', 'f').innerJoin('units', 'u', 'u.id = f.unit_id').where('1 = 1');
    applyDataScope(qb, me, { unitColumn: 'f.unit_id', addressedColumn: 'f.addressed_unit_ids' });
    if (query.status) qb.andWhere('f.status = :status', { status: query.status });
    if (query.kind) qb.andWhere('f.kind = :kind', { kind: query.kind });
    if (query.year)
      qb.andWhere(`COALESCE(f.filing_year, EXTRACT(YEAR FROM f.created_at AT TIME ZONE 'Asia/Shanghai')::int) = :year`, {
        year: query.year,
      });
    if (query.keyword)
      qb.andWhere(`(f.title ILIKE :kw ESCAPE '\\' OR f.filing_no ILIKE :kw ESCAPE '\\' OR u.name ILIKE :kw ESCAPE '\\')`, {
        kw: `%${query.keyword.replace(/[\\%_]/g, (c) => `\\${c}`)}%`,
      });
    const counted = await qb.clone().select('count(*)::int', 'n').getRawOne<{ n: number }>();
    const items = await qb
      .select(
        `f.id, f.kind, f.title, f.period_start AS "periodStart", f.period_end AS "periodEnd", f.status, f.filing_no AS "filingNo",
         f.unit_id AS "unitId", u.name AS "unitName", f.submitted_at AS "submittedAt", f.registered_at AS "registeredAt",
         f.created_at AS "createdAt", f.updated_at AS "updatedAt"`,
      )
      .orderBy('f.created_at', 'DESC')
      .addOrderBy('f.id', 'DESC')
      .limit(query.limit)
      .offset(query.offset)
      .getRawMany();
    return { items, total: counted?.n ?? 0 };
  }

  async get(me: Principal, id: string) {
    const filing = await this.load(this.dataSource.manager, me, id);
    const history = filing.instance_id
      ? await this.dataSource.query(
          `SELECT a.action, a.comment, a.at, t.name AS "taskName", u.display_name AS "userName", un.name AS "unitName"
             FROM task_actions a JOIN users u ON u.id = a.user_id LEFT JOIN units un ON un.id = a.unit_id LEFT JOIN tasks t ON t.id = a.task_id
            WHERE a.instance_id = $1 ORDER BY a.id`,
          [filing.instance_id],
        )
      : [];
    const currentTasks = filing.instance_id
      ? await this.dataSource.query(
          `SELECT t.id, t.name, t.activity_id AS "activityId", t.due_at AS "dueAt", u.display_name AS "assigneeName"
             FROM tasks t LEFT JOIN users u ON u.id::text = t.assignee WHERE t.instance_id = $1 AND t.status = 'open' ORDER BY t.created_at`,
          [filing.instance_id],
        )
      : [];
    return { ...view(filing), history, currentTasks };
  }

  /** 备案回执 as data, with the id of its PDF (stored with the filing when it was registered). */
  async receipt(me: Principal, id: string) {
    const filing = await this.load(this.dataSource.manager, me, id);
    if (filing.status !== '已备案' || !filing.filing_no || !filing.registered_at)
      throw new ConflictError('FILING_NOT_REGISTERED', '该备案尚未登记，暂无备案回执');
    const [registrar]: { id: string; name: string; unit_id: string; unit_name: string }[] = await this.dataSource.query(
      `SELECT u.id, u.display_name AS name, un.id AS unit_id, un.name AS unit_name FROM users u JOIN units un ON un.id = u.unit_id WHERE u.id = $1`,
      [filing.registered_by],
    );
    const [pdf]: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM attachments WHERE owner_kind = 'filing' AND owner_id = $1 AND is_generated AND deleted_at IS NULL
        ORDER BY uploaded_at DESC LIMIT 1`,
      [filing.id],
    );
    return {
      title: '备案回执',
      pdfAttachmentId: pdf?.id ?? null,
      filingNo: filing.filing_no,
      filing: {
        id: filing.id,
        kind: filing.kind,
        title: filing.title,
        periodStart: filing.period_start,
        periodEnd: filing.period_end,
        summary: filing.summary,
      },
      filingUnit: { id: filing.unit_id, name: filing.unit_name },
      registrarUnit: { id: registrar.unit_id, name: registrar.unit_name },
      registrar: { id: registrar.id, name: registrar.name },
      submittedAt: filing.submitted_at,
      registeredAt: filing.registered_at,
      text: `${filing.unit_name}报送的《${filing.title}》（${filing.kind}，${filing.period_start}—${filing.period_end}年）已于${shanghaiDate(
        filing.registered_at,
      )}登记备案，备案号${filing.filing_no}。`,
    };
  }

  private async onTaskCompleting(e: TaskCompletingEvent): Promise<Record<string, unknown> | void> {
    const m = e.tx;
    const filingId = e.businessKey;
    if (!filingId) return;
    if (e.activityId === 'draft' && e.outcome !== 'return') {
      // What the next steps show comes from the record as submitted, never from the request.
      // The driver answers UPDATE … RETURNING with [rows, count]: `returning` gives the rows.
      const [row] = await returning<{ title: string; kind: string }>(
        m,
        `UPDATE filings SET submitted_at = now(), updated_at = now() WHERE id = $1 RETURNING title, kind`,
        [filingId],
      );
      return row ? { title: row.title, kind: row.kind } : undefined;
    }
    if (e.outcome === 'return') {
      await m.query(`UPDATE filings SET last_opinion = $2, updated_at = now() WHERE id = $1`, [filingId, e.comment ?? null]);
      return;
    }
    if (e.activityId === 'register' && e.outcome === 'approve') {
      const filingNo = await this.register(m, filingId, e.userId);
      return { filingNo };
    }
  }

  /** Takes the year's next 备案号 in the registering transaction: a rollback gives it back. */
  private async register(m: EntityManager, filingId: string, userId: string): Promise<string> {
    const [{ year }]: { year: number }[] = await m.query(`SELECT EXTRACT(YEAR FROM now() AT TIME ZONE 'Asia/Shanghai')::int AS year`);
    const [{ value }]: { value: number }[] = await m.query(
      `INSERT INTO filing_counters (year, value) VALUES ($1, 1)
       ON CONFLICT (year) DO UPDATE SET value = filing_counters.value + 1 RETURNING value`,
      [year],
    );
    const filingNo = formatFilingNo(year, value);
    await m.query(
      `UPDATE filings SET status = '已备案', filing_year = $2, filing_seq = $3, filing_no = $4, registered_at = now(), registered_by = $5,
              last_opinion = NULL, updated_at = now() WHERE id = $1`,
      [filingId, year, value, filingNo, userId],
    );
    return filingNo;
  }

  private async onCaseStepped(e: CaseSteppedEvent): Promise<void> {
    const m = e.tx;
    const filingId = e.businessKey;
    if (!filingId) return;
    const [filing]: { title: string; unit_id: string; drafter_id: string; filing_no: string | null; last_opinion: string | null }[] =
      await m.query(`SELECT title, unit_id, drafter_id, filing_no, last_opinion FROM filings WHERE id = $1`, [filingId]);
    if (!filing) return;
    const notify = (topic: string, subject: string, extra: Record<string, unknown> = {}) =>
      m.query(`INSERT INTO outbox (topic, payload) VALUES ($1, $2)`, [
        topic,
        JSON.stringify({ filingId, unitId: filing.unit_id, recipients: [filing.drafter_id], subject, ...extra }),
      ]);
    if (e.status === 'terminated') {
      await this.setStatus(m, filingId, '已终止');
      await notify('filing.terminated', `您单位报送的《${filing.title}》已终止办理`);
      return;
    }
    if (e.status === 'completed') {
      await this.storeReceiptPdf(m, filingId);
      await notify('filing.registered', `您单位报送的《${filing.title}》已备案，备案号${filing.filing_no}`, { filingNo: filing.filing_no });
      return;
    }
    const created = new Set(e.createdTasks.map((t) => t.activityId));
    if (created.has('draft')) {
      const correction = e.endedActivities.includes('register');
      await this.setStatus(m, filingId, correction ? '需补正' : '草稿');
      if (correction)
        await notify('filing.correction-requested', `信息办要求补正《${filing.title}》：${filing.last_opinion ?? ''}`, {
          opinion: filing.last_opinion,
        });
      else if (e.endedActivities.includes('sign'))
        await notify('filing.returned', `《${filing.title}》被单位领导退回修改：${filing.last_opinion ?? ''}`, {
          opinion: filing.last_opinion,
        });
    } else if (created.has('sign')) {
      await this.setStatus(m, filingId, '待审核');
    } else if (created.has('register')) {
      // From now on 信息办 sees the filing (addressed to it), and keeps seeing it through any 补正.
      await m.query(
        `UPDATE filings SET status = '待登记', updated_at = now(),
                addressed_unit_ids = (SELECT array_agg(DISTINCT x) FROM unnest(addressed_unit_ids || ARRAY[(SELECT id FROM units WHERE code = $2)]) x)
          WHERE id = $1`,
        [filingId, REGISTRAR_UNIT],
      );
    }
  }

  /**
   * 备案回执 PDF, made in the registering transaction: if it cannot be made the registration rolls
   * back (备案号 included), so a 已备案 filing always has its receipt.
   */
  private async storeReceiptPdf(m: EntityManager, filingId: string): Promise<void> {
    const [f]: {
      filing_no: string | null;
      title: string;
      kind: string;
      unit_name: string;
      submitted_at: Date | null;
      registered_at: Date | null;
      registered_by: string | null;
      registrar_name: string | null;
      registrar_unit_id: string | null;
      registrar_unit_name: string | null;
    }[] = await m.query(
      `SELECT f.filing_no, f.title, f.kind, u.name AS unit_name, f.submitted_at, f.registered_at, f.registered_by,
              r.display_name AS registrar_name, ru.id AS registrar_unit_id, ru.name AS registrar_unit_name
         FROM filings f JOIN units u ON u.id = f.unit_id
         LEFT JOIN users r ON r.id = f.registered_by LEFT JOIN units ru ON ru.id = r.unit_id
        WHERE f.id = $1`,
      [filingId],
    );
    if (!f?.filing_no || !f.registered_at || !f.registered_by || !f.registrar_unit_id)
      throw new ConflictError('FILING_NOT_REGISTERED', '备案尚未登记备案号，不能生成备案回执');
    const registeredAt = f.registered_at.toISOString();
    const receipt: FilingReceipt = {
      filingNumber: f.filing_no,
      title: f.title,
      kind: f.kind,
      filingUnit: f.unit_name,
      registrarUnit: f.registrar_unit_name ?? '',
      registrar: f.registrar_name ?? '',
      submittedAt: f.submitted_at ? f.submitted_at.toISOString() : registeredAt,
      registeredAt,
      metadata: {
        title: `备案回执（${f.filing_no}）`,
        author: f.registrar_unit_name ?? '',
        subject: f.title,
        keywords: ['备案回执', f.kind, f.filing_no],
        createdAt: registeredAt,
      },
    };
    const content = await this.renderReceipt(receipt);
    await this.attachments.storeGenerated(m, {
      ownerKind: 'filing',
      ownerId: filingId,
      name: `备案回执-${f.filing_no}.pdf`,
      content,
      uploadedBy: f.registered_by,
      unitId: f.registrar_unit_id,
    });
  }

  /** The layout call: a failure becomes an answer a person can act on, and the command rolls back. */
  private async renderReceipt(receipt: FilingReceipt): Promise<Buffer> {
    try {
      return await renderFilingReceipt(receipt);
    } catch (error) {
      // The cause goes to the log, not to the person: it may name files and fonts of the server.
      this.logger.error({ err: error, filingNumber: receipt.filingNumber }, 'filing receipt rendering failed');
      throw new AppError(
        'PDF_RENDER_FAILED',
        '备案回执 PDF 生成失败，本次登记未生效，请稍后重试或联系系统管理员',
        HttpStatus.INTERNAL_SERVER_ERROR,
      );
    }
  }

  private setStatus(m: EntityManager, id: string, status: FilingStatus): Promise<unknown> {
    return m.query(`UPDATE filings SET status = $2, updated_at = now() WHERE id = $1`, [id, status]);
  }

  private async load(m: EntityManager, me: Principal, id: string, forUpdate = false): Promise<FilingRow> {
    if (!UUID.test(id)) throw new NotFoundError('备案');
    const rows: FilingRow[] = await m.query(
      `SELECT f.*, u.path AS unit_path, u.name AS unit_name FROM filings f JOIN units u ON u.id = f.unit_id WHERE f.id = $1${
        forUpdate ? ' FOR UPDATE OF f' : ''
      }`,
      [id],
    );
    const filing = rows[0];
    if (!filing) throw new NotFoundError('备案');
    assertVisible(me, { unitPath: filing.unit_path, addressedUnitIds: filing.addressed_unit_ids }, '备案');
    return filing;
  }

  private async openTask(instanceId: string | null, activityId: string): Promise<{ id: string } | undefined> {
    if (!instanceId) return undefined;
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM tasks WHERE instance_id = $1 AND activity_id = $2 AND status = 'open' LIMIT 1`,
      [instanceId, activityId],
    );
    return rows[0];
  }

  /** Demo: 江苏 files a plan that is registered, a scheme waiting at 信息办, one sent back for 补正, and a draft. */
  private async seedDemo(ctx: DemoContext): Promise<void> {
    const js = await ctx.as('js.nigao');
    const leader = await ctx.as('js.shenpi');
    const office = await ctx.as('chenjing');
    const act = async (who: Principal, filingId: string, action: 'approve' | 'return', comment: string) => {
      const filing = await this.load(this.dataSource.manager, who, filingId);
      const [task]: { id: string }[] = await this.dataSource.query(`SELECT id FROM tasks WHERE instance_id = $1 AND status = 'open'`, [
        filing.instance_id,
      ]);
      await this.tasks.act(who, task.id, { action, comment });
    };
    const contact = { contactName: '沈佳', contactPhone: '025-86658123' };
    const plan = await this.create(js, {
      kind: '信息化规划',
      title: '江苏省国土资源“十五五”信息化发展规划',
      periodStart: 2026,
      periodEnd: 2030,
      summary: '统筹全省国土资源信息化建设，建成省级国土资源云和“一张图”综合监管平台，推进三级联网审批全覆盖。',
      content: '一、发展现状与形势；二、总体要求；三、主要任务（基础设施、数据资源、业务应用、安全保障）；四、保障措施。',
      ...contact,
    });
    await this.submit(js, plan.id, { comment: '请领导审定' });
    await act(leader, plan.id, 'approve', '同意报部信息办备案');
    await act(office, plan.id, 'approve', '材料齐全，予以备案');

    const scheme = await this.create(js, {
      kind: '重大项目方案',
      title: '江苏省不动产登记信息管理基础平台建设方案',
      periodStart: 2026,
      periodEnd: 2027,
      summary: '建设覆盖省市县三级的不动产登记信息管理基础平台，实现登记数据实时汇交与共享。',
      content: '建设内容：数据库建设、平台软件、网络与安全；投资估算 3800 万元；实施计划两年。',
      ...contact,
    });
    await this.submit(js, scheme.id, {});
    await act(leader, scheme.id, 'approve', '同意');

    const corrected = await this.create(js, {
      kind: '重大项目方案',
      title: '江苏省国土资源遥感监测“一张图”更新工程实施方案',
      periodStart: 2026,
      periodEnd: 2028,
      summary: '利用高分遥感影像开展年度土地利用变化监测，更新省级“一张图”数据库。',
      content: '总体技术路线、影像获取、变化图斑提取、外业核查、数据库更新与质量控制。',
      ...contact,
    });
    await this.submit(js, corrected.id, {});
    await act(leader, corrected.id, 'approve', '同意');
    await act(office, corrected.id, 'return', '请补充项目投资估算及与部“一张图”数据标准的衔接说明');

    // Just started: still a draft at 填报.
    await this.create(js, {
      kind: '信息化规划',
      title: '江苏省自然资源和不动产数据共享三年行动计划（2026—2028年）',
      periodStart: 2026,
      periodEnd: 2028,
      summary: '推动省市县三级国土资源数据按事权共享，建立数据目录与交换机制。',
      content: '行动目标、重点任务、责任分工与进度安排。',
      ...contact,
    });
  }
}

function checkPeriod(start: number, end: number): void {
  if (end < start)
    throw new AppError('VALIDATION_FAILED', '规划期终止年不能早于起始年', HttpStatus.BAD_REQUEST, [
      { field: 'periodEnd', message: '不能早于起始年' },
    ]);
  if (end - start > 9)
    throw new AppError('VALIDATION_FAILED', '规划期跨度不能超过 10 年', HttpStatus.BAD_REQUEST, [
      { field: 'periodEnd', message: '跨度不超过 10 年' },
    ]);
}

function shanghaiDate(at: Date): string {
  const [y, mo, d] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(at).split('-');
  return `${y}年${Number(mo)}月${Number(d)}日`;
}

function view(f: FilingRow) {
  return {
    id: f.id,
    instanceId: f.instance_id,
    kind: f.kind,
    title: f.title,
    periodStart: f.period_start,
    periodEnd: f.period_end,
    summary: f.summary,
    content: f.content,
    contactName: f.contact_name,
    contactPhone: f.contact_phone,
    status: f.status,
    filingNo: f.filing_no,
    unitId: f.unit_id,
    unitName: f.unit_name,
    drafterId: f.drafter_id,
    lastOpinion: f.last_opinion,
    submittedAt: f.submitted_at,
    registeredAt: f.registered_at,
    createdAt: f.created_at,
    updatedAt: f.updated_at,
  };
}

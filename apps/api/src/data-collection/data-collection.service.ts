import { HttpStatus, Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { DocumentsService } from '../documents/documents.service';
import { AttachmentsService } from '../files/attachments.service';
import { ENGINE_PORT, type CaseSteppedEvent, type EnginePort, type TaskCompletingEvent } from '../engine/engine.port';
import { HolidayService } from '../engine/holiday.service';
import { assertVisible } from '../identity/data-scope';
import { hasRole, type Principal } from '../identity/principal';
import { AppError, ConflictError, ForbiddenError, NotFoundError } from '../platform/errors';
import { TasksService } from '../tasks/tasks.service';
import { BOARD_STATES, boardState, bulletinBody, csvCell, figuresOf, regionPrefix } from './collection-rules';
import type { CreateListDto, DecideDto, ListListsQuery } from './data-collection.dto';
import { DataCollectionRepository, type ItemRow, type ListRow } from './data-collection.repository';

export const LIST_PROCESS = 'data-collection-list';
export const SUBMISSION_PROCESS = 'data-collection-submission';
/** 信息中心 drafts the list and reviews the data; 信息办 approves the list (seed clause （五）). */
export const CENTER_UNIT = 'MLR-XXZX';
export const OFFICE_UNIT = 'MLR-XXB';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LEVEL_NAMES: Record<string, string> = { province: '省级', city: '市级', county: '县级' };

const invalid = (name: string, message: string) =>
  new AppError('VALIDATION_FAILED', message, HttpStatus.BAD_REQUEST, [{ field: name, message }]);

/**
 * 基础数据汇交清单: 信息中心 drafts the year's list, 信息办 approves it (the `data-collection-list` case), the drafter
 * issues it — a 通知 drafted through 公文 and one submission case per unit and dataset — and at the year's end the
 * board's figures become a 通报 draft.
 */
@Injectable()
export class DataCollectionService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(ENGINE_PORT) private readonly engine: EnginePort,
    private readonly repo: DataCollectionRepository,
    private readonly tasks: TasksService,
    private readonly documents: DocumentsService,
    private readonly holidays: HolidayService,
    private readonly attachments: AttachmentsService,
  ) {}

  onModuleInit(): void {
    // The list's supporting papers (the 清单 as a spreadsheet, a 技术规范): its drafter adds them while it is not issued.
    this.attachments.registerOwner('data-collection-list', {
      canRead: (me, id, m) =>
        this.load(m, me, id).then(
          () => true,
          () => false,
        ),
      canWrite: async (me, id, m) => {
        const list = await this.load(m, me, id);
        return list.drafter_id === me.userId && ['待审批', '退回修改'].includes(list.status);
      },
    });
    this.engine.listen(LIST_PROCESS, {
      taskCompleting: (e) => this.onTaskCompleting(e),
      caseStepped: (e) => this.onCaseStepped(e),
    });
  }

  /** 信息中心's drafter writes the list and sends it to 信息办 in one step. */
  async create(me: Principal, dto: CreateListDto) {
    await this.assertCenterDrafter(me);
    checkItems(dto);
    const id = await this.dataSource.transaction(async (m) => {
      const listId = await this.repo.insertList(m, me, dto.year, dto.title.trim());
      await this.repo.replaceItems(m, listId, dto.items);
      await this.assertUnitsFound(m, await this.repo.items(m, listId));
      const instance = await this.engine.startProcess(
        LIST_PROCESS,
        {
          businessKey: listId,
          ownerUnitId: me.unitId,
          startedBy: me.userId,
          variables: { drafter: me.userId, title: dto.title.trim(), listId },
        },
        m,
      );
      await m.query(`UPDATE collection_lists SET instance_id = $2 WHERE id = $1`, [listId, instance.id]);
      const draft = await this.repo.openTask(m, instance.id, 'draft');
      if (!draft) throw new ConflictError('LIST_NOT_STARTED', '清单流程未能开始，请联系系统管理员');
      await this.tasks.recordFeatureAction(m, draft, me, 'approve', '提交清单');
      await this.engine.completeTask(draft, { userId: me.userId, outcome: 'approve', comment: '提交清单' }, m);
      return listId;
    });
    return this.get(me, id);
  }

  /** The drafter corrects a returned list and sends it again. */
  async resubmit(me: Principal, id: string, dto: CreateListDto) {
    checkItems(dto);
    await this.dataSource.transaction(async (m) => {
      const list = await this.load(m, me, id, true);
      if (list.drafter_id !== me.userId) throw new ForbiddenError('只有清单起草人可以修改清单');
      if (list.status !== '退回修改') throw new ConflictError('LIST_NOT_EDITABLE', `清单当前为“${list.status}”，只有退回修改时可以修改`);
      await m.query(`UPDATE collection_lists SET year = $2, title = $3, updated_at = now() WHERE id = $1`, [
        id,
        dto.year,
        dto.title.trim(),
      ]);
      await this.repo.replaceItems(m, id, dto.items);
      await this.assertUnitsFound(m, await this.repo.items(m, id));
    });
    const list = await this.load(this.dataSource.manager, me, id);
    const task = await this.repo.openTask(this.dataSource.manager, list.instance_id, 'draft');
    if (!task) throw new ConflictError('LIST_NOT_EDITABLE', '清单当前不在起草环节，请刷新');
    await this.tasks.act(me, task, { action: 'approve', comment: '修改后重新提交' });
    return this.get(me, id);
  }

  /** 信息办's decision (the same step the 待办 page completes). */
  async decide(me: Principal, id: string, dto: DecideDto) {
    const list = await this.load(this.dataSource.manager, me, id);
    const task = await this.repo.openTask(this.dataSource.manager, list.instance_id, 'approve');
    if (!task) throw new ConflictError('LIST_NOT_PENDING', `清单当前为“${list.status}”，不在审批环节`);
    await this.tasks.act(me, task, { action: dto.outcome, comment: dto.comment ?? (dto.outcome === 'approve' ? '同意下发' : undefined) });
    return this.get(me, id);
  }

  /**
   * 下发: one submission (and its case) per unit and dataset, due N working days from today, and the 通知 drafted in
   * the drafter's name; the 通知 then goes through 核稿/签发/分发 like any document. Once issued, calling again only
   * drafts a 通知 that failed to be drafted.
   */
  async issue(me: Principal, id: string) {
    const list = await this.load(this.dataSource.manager, me, id);
    if (list.drafter_id !== me.userId) throw new ForbiddenError('只有清单起草人可以下发清单');
    if (!hasRole(me, 'drafter')) throw new ForbiddenError('下发清单须以通知行文，只有拟稿人可以下发');
    if (list.status === '已下发' && list.notice_document_id) throw new ConflictError('LIST_ALREADY_ISSUED', '清单已下发');
    if (list.status !== '已批准' && list.status !== '已下发')
      throw new ConflictError('LIST_NOT_APPROVED', `清单当前为“${list.status}”，须经信息办批准后下发`);
    const calendar = await this.holidays.calendar();
    const now = new Date();
    const recipients = await this.dataSource.transaction(async (m) => {
      const locked = (await this.repo.list(m, id, true))!;
      const items = await this.repo.items(m, id);
      const center = (await this.repo.unitIdByCode(m, CENTER_UNIT))!;
      const office = (await this.repo.unitIdByCode(m, OFFICE_UNIT))!;
      const units = new Set<string>();
      if (locked.status === '已批准') {
        for (const item of items) {
          const dueAt = calendar.addWorkingDays(now, item.due_working_days);
          for (const unit of await this.repo.unitsFor(m, item.levels, item.regions.map(regionPrefix))) {
            units.add(unit.id);
            const submissionId = await this.repo.insertSubmission(m, id, item.id, unit.id, dueAt, [center, office]);
            const started = await this.engine.startProcess(
              SUBMISSION_PROCESS,
              {
                businessKey: submissionId,
                ownerUnitId: unit.id,
                startedBy: me.userId,
                variables: { unitId: unit.id, submissionId, title: `${item.name}（${unit.name}）`, listId: id, dueAt: dueAt.toISOString() },
              },
              m,
            );
            await m.query(`UPDATE collection_submissions SET instance_id = $2 WHERE id = $1`, [submissionId, started.id]);
          }
        }
        await m.query(`UPDATE collection_lists SET status = '已下发', issued_at = now(), updated_at = now() WHERE id = $1`, [id]);
      } else {
        const rows: { unit_id: string }[] = await m.query(`SELECT DISTINCT unit_id FROM collection_submissions WHERE list_id = $1`, [id]);
        rows.forEach((r) => units.add(r.unit_id));
      }
      return this.repo.provincesOf(m, [...units]);
    });
    const items = await this.repo.items(this.dataSource.manager, id);
    const notice = await this.documents.create(me, {
      docType: '通知',
      title: `关于报送${list.year}年度基础数据的通知`,
      mainRecipients: recipients.slice(0, 200),
      body: noticeBody(list, items, now),
      attachmentNote: `${list.year}年度基础数据汇交清单`,
    });
    await this.dataSource.query(`UPDATE collection_lists SET notice_document_id = $2, updated_at = now() WHERE id = $1`, [id, notice.id]);
    return this.get(me, id);
  }

  async lists(me: Principal, q: ListListsQuery) {
    const office = await this.repo.unitIdByCode(this.dataSource.manager, OFFICE_UNIT);
    return this.repo.lists(me, office === me.unitId ? office : undefined, q.limit, q.offset);
  }

  async get(me: Principal, id: string) {
    const m = this.dataSource.manager;
    const list = await this.load(m, me, id);
    const items = await this.repo.items(m, id);
    const history = await m.query(
      `SELECT a.action, a.comment, a.at, t.name AS "taskName", u.display_name AS "userName"
         FROM task_actions a JOIN users u ON u.id = a.user_id LEFT JOIN tasks t ON t.id = a.task_id WHERE a.instance_id = $1 ORDER BY a.id`,
      [list.instance_id],
    );
    return {
      id: list.id,
      year: list.year,
      title: list.title,
      status: list.status,
      lastOpinion: list.last_opinion,
      noticeDocumentId: list.notice_document_id,
      bulletinDocumentId: list.bulletin_document_id,
      issuedAt: list.issued_at,
      isDrafter: list.drafter_id === me.userId,
      items: items.map((i) => ({
        id: i.id,
        code: i.code,
        name: i.name,
        kind: i.kind,
        format: i.format,
        coordinateSystem: i.coordinate_system,
        maxSizeMb: i.max_size_mb,
        dueWorkingDays: i.due_working_days,
        levels: i.levels,
        regions: i.regions,
        secrecy: i.secrecy,
      })),
      history,
    };
  }

  /** 汇交情况: every submission in `me`'s scope with its board state, the counts, and the figures per province. */
  async board(me: Principal, id: string) {
    const list = await this.load(this.dataSource.manager, me, id);
    const rows = await this.repo.board(me, id);
    const figures = figuresOf(rows);
    return {
      listId: id,
      year: list.year,
      title: list.title,
      states: BOARD_STATES,
      rows: rows.map((r) => ({ ...r, state: boardState(r) })),
      figures,
    };
  }

  async boardCsv(me: Principal, id: string): Promise<{ name: string; body: string }> {
    const board = await this.board(me, id);
    const head = ['省份', '单位', '数据编码', '数据名称', '办理状态', '汇交情况', '截止时间', '首次提交时间', '通过时间'];
    const lines = board.rows.map((r) =>
      [
        r.provinceName ?? '',
        r.unitName,
        r.itemCode,
        r.itemName,
        r.status,
        r.state,
        iso(r.dueAt),
        iso(r.firstSubmittedAt),
        iso(r.acceptedAt),
      ]
        .map(csvCell)
        .join(','),
    );
    return { name: `${board.year}年度基础数据汇交情况.csv`, body: `\uFEFF${[head.map(csvCell).join(','), ...lines].join('\r\n')}\r\n` };
  }

  /** 通报 draft from the board (the whole list's figures: 信息中心 sees every unit). */
  async bulletin(me: Principal, id: string) {
    const list = await this.load(this.dataSource.manager, me, id);
    if (list.drafter_id !== me.userId) throw new ForbiddenError('只有清单起草人可以起草通报');
    if (!hasRole(me, 'drafter')) throw new ForbiddenError('只有拟稿人可以起草通报');
    if (list.status === '已通报') throw new ConflictError('BULLETIN_EXISTS', '本清单的通报已起草');
    if (list.status !== '已下发') throw new ConflictError('LIST_NOT_ISSUED', '清单下发后才能起草通报');
    const rows = await this.repo.board(me, id);
    const figures = figuresOf(rows);
    const recipients = await this.repo.provincesOf(this.dataSource.manager, [...new Set(rows.map((r) => r.unitId))]);
    const doc = await this.documents.create(me, {
      docType: '通报',
      title: `关于${list.year}年度基础数据汇交情况的通报`,
      mainRecipients: recipients.slice(0, 200),
      body: bulletinBody(list.year, list.title, figures),
    });
    await this.dataSource.query(
      `UPDATE collection_lists SET status = '已通报', bulletin_document_id = $2, updated_at = now() WHERE id = $1 AND status = '已下发'`,
      [id, doc.id],
    );
    return { documentId: doc.id, figures };
  }

  private async onTaskCompleting(e: TaskCompletingEvent): Promise<void> {
    if (e.activityId === 'approve' && e.outcome === 'return' && !e.comment?.trim()) throw invalid('comment', '退回须写明退回原因');
    if (e.activityId === 'approve' && e.businessKey)
      await e.tx.query(`UPDATE collection_lists SET last_opinion = $2 WHERE id = $1`, [e.businessKey, e.comment ?? null]);
  }

  private async onCaseStepped(e: CaseSteppedEvent): Promise<void> {
    const id = e.businessKey;
    if (!id) return;
    const created = e.createdTasks.map((t) => t.activityId);
    let status: string | undefined;
    if (e.status === 'completed' && e.endedActivities.includes('issued')) status = '已批准';
    else if (created.includes('approve')) status = '待审批';
    else if (created.includes('draft') && !e.endedActivities.includes('start')) status = '退回修改';
    if (status) await e.tx.query(`UPDATE collection_lists SET status = $2, updated_at = now() WHERE id = $1`, [id, status]);
  }

  private async assertCenterDrafter(me: Principal): Promise<void> {
    const center = await this.repo.unitIdByCode(this.dataSource.manager, CENTER_UNIT);
    if (me.unitId !== center || !hasRole(me, 'drafter')) throw new ForbiddenError('汇交清单由信息中心的拟稿人起草');
  }

  /** Every item must name at least one unit: a list that reaches nobody is a mistake. */
  private async assertUnitsFound(m: EntityManager, items: ItemRow[]): Promise<void> {
    for (const [index, item] of items.entries()) {
      const units = await this.repo.unitsFor(m, item.levels, item.regions.map(regionPrefix));
      if (units.length === 0) throw invalid(`items.${index}.regions`, `“${item.name}”的汇交层级和地区下没有任何单位`);
    }
  }

  async load(m: EntityManager, me: Principal, id: string, forUpdate = false): Promise<ListRow> {
    if (!UUID.test(id)) throw new NotFoundError('汇交清单');
    const list = await this.repo.list(m, id, forUpdate);
    if (!list) throw new NotFoundError('汇交清单');
    const unit: { path: string }[] = await m.query(`SELECT path FROM units WHERE id = $1`, [list.unit_id]);
    const office = await this.repo.unitIdByCode(m, OFFICE_UNIT);
    if (list.status !== '已下发' && list.status !== '已通报')
      assertVisible(me, { unitPath: unit[0].path, addressedUnitIds: office ? [office] : [] }, '汇交清单');
    return list;
  }
}

function checkItems(dto: CreateListDto): void {
  const codes = dto.items.map((i) => i.code);
  const dup = codes.find((c, i) => codes.indexOf(c) !== i);
  if (dup) throw invalid('items', `数据编码 ${dup} 重复`);
}

function iso(value: unknown): string {
  if (!value) return '';
  return new Date(value as string).toISOString();
}

function noticeBody(list: ListRow, items: ItemRow[], issuedAt: Date): string {
  const day = issuedAt.toISOString().slice(0, 10);
  return [
    `为做好${list.year}年度国土资源“一张图”基础数据更新汇交工作，现将《${list.title}》印发给你们，请按以下要求组织汇交。`,
    `一、汇交内容`,
    ...items.map(
      (i, n) =>
        `${n + 1}. ${i.name}（${i.code}，${i.kind}）：格式 ${i.format}，坐标系 ${i.coordinate_system}，单个文件不超过 ${i.max_size_mb} MB；` +
        `由${i.levels.map((l) => LEVEL_NAMES[l] ?? l).join('、')}单位（${i.regions.join('、')}）汇交，自${day}起 ${i.due_working_days} 个工作日内完成。`,
    ),
    `二、汇交方式`,
    `各单位在平台“基础数据汇交”中确定责任单位和联系人，上传数据并填写版本和覆盖范围；平台自动检查格式、大小、摘要和行政区划代码，信息中心审核。`,
    `三、有关要求`,
    `逾期未汇交的，平台将催报并报告单位负责人；年底将通报各地汇交情况。`,
  ].join('\n');
}

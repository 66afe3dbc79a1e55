import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { markedParagraphs, serializeBody, storableText, type BodyParagraph, type MarkedRun } from '@zhengwu/contracts';
import { DataSource, EntityManager } from 'typeorm';
import { ENGINE_PORT, type EnginePort } from '../../engine/engine.port';
import type { Principal } from '../../identity/principal';
import { AppError, ConflictError, ForbiddenError, NotFoundError } from '../../platform/errors';
import { offeredByRole } from '../../tasks/task-rules';
import { TasksService } from '../../tasks/tasks.service';
import { DocumentsService } from '../documents.service';
import { exportBodyDocx, importBodyDocx } from './body-docx';
import { compare, listChanges } from './revision-marks';
import { RevisionStore, STEP_BY_ACTIVITY, type RevisionRow } from './revision.store';
import type { SaveRevisionDto } from './revisions.dto';

/** Steps whose holder may change the body (DESIGN.md §5: revisions by person at 拟稿/核稿/会签). */
const EDITING = ['draft', 'review', 'countersign'];
/**
 * Steps whose holder may accept or reject changes: the drafter taking in what reviewers changed after a return,
 * the 核稿 person, and the 签发 leader. 会签 units propose; they do not settle one another's changes.
 */
const DECIDING = ['draft', 'review', 'sign'];

interface OpenTask {
  id: string;
  activity_id: string;
  assignee: string | null;
  candidate_users: string[];
  candidate_groups: string[];
  candidate_units: string[];
  owner_unit_id: string | null;
  instance_id: string;
  name: string;
}

interface Held {
  taskId: string;
  activityId: string;
}

/**
 * 正文 with 痕迹保留: who may read, save, accept and reject revisions of a document's body, and when. Reading
 * follows the document's own rule (whoever may open the document); writing is for the holder of the open step.
 */
@Injectable()
export class RevisionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(ENGINE_PORT) private readonly engine: EnginePort,
    private readonly documents: DocumentsService,
    private readonly tasks: TasksService,
    private readonly store: RevisionStore,
  ) {}

  async list(me: Principal, id: string) {
    const doc = await this.documents.assertVisible(me, id);
    const rows = await this.store.list(this.dataSource.manager, id);
    const latest = rows[rows.length - 1];
    return {
      items: rows.map((r) => ({ ...summary(r), pendingChanges: listChanges(r.marks).length })),
      latest: latest.number,
      clean: rows.find((r) => r.kind === 'clean')?.number ?? null,
      permissions: await this.permissions(me, doc.instance_id),
    };
  }

  async get(me: Principal, id: string, number: number) {
    await this.documents.assertVisible(me, id);
    const m = this.dataSource.manager;
    const rows = await this.store.list(m, id);
    const revision = rows.find((r) => r.number === number);
    if (!revision) throw new NotFoundError('修订稿');
    const byNumber = new Map(rows.map((r) => [r.number, r]));
    const changes = listChanges(revision.marks);
    const changeOf = new Map(changes.flatMap((c) => c.spans.map((index) => [index, c.id] as const)));
    const runs: MarkedRun[] = revision.marks.map((s, index) => ({
      kind: s.k === '=' ? 'same' : s.k === '+' ? 'ins' : 'del',
      text: s.t,
      rev: s.r,
      change: changeOf.get(index),
    }));
    return {
      ...summary(revision),
      isLatest: number === rows[rows.length - 1].number,
      paragraphs: revision.body,
      marked: markedParagraphs(runs),
      changes: changes.map((c) => {
        const by = byNumber.get(c.rev);
        return {
          id: c.id,
          rev: c.rev,
          authorId: by?.author_id ?? null,
          authorName: by?.author_name ?? null,
          step: by?.step ?? null,
          at: by?.updated_at ?? null,
          inserted: readable(c.inserted),
          deleted: readable(c.deleted),
        };
      }),
      // Who made each change shown, for colours and the "by whom, when" of each mark.
      authors: [...new Set(changes.map((c) => c.rev))].flatMap((rev) => {
        const by = byNumber.get(rev);
        return by ? [{ rev, authorId: by.author_id, authorName: by.author_name, step: by.step, at: by.updated_at }] : [];
      }),
    };
  }

  /** Compare any two revisions: what `to` reads against what `from` read, character by character. */
  async diff(me: Principal, id: string, from: number, to: number) {
    await this.documents.assertVisible(me, id);
    const m = this.dataSource.manager;
    const rows = await this.store.list(m, id);
    const a = rows.find((r) => r.number === from);
    const b = rows.find((r) => r.number === to);
    if (!a || !b) throw new NotFoundError('修订稿');
    // Consecutive revisions: every change is the later one's author's; further apart, the compare names both ends.
    const rev = to === from + 1 ? to : undefined;
    const spans = compare(serializeBody(a.body), serializeBody(b.body), rev);
    const runs: MarkedRun[] = spans.map((s) => ({ kind: s.k === '=' ? 'same' : s.k === '+' ? 'ins' : 'del', text: s.t, rev: s.r }));
    return {
      from: summary(a),
      to: summary(b),
      marked: markedParagraphs(runs),
      inserted: spans.filter((s) => s.k === '+').reduce((n, s) => n + Array.from(readable(s.t)).length, 0),
      deleted: spans.filter((s) => s.k === '-').reduce((n, s) => n + Array.from(readable(s.t)).length, 0),
    };
  }

  /** A save by the holder of the open 拟稿, 核稿 or 会签 step; taking an unclaimed step in hand (认领) first. */
  async save(me: Principal, id: string, dto: SaveRevisionDto) {
    const doc = await this.documents.assertVisible(me, id);
    const paragraphs: BodyParagraph[] = dto.paragraphs.map((p) => ({ level: p.level, text: storableText(p.text).trim() }));
    if (paragraphs.every((p) => p.text === '')) {
      throw new AppError('VALIDATION_FAILED', '请填写正文', HttpStatus.BAD_REQUEST, [{ field: 'paragraphs', message: '正文不能为空' }]);
    }
    if (serializeBody(paragraphs).length > 110_000) {
      throw new AppError('VALIDATION_FAILED', '正文不能超过 10 万字', HttpStatus.BAD_REQUEST, [{ field: 'paragraphs', message: '过长' }]);
    }
    const held = await this.holdStep(me, doc.instance_id, EDITING, '修改正文');
    return this.dataSource.transaction(async (m) => {
      await this.engine.lockInstance(doc.instance_id, m);
      await this.stillHeld(m, me, held);
      return this.store.save(m, {
        documentId: id,
        authorId: me.userId,
        step: STEP_BY_ACTIVITY[held.activityId],
        taskId: held.taskId,
        paragraphs,
        tracked: !(held.activityId === 'draft' && !(await this.wasReturned(m, doc.instance_id))),
        base: dto.base,
      });
    });
  }

  /** 接受 / 拒绝 one change (or `all`) of the latest revision, which the person must have looked at (`number`). */
  async decide(me: Principal, id: string, number: number, changeId: string, decision: 'accept' | 'reject') {
    const doc = await this.documents.assertVisible(me, id);
    if (changeId !== 'all' && !/^c\d{1,6}$/.test(changeId)) throw new NotFoundError('修订');
    const held = await this.holdStep(me, doc.instance_id, DECIDING, decision === 'accept' ? '接受修订' : '拒绝修订');
    return this.dataSource.transaction(async (m) => {
      await this.engine.lockInstance(doc.instance_id, m);
      await this.stillHeld(m, me, held);
      return this.store.decide(m, {
        documentId: id,
        viewed: number,
        changeIds: changeId === 'all' ? 'all' : [changeId],
        decision,
        authorId: me.userId,
        step: STEP_BY_ACTIVITY[held.activityId],
        taskId: held.taskId,
      });
    });
  }

  async exportDocx(me: Principal, id: string, number: number): Promise<{ name: string; content: Buffer }> {
    await this.documents.assertVisible(me, id);
    const revision = await this.store.get(this.dataSource.manager, id, number);
    if (!revision) throw new NotFoundError('修订稿');
    const [{ title }]: { title: string }[] = await this.dataSource.query(`SELECT title FROM documents WHERE id = $1`, [id]);
    return { name: `${title}（第${number}稿）.docx`, content: await exportBodyDocx(title, revision.body) };
  }

  /** Reads a .docx into paragraphs for the editor; saving them is a separate, ordinary save. */
  async importDocx(me: Principal, id: string, file: Buffer | undefined) {
    const doc = await this.documents.assertVisible(me, id);
    if (!(await this.permissions(me, doc.instance_id)).canSave)
      throw new ForbiddenError('只有当前拟稿、核稿或会签环节的办理人可以导入正文');
    if (!file || file.length === 0) {
      throw new AppError('VALIDATION_FAILED', '请选择 .docx 文件', HttpStatus.BAD_REQUEST, [{ field: 'file', message: '请选择文件' }]);
    }
    return importBodyDocx(file);
  }

  /** What the page may offer this person now (the service checks again on every write). */
  private async permissions(me: Principal, instanceId: string) {
    const open = await this.openTasks(this.dataSource.manager, instanceId);
    const mine = (activities: string[]) => open.find((t) => activities.includes(t.activity_id) && this.mayHold(me, t));
    const editing = mine(EDITING);
    const deciding = mine(DECIDING);
    return {
      canSave: !!editing,
      canDecide: !!deciding,
      step: editing ? STEP_BY_ACTIVITY[editing.activity_id] : deciding ? STEP_BY_ACTIVITY[deciding.activity_id] : null,
    };
  }

  private mayHold(me: Principal, t: OpenTask): boolean {
    if (t.assignee !== null) return t.assignee === me.userId;
    return t.candidate_users.includes(me.userId) || offeredByRole(me, t);
  }

  /**
   * The open step of `activities` this person holds. A group step offered to them and not yet taken is claimed
   * through the task service (认领, with its separation-of-duties check and its record), as if they had pressed 认领.
   */
  private async holdStep(me: Principal, instanceId: string, activities: string[], what: string): Promise<Held> {
    const open = (await this.openTasks(this.dataSource.manager, instanceId)).filter((t) => activities.includes(t.activity_id));
    const mine = open.find((t) => t.assignee === me.userId);
    if (mine) return { taskId: mine.id, activityId: mine.activity_id };
    const offered = open.find((o) => o.assignee === null && this.mayHold(me, o));
    if (offered) {
      await this.tasks.act(me, offered.id, { action: 'claim' });
      return { taskId: offered.id, activityId: offered.activity_id };
    }
    throw new ForbiddenError(`只有当前环节的办理人可以${what}（${activities.map((a) => STEP_BY_ACTIVITY[a]).join('、')}）`);
  }

  /** Under the case lock: the step is still open and still this person's (not completed, returned or handed on meanwhile). */
  private async stillHeld(m: EntityManager, me: Principal, held: Held): Promise<void> {
    const rows: { status: string; assignee: string | null }[] = await m.query(`SELECT status, assignee FROM tasks WHERE id = $1`, [
      held.taskId,
    ]);
    if (rows[0]?.status !== 'open' || rows[0].assignee !== me.userId) {
      throw new ConflictError('TASK_NOT_HELD', '该环节已办理完毕或已交由他人办理，不能再修改正文；请刷新');
    }
  }

  /** The first draft is the drafter's own until it first leaves 拟稿: changes are tracked only after that. */
  private async wasReturned(m: EntityManager, instanceId: string): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `SELECT 1 FROM tasks WHERE instance_id = $1 AND activity_id = 'draft' AND status = 'completed' LIMIT 1`,
      [instanceId],
    );
    return rows.length > 0;
  }

  private openTasks(m: EntityManager, instanceId: string): Promise<OpenTask[]> {
    return m.query(
      `SELECT id, activity_id, assignee, candidate_users, candidate_groups, candidate_units, owner_unit_id, instance_id, name
         FROM tasks WHERE instance_id = $1 AND status = 'open' ORDER BY created_at`,
      [instanceId],
    );
  }
}

function summary(r: RevisionRow) {
  return {
    number: r.number,
    kind: r.kind,
    step: r.step,
    authorId: r.author_id,
    authorName: r.author_name,
    note: r.note,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** A change's text for people: level marks out, paragraph breaks as ¶. */
function readable(text: string): string {
  return text.replace(/[\uE000-\uE0FF]/g, '').replace(/\n/g, '¶');
}

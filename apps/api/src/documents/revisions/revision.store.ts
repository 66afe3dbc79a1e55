import { HttpStatus, Injectable } from '@nestjs/common';
import { deserializeBody, parseBodyText, renderBodyText, serializeBody, type BodyParagraph } from '@zhengwu/contracts';
import type { EntityManager } from 'typeorm';
import { AppError, ConflictError } from '../../platform/errors';
import { applyEdit, decide, listChanges, visibleText, type Span } from './revision-marks';

/** The steps a revision is made at, by the task's activity in the `document-exchange` diagram. */
export const STEP_BY_ACTIVITY: Record<string, RevisionStep> = { draft: '拟稿', review: '核稿', countersign: '会签', sign: '签发' };
export type RevisionStep = '拟稿' | '核稿' | '会签' | '签发';
export type RevisionKind = 'edit' | 'accept' | 'reject' | 'clean';

export interface RevisionRow {
  id: string;
  document_id: string;
  number: number;
  kind: RevisionKind;
  step: RevisionStep;
  author_id: string;
  author_name: string;
  task_id: string | null;
  body: BodyParagraph[];
  marks: Span[];
  note: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface SaveInput {
  documentId: string;
  authorId: string;
  step: RevisionStep;
  taskId: string | null;
  paragraphs: BodyParagraph[];
  /** Changes are marked for review; false only for the first draft before it ever left 拟稿. */
  tracked: boolean;
  /** The revision the editor started from; a later one by someone else is a conflict, not an overwrite. */
  base?: number;
}

const COLUMNS = `r.id, r.document_id, r.number, r.kind, r.step, r.author_id, u.display_name AS author_name, r.task_id, r.body, r.marks, r.note,
  r.created_at, r.updated_at`;

/**
 * The revisions of documents' bodies: SQL and the rules of a save, a decision and the 清稿. Every method takes the
 * caller's transaction, which has locked the case (the engine's instance row), so saves and task actions on one
 * case queue; the unique (document, number) is the backstop should a caller forget.
 */
@Injectable()
export class RevisionStore {
  async list(m: EntityManager, documentId: string): Promise<RevisionRow[]> {
    await this.ensureInitial(m, documentId);
    return m.query(
      `SELECT ${COLUMNS} FROM document_revisions r JOIN users u ON u.id = r.author_id WHERE r.document_id = $1 ORDER BY r.number`,
      [documentId],
    );
  }

  async get(m: EntityManager, documentId: string, number: number): Promise<RevisionRow | undefined> {
    const rows: RevisionRow[] = await m.query(
      `SELECT ${COLUMNS} FROM document_revisions r JOIN users u ON u.id = r.author_id WHERE r.document_id = $1 AND r.number = $2`,
      [documentId, number],
    );
    return rows[0];
  }

  async latest(m: EntityManager, documentId: string): Promise<RevisionRow> {
    await this.ensureInitial(m, documentId);
    const rows: RevisionRow[] = await m.query(
      `SELECT ${COLUMNS} FROM document_revisions r JOIN users u ON u.id = r.author_id WHERE r.document_id = $1 ORDER BY r.number DESC LIMIT 1`,
      [documentId],
    );
    return rows[0];
  }

  /**
   * The drafter's form (起草 and 修改 at 拟稿, plain text with typed numbers): revision 1 at 起草, then an ordinary
   * save at 拟稿, untracked until the draft first left 拟稿. The caller holds the case lock and has checked the step.
   */
  async recordDraft(m: EntityManager, documentId: string, authorId: string, body: string, attachmentNote?: string | null): Promise<void> {
    const paragraphs = parseBodyText(body, attachmentNote);
    const [task]: { id: string; returned: boolean }[] = await m.query(
      `SELECT t.id, EXISTS (SELECT 1 FROM tasks c WHERE c.instance_id = t.instance_id AND c.activity_id = 'draft' AND c.status = 'completed') AS returned
         FROM documents d JOIN tasks t ON t.instance_id = d.instance_id
        WHERE d.id = $1 AND t.activity_id = 'draft' AND t.status = 'open' AND t.assignee = $2`,
      [documentId, authorId],
    );
    const has: unknown[] = await m.query(`SELECT 1 FROM document_revisions WHERE document_id = $1 LIMIT 1`, [documentId]);
    if (has.length === 0) {
      const marks = applyEdit([], serializeBody(paragraphs), 1, false);
      await this.insert(m, {
        documentId,
        number: 1,
        kind: 'edit',
        step: '拟稿',
        authorId,
        taskId: task?.id ?? null,
        paragraphs,
        marks,
        note: '起草',
      });
      await this.syncDocument(m, documentId, paragraphs);
      return;
    }
    await this.save(m, { documentId, authorId, step: '拟稿', taskId: task?.id ?? null, paragraphs, tracked: task?.returned ?? true });
  }

  /**
   * A save of the body. The same person saving again on the same open task replaces their revision while it is
   * still the latest (a draft polished in several sittings is one revision, not ten); anyone else's save in
   * between starts a new one. A save that changes nothing makes none.
   */
  async save(m: EntityManager, input: SaveInput): Promise<{ number: number; replaced: boolean; unchanged: boolean }> {
    const latest = await this.latest(m, input.documentId);
    if (input.base !== undefined && input.base !== latest.number) {
      throw new ConflictError(
        'REVISION_CONFLICT',
        `正文已由${latest.author_name}修改为第 ${latest.number} 稿，您是在第 ${input.base} 稿上修改的；请刷新后在最新稿上修改`,
      );
    }
    if (latest.kind === 'clean') throw new ConflictError('DOCUMENT_SIGNED', '公文已签发，正文已定稿（清稿），不能再修改');
    const next = serializeBody(input.paragraphs);
    if (next === visibleText(latest.marks)) return { number: latest.number, replaced: false, unchanged: true };
    const replaces =
      latest.kind === 'edit' &&
      latest.author_id === input.authorId &&
      latest.step === input.step &&
      latest.task_id === input.taskId &&
      !!input.taskId;
    if (replaces) {
      const previous = latest.number > 1 ? (await this.get(m, input.documentId, latest.number - 1))?.marks : [];
      const marks = applyEdit(previous ?? [], next, latest.number, input.tracked);
      await m.query(`UPDATE document_revisions SET body = $2, marks = $3, updated_at = now() WHERE id = $1`, [
        latest.id,
        JSON.stringify(input.paragraphs),
        JSON.stringify(marks),
      ]);
      await this.syncDocument(m, input.documentId, input.paragraphs);
      return { number: latest.number, replaced: true, unchanged: false };
    }
    const number = latest.number + 1;
    await this.insert(m, {
      documentId: input.documentId,
      number,
      kind: 'edit',
      step: input.step,
      authorId: input.authorId,
      taskId: input.taskId,
      paragraphs: input.paragraphs,
      marks: applyEdit(latest.marks, next, number, input.tracked),
      note: null,
    });
    await this.syncDocument(m, input.documentId, input.paragraphs);
    return { number, replaced: false, unchanged: false };
  }

  /** 接受 / 拒绝 changes of the latest revision (`viewed` is the one the person looked at); a new revision. */
  async decide(
    m: EntityManager,
    input: {
      documentId: string;
      viewed: number;
      changeIds: string[] | 'all';
      decision: 'accept' | 'reject';
      authorId: string;
      step: RevisionStep;
      taskId: string;
    },
  ): Promise<{ number: number; decided: number }> {
    const latest = await this.latest(m, input.documentId);
    if (input.viewed !== latest.number) {
      throw new ConflictError('REVISION_CONFLICT', `正文已更新为第 ${latest.number} 稿，请刷新后再处理修订`);
    }
    const changes = listChanges(latest.marks);
    const ids = input.changeIds === 'all' ? changes.map((c) => c.id) : input.changeIds;
    const unknown = ids.filter((id) => !changes.some((c) => c.id === id));
    if (unknown.length > 0 || ids.length === 0) {
      throw new AppError(
        'CHANGE_NOT_FOUND',
        `第 ${latest.number} 稿中没有待处理的修订：${unknown.join('、') || '（无）'}`,
        HttpStatus.NOT_FOUND,
      );
    }
    const marks = decide(latest.marks, ids, input.decision);
    const paragraphs = deserializeBody(visibleText(marks));
    const number = latest.number + 1;
    await this.insert(m, {
      documentId: input.documentId,
      number,
      kind: input.decision,
      step: input.step,
      authorId: input.authorId,
      taskId: input.taskId,
      paragraphs,
      marks,
      note: `${input.decision === 'accept' ? '接受' : '拒绝'} ${ids.length} 处修订`,
    });
    await this.syncDocument(m, input.documentId, paragraphs);
    return { number, decided: ids.length };
  }

  /**
   * 清稿 at 签发: the leader signs the text as it reads, so any change still pending is accepted with the
   * signature (and said so in the revision's note); the clean copy is frozen and `documents.body` — what the
   * typesetting reads — is written from it.
   */
  async freeze(m: EntityManager, documentId: string, signerId: string, taskId: string): Promise<{ number: number; accepted: number }> {
    const latest = await this.latest(m, documentId);
    if (latest.kind === 'clean') return { number: latest.number, accepted: 0 };
    const pending = listChanges(latest.marks).length;
    const marks = decide(
      latest.marks,
      listChanges(latest.marks).map((c) => c.id),
      'accept',
    );
    const paragraphs = deserializeBody(visibleText(marks));
    const number = latest.number + 1;
    await this.insert(m, {
      documentId,
      number,
      kind: 'clean',
      step: '签发',
      authorId: signerId,
      taskId,
      paragraphs,
      marks,
      note: pending > 0 ? `清稿：签发时接受全部 ${pending} 处未处理的修订` : '清稿',
    });
    await this.syncDocument(m, documentId, paragraphs);
    return { number, accepted: pending };
  }

  /** A document stored before revisions existed (or by a path that skipped them): its text becomes revision 1. */
  private async ensureInitial(m: EntityManager, documentId: string): Promise<void> {
    const rows: { body: string; attachment_note: string | null; drafter_id: string; has: boolean }[] = await m.query(
      `SELECT d.body, d.attachment_note, d.drafter_id, EXISTS (SELECT 1 FROM document_revisions r WHERE r.document_id = d.id) AS has
         FROM documents d WHERE d.id = $1`,
      [documentId],
    );
    const doc = rows[0];
    if (!doc || doc.has) return;
    const paragraphs = parseBodyText(doc.body, doc.attachment_note);
    const marks = applyEdit([], serializeBody(paragraphs), 1, false);
    await m.query(
      `INSERT INTO document_revisions (document_id, number, kind, step, author_id, body, marks, note) VALUES ($1, 1, 'edit', '拟稿', $2, $3, $4, '起草')
       ON CONFLICT (document_id, number) DO NOTHING`,
      [documentId, doc.drafter_id, JSON.stringify(paragraphs), JSON.stringify(marks)],
    );
  }

  private async insert(
    m: EntityManager,
    r: {
      documentId: string;
      number: number;
      kind: RevisionKind;
      step: RevisionStep;
      authorId: string;
      taskId: string | null;
      paragraphs: BodyParagraph[];
      marks: Span[];
      note: string | null;
    },
  ): Promise<void> {
    try {
      await m.query(
        `INSERT INTO document_revisions (document_id, number, kind, step, author_id, task_id, body, marks, note) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`,
        [r.documentId, r.number, r.kind, r.step, r.authorId, r.taskId, JSON.stringify(r.paragraphs), JSON.stringify(r.marks), r.note],
      );
    } catch (error) {
      // Another save took this number first (a caller without the case lock): nothing of either is lost.
      if ((error as { code?: string }).code === '23505') {
        throw new ConflictError('REVISION_CONFLICT', `正文已由他人同时修改为第 ${r.number} 稿，请刷新后在最新稿上修改`);
      }
      throw error;
    }
  }

  /** `documents.body` and `attachment_note` always read as the latest revision, for the list, the detail page and 排版. */
  private async syncDocument(m: EntityManager, documentId: string, paragraphs: BodyParagraph[]): Promise<void> {
    const text = renderBodyText(paragraphs);
    await m.query(`UPDATE documents SET body = $2, attachment_note = $3, updated_at = now() WHERE id = $1`, [
      documentId,
      text.body,
      text.attachmentNote,
    ]);
  }
}

import { HttpStatus, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { TaskCompletingEvent } from '../engine/engine.port';
import { issuesInMinistryName } from '../org/issuing-organ';
import { checkVote, leadingGroupVoters, requireGroupChair, voteResult, type VoteCount } from '../org/leading-group';
import { AppError, ConflictError } from '../platform/errors';

export interface ItDocument {
  id: string;
  drafter_id: string;
  unit_kind: string;
  informatization: boolean;
  informatization_marked_by: string | null;
  it_round: number;
  it_approved_at: Date | null;
}

/** Where an informatization document stands, for the document page. */
export interface ItReviewState {
  informatization: boolean;
  /** The review is required: marked 信息化相关 and issued in the ministry's (or 办公厅's) name. */
  required: boolean;
  markedByReviewer: boolean;
  stage: '无需审核' | '待信息办审核' | '信息办审核中' | '领导小组表决中' | '待记录集体决定' | '已批准' | '退回修改';
  approvedAt: Date | null;
  round: number;
  tally: { voters: number; approve: number; reject: number; cast: number } | null;
  entries: {
    round: number;
    step: string;
    outcome: string;
    opinion: string | null;
    referToSecretary: boolean;
    at: Date;
    userName: string;
  }[];
}

/**
 * Seed （八）: a document marked 信息化相关 and issued in the name of the ministry or its 办公厅 goes to 信息办审核 and the
 * 信息化领导小组's approval (a vote, as in 项目立项) before 签发. The diagram routes it (itGate); this service records each
 * opinion and vote, keeps the approval on the document, and refuses 签发 without it whatever path a case took.
 */
@Injectable()
export class ItReviewService {
  /** Does this document need the review? */
  required(doc: Pick<ItDocument, 'informatization' | 'unit_kind'>): boolean {
    return doc.informatization && issuesInMinistryName(doc.unit_kind);
  }

  async load(m: EntityManager, documentId: string): Promise<ItDocument> {
    const [doc]: ItDocument[] = await m.query(
      `SELECT d.id, d.drafter_id, u.kind AS unit_kind, d.informatization, d.informatization_marked_by, d.it_round, d.it_approved_at
         FROM documents d JOIN units u ON u.id = d.unit_id WHERE d.id = $1`,
      [documentId],
    );
    return doc;
  }

  /** The drafter's mark. A mark set by a reviewer or 信息办 stays: the drafter cannot take it back. */
  async drafterMarks(m: EntityManager, documentId: string, drafterId: string, informatization: boolean | undefined): Promise<void> {
    if (informatization === undefined) return;
    const doc = await this.load(m, documentId);
    if (!informatization && doc.informatization && doc.informatization_marked_by && doc.informatization_marked_by !== drafterId) {
      throw new AppError('IT_MARK_LOCKED', '该公文已由核稿人标记为信息化相关文件，拟稿人不能取消该标记', HttpStatus.CONFLICT, [
        { field: 'informatization', message: '不能取消' },
      ]);
    }
    if (informatization === doc.informatization) return;
    await m.query(`UPDATE documents SET informatization = $2, informatization_marked_by = $3 WHERE id = $1`, [
      documentId,
      informatization,
      informatization ? drafterId : null,
    ]);
  }

  /** A redraft (拟稿 sent on again) needs a fresh review: the approved text may have changed. */
  async redrafted(e: TaskCompletingEvent, documentId: string): Promise<Record<string, unknown>> {
    await e.tx.query(`UPDATE documents SET it_approved_at = NULL WHERE id = $1`, [documentId]);
    const doc = await this.load(e.tx, documentId);
    return { itReview: this.required(doc), itApproved: false };
  }

  /** 核稿 may mark the document 信息化相关 (the step's contract field `informatization`), never unmark it. */
  async reviewed(e: TaskCompletingEvent, documentId: string): Promise<Record<string, unknown>> {
    if (e.input.informatization === true && e.outcome === 'approve') {
      await e.tx.query(
        `UPDATE documents SET informatization = true, informatization_marked_by = $2 WHERE id = $1 AND NOT informatization`,
        [documentId, e.userId],
      );
    }
    const doc = await this.load(e.tx, documentId);
    return { itReview: this.required(doc), itApproved: doc.it_approved_at !== null };
  }

  /** 信息办审核: an opinion is required; approval opens a new voting round for the group. */
  async officeReviewed(e: TaskCompletingEvent, documentId: string): Promise<Record<string, unknown>> {
    requireOpinion(e, '请填写信息办审核意见');
    const outcome = e.outcome === 'approve' ? 'approve' : 'return';
    const doc = await this.load(e.tx, documentId);
    const round = outcome === 'approve' ? doc.it_round + 1 : doc.it_round;
    await this.record(e, documentId, round, 'office', outcome, false);
    if (outcome !== 'approve') return {};
    const group = await leadingGroupVoters(e.tx);
    await e.tx.query(`UPDATE documents SET it_round = $2 WHERE id = $1`, [documentId, round]);
    return {
      voters: group.voters,
      groupChair: group.chair ?? null,
      votesCast: 0,
      votesApprove: 0,
      votesReject: 0,
      voteResult: 'pending',
    };
  }

  /** One member's vote in the current round; the last one decides. */
  async voted(e: TaskCompletingEvent, documentId: string): Promise<Record<string, unknown>> {
    const vote = checkVote(e.variables.voters, e.userId, e.outcome);
    const refer = e.input.referToSecretary === true;
    if (refer) await requireGroupChair(e.tx, e.userId);
    const doc = await this.load(e.tx, documentId);
    await this.record(e, documentId, doc.it_round, 'vote', vote, refer);
    const count = await this.count(e.tx, documentId, doc.it_round);
    const result = voteResult((e.variables.voters as string[]).length, count);
    if (result === 'approve') await this.approve(e.tx, documentId);
    return {
      votesApprove: count.approve,
      votesReject: count.reject,
      votesCast: count.cast,
      voteResult: result,
      itApproved: result === 'approve',
    };
  }

  /** 记录集体决定: the secretary writes down what the group decided together. */
  async decided(e: TaskCompletingEvent, documentId: string): Promise<Record<string, unknown>> {
    requireOpinion(e, '请记录领导小组集体决定的内容');
    if (e.outcome !== 'approve' && e.outcome !== 'reject') {
      throw new AppError('DECISION_INVALID', '集体决定须为批准印发或不予批准', HttpStatus.BAD_REQUEST, [
        { field: 'action', message: '须为 approve 或 reject' },
      ]);
    }
    const doc = await this.load(e.tx, documentId);
    await this.record(e, documentId, doc.it_round, 'decision', e.outcome, false);
    if (e.outcome === 'approve') await this.approve(e.tx, documentId);
    return { itApproved: e.outcome === 'approve' };
  }

  /** The api's own check at 签发, whatever the diagram version of the case: no approval, no signature. */
  async guardSign(m: EntityManager, documentId: string): Promise<void> {
    const doc = await this.load(m, documentId);
    if (this.required(doc) && !doc.it_approved_at) {
      throw new ConflictError('IT_REVIEW_REQUIRED', '以部或部办公厅名义印发的信息化相关文件，须经信息办审核、信息化领导小组批准后方可签发');
    }
  }

  async state(m: EntityManager, documentId: string, openActivities: string[]): Promise<ItReviewState> {
    const doc = await this.load(m, documentId);
    const entries: ItReviewState['entries'] = await m.query(
      `SELECT r.round, r.step, r.outcome, r.opinion, r.refer_to_secretary AS "referToSecretary", r.at, u.display_name AS "userName"
         FROM document_it_reviews r JOIN users u ON u.id = r.user_id WHERE r.document_id = $1 ORDER BY r.id`,
      [documentId],
    );
    const required = this.required(doc);
    const voting = openActivities.includes('itVote');
    let tally: ItReviewState['tally'] = null;
    if (doc.it_round > 0) {
      const count = await this.count(m, documentId, doc.it_round);
      const [members]: { n: number }[] = await m.query(
        `SELECT count(DISTINCT r.user_id)::int + (SELECT count(*)::int FROM tasks t JOIN documents d ON d.instance_id = t.instance_id
                                                   WHERE d.id = $1 AND t.activity_id = 'itVote' AND t.status = 'open') AS n
           FROM document_it_reviews r WHERE r.document_id = $1 AND r.round = $2 AND r.step = 'vote'`,
        [documentId, doc.it_round],
      );
      tally = { voters: members.n, approve: count.approve, reject: count.reject, cast: count.cast };
    }
    const last = entries.at(-1);
    const stage: ItReviewState['stage'] = !required
      ? '无需审核'
      : doc.it_approved_at
        ? '已批准'
        : openActivities.includes('itOfficeReview')
          ? '信息办审核中'
          : voting
            ? '领导小组表决中'
            : openActivities.includes('itDecision')
              ? '待记录集体决定'
              : last && last.outcome !== 'approve'
                ? '退回修改'
                : '待信息办审核';
    return {
      informatization: doc.informatization,
      required,
      markedByReviewer: doc.informatization && doc.informatization_marked_by !== null && doc.informatization_marked_by !== doc.drafter_id,
      stage,
      approvedAt: doc.it_approved_at,
      round: doc.it_round,
      tally,
      entries,
    };
  }

  private async approve(m: EntityManager, documentId: string): Promise<void> {
    await m.query(`UPDATE documents SET it_approved_at = now() WHERE id = $1`, [documentId]);
  }

  private async count(m: EntityManager, documentId: string, round: number): Promise<VoteCount> {
    const [count]: VoteCount[] = await m.query(
      `SELECT count(*) FILTER (WHERE outcome = 'approve')::int AS approve, count(*) FILTER (WHERE outcome = 'reject')::int AS reject,
              count(*)::int AS cast, coalesce(bool_or(refer_to_secretary), false) AS referred
         FROM document_it_reviews WHERE document_id = $1 AND round = $2 AND step = 'vote'`,
      [documentId, round],
    );
    return count;
  }

  private async record(
    e: TaskCompletingEvent,
    documentId: string,
    round: number,
    step: 'office' | 'vote' | 'decision',
    outcome: string,
    refer: boolean,
  ): Promise<void> {
    const inserted: unknown[] = await e.tx.query(
      `INSERT INTO document_it_reviews (document_id, round, step, task_id, user_id, outcome, opinion, refer_to_secretary)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT DO NOTHING RETURNING id`,
      [documentId, round, step, e.taskId, e.userId, outcome, e.comment?.trim() || null, refer],
    );
    if (inserted.length === 0) throw new ConflictError('ALREADY_VOTED', '您在本轮已经表决，不能重复表决');
  }
}

function requireOpinion(e: TaskCompletingEvent, message: string): void {
  if (e.comment?.trim()) return;
  throw new AppError('OPINION_REQUIRED', message, HttpStatus.BAD_REQUEST, [{ field: 'comment', message: '必填' }]);
}

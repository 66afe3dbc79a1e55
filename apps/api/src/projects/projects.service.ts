import { HttpStatus, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { renderProjectApprovalNotice, type ProjectApprovalNotice } from '@zhengwu/pdf';
import { DataSource, EntityManager } from 'typeorm';
import { ENGINE_PORT, type CaseSteppedEvent, type EnginePort, type TaskCompletingEvent } from '../engine/engine.port';
import { hasRole, type Principal } from '../identity/principal';
import { AppError, ConflictError, ForbiddenError, NotFoundError } from '../platform/errors';
import { AttachmentsService } from '../files/attachments.service';
import { DemoCases } from '../seed/demo-cases';
import { TasksService } from '../tasks/tasks.service';
import { DeployedSystemsService } from './deployed-systems.service';
import { escapeLike, ledgerUnits, projectScopeSql, seesWholeLedger } from './ledger-scope';
import { checkVote, leadingGroupVoters, requireGroupChair, voteResult } from '../org/leading-group';
import type { ChangeProjectStatusDto, CorrectProjectDto, ListProjectsQuery, ProjectStatus, SubmitProjectDto } from './projects.dto';
import { seedProjectDemo } from './projects.demo';
import { CONTENT_THRESHOLD, NAME_THRESHOLD, similarity } from './similarity';

export const PROCESS_KEY = 'project-initiation';

/** Unit kinds that may propose a project: 司局 (and 办公厅/信息办), 督察局, 直属单位 (信息中心 included). */
const PROPOSING_KINDS = ['department', 'office', 'inspection', 'affiliated', 'center'];

const STAGES: Record<string, string> = {
  leaderApproval: '待单位领导审批',
  revise: '已退回修改',
  officeReview: '待信息办审查',
  vote: '领导小组表决中',
  secretaryDecision: '待记录集体决定',
};

const APPROVED_ENDS = ['approved', 'approvedCollectively'];
const REJECTED_ENDS = ['rejected', 'rejectedCollectively', 'leaderRejected'];

interface ProjectRow {
  id: string;
  project_no: string | null;
  name: string;
  category: string;
  budget: string;
  start_year: number;
  end_year: number;
  content: string;
  is_government_affairs: boolean;
  unit_id: string;
  implementing_unit_id: string | null;
  submitted_by: string;
  instance_id: string | null;
  status: ProjectStatus;
  stage: string | null;
  unit_path: string;
}

export interface Duplicate {
  id: string;
  projectNo: string | null;
  name: string;
  status: string;
  unitName: string;
  nameSimilarity: number;
  contentSimilarity: number;
}

const SUMMARY = `p.id, p.project_no AS "projectNo", p.name, p.category, p.budget::float8 AS budget, p.start_year AS "startYear",
  p.end_year AS "endYear", p.is_government_affairs AS "isGovernmentAffairs", p.status, p.stage, p.unit_id AS "unitId",
  u.name AS "unitName", p.implementing_unit_id AS "implementingUnitId", iu.name AS "implementingUnitName",
  p.submitted_by AS "submittedBy", su.display_name AS "submitterName", p.instance_id AS "instanceId",
  p.decision, p.decided_at AS "decidedAt", p.created_at AS "createdAt", p.updated_at AS "updatedAt"`;
const FROM = `FROM projects p JOIN units u ON u.id = p.unit_id LEFT JOIN units iu ON iu.id = p.implementing_unit_id
  JOIN users su ON su.id = p.submitted_by`;

/**
 * 信息化项目立项 (seed clause 九) and the project ledger (clause 十). Decisions arrive through the
 * inbox; this service keeps the ledger in step from the process listener, in the same transaction.
 */
@Injectable()
export class ProjectsService implements OnModuleInit {
  private readonly logger = new Logger(ProjectsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(ENGINE_PORT) private readonly engine: EnginePort,
    private readonly tasks: TasksService,
    private readonly systems: DeployedSystemsService,
    private readonly demoCases: DemoCases,
    private readonly attachments: AttachmentsService,
  ) {}

  onModuleInit(): void {
    // 可行性研究报告、建设方案: the submitter attaches them until the leader acts, and while the proposal is returned.
    this.attachments.registerOwner('project', {
      canRead: (me, id, m) =>
        this.loadVisible(m, me, id).then(
          () => true,
          () => false,
        ),
      canWrite: async (me, id, m) => {
        const project = await this.loadVisible(m, me, id);
        if (project.submitted_by !== me.userId || project.status !== '申报中' || !project.instance_id) return false;
        const open: unknown[] = await m.query(
          `SELECT 1 FROM tasks WHERE instance_id = $1 AND activity_id IN ('leaderApproval','revise') AND status = 'open'`,
          [project.instance_id],
        );
        return open.length > 0;
      },
    });
    this.engine.listen(PROCESS_KEY, {
      taskCompleting: (e) => this.onTaskCompleting(e),
      caseStepped: (e) => this.onCaseStepped(e),
    });
    this.demoCases.register('projects', (ctx) => seedProjectDemo(ctx, this, this.tasks, this.systems));
  }

  async submit(me: Principal, dto: SubmitProjectDto): Promise<{ id: string; instanceId: string }> {
    checkYears(dto.startYear, dto.endYear);
    const [unit]: { kind: string }[] = await this.dataSource.query(`SELECT kind FROM units WHERE id = $1`, [me.unitId]);
    if (!unit || !PROPOSING_KINDS.includes(unit.kind)) {
      throw new ForbiddenError('只有部机关司局、督察局和直属单位可以申报信息化项目');
    }
    return this.dataSource.transaction(async (m) => {
      const [row]: { id: string }[] = await m.query(
        `INSERT INTO projects (name, category, budget, start_year, end_year, content, is_government_affairs, unit_id, submitted_by, stage)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) RETURNING id`,
        [
          dto.name.trim(),
          dto.category,
          dto.budget,
          dto.startYear,
          dto.endYear,
          dto.content.trim(),
          dto.isGovernmentAffairs,
          me.unitId,
          me.userId,
          STAGES.leaderApproval,
        ],
      );
      const { id: instanceId } = await this.engine.startProcess(
        PROCESS_KEY,
        {
          businessKey: row.id,
          ownerUnitId: me.unitId,
          startedBy: me.userId,
          variables: {
            title: `信息化项目立项：${dto.name.trim()}`,
            projectId: row.id,
            submitter: me.userId,
            category: dto.category,
            budget: dto.budget,
            isGovernmentAffairs: dto.isGovernmentAffairs,
          },
        },
        m,
      );
      await m.query(`UPDATE projects SET instance_id = $2 WHERE id = $1`, [row.id, instanceId]);
      await this.recordHistory(m, row.id, me, { action: 'submit', to: '申报中' });
      return { id: row.id, instanceId };
    });
  }

  /** 修改申报: the submitter corrects a returned proposal and sends it to the leader again. */
  async correct(me: Principal, id: string, dto: CorrectProjectDto): Promise<{ ok: true }> {
    await this.dataSource.transaction(async (m) => {
      // The case row first, then the project: the same order as an inbox action on this case.
      const visible = await this.loadVisible(m, me, id);
      if (visible.instance_id) await this.engine.lockInstance(visible.instance_id, m);
      const project = await this.lockVisible(m, me, id);
      if (project.submitted_by !== me.userId) throw new ForbiddenError('只有申报人可以修改被退回的申报');
      const [task]: { id: string }[] = project.instance_id
        ? await m.query(`SELECT id FROM tasks WHERE instance_id = $1 AND activity_id = 'revise' AND status = 'open'`, [project.instance_id])
        : [];
      if (project.status !== '申报中' || !task) throw new ConflictError('PROJECT_NOT_RETURNED', '只有被退回修改的申报才能修改');
      checkYears(dto.startYear ?? project.start_year, dto.endYear ?? project.end_year);
      const next: Record<string, unknown> = {
        name: dto.name?.trim() ?? project.name,
        category: dto.category ?? project.category,
        budget: dto.budget ?? Number(project.budget),
        startYear: dto.startYear ?? project.start_year,
        endYear: dto.endYear ?? project.end_year,
        content: dto.content?.trim() ?? project.content,
        isGovernmentAffairs: dto.isGovernmentAffairs ?? project.is_government_affairs,
      };
      const before: Record<string, unknown> = {
        name: project.name,
        category: project.category,
        budget: Number(project.budget),
        startYear: project.start_year,
        endYear: project.end_year,
        content: project.content,
        isGovernmentAffairs: project.is_government_affairs,
      };
      const changes = Object.fromEntries(
        Object.keys(next)
          .filter((k) => next[k] !== before[k])
          .map((k) => [k, { from: before[k], to: next[k] }]),
      );
      await m.query(
        `UPDATE projects SET name = $2, category = $3, budget = $4, start_year = $5, end_year = $6, content = $7, is_government_affairs = $8,
                updated_at = now() WHERE id = $1`,
        [id, next.name, next.category, next.budget, next.startYear, next.endYear, next.content, next.isGovernmentAffairs],
      );
      const comment = dto.comment?.trim() || '已按意见修改，重新提交';
      await this.recordHistory(m, id, me, { action: 'correct', changes, reason: comment });
      await this.tasks.recordFeatureAction(m, task.id, me, 'approve', comment);
      await this.engine.completeTask(task.id, { userId: me.userId, outcome: 'approve', comment }, m);
    });
    return { ok: true };
  }

  /** After 立项: 在建 and 已建成, set by 信息办 or the implementing unit, each with a reason. */
  async changeStatus(me: Principal, id: string, dto: ChangeProjectStatusDto): Promise<{ ok: true }> {
    await this.dataSource.transaction(async (m) => {
      const project = await this.lockVisible(m, me, id);
      const units = await ledgerUnits(m);
      const isOffice = me.unitId === units.office && hasRole(me, 'office-reviewer');
      const isImplementer =
        project.implementing_unit_id === me.unitId && hasRole(me, 'dept-approver', 'signer', 'reviewer', 'drafter', 'data-admin');
      if (!isOffice && !isImplementer) throw new ForbiddenError('只有信息办或项目实施单位可以变更项目状态');
      const from: Record<string, ProjectStatus> = { 在建: '已立项', 已建成: '在建' };
      if (project.status !== from[dto.status]) {
        throw new ConflictError(
          'PROJECT_STATUS_INVALID',
          dto.status === '在建'
            ? `项目当前为“${project.status}”，只有已立项的项目才能开工建设（在建）`
            : `项目当前为“${project.status}”，只有在建项目才能改为已建成`,
        );
      }
      await m.query(`UPDATE projects SET status = $2, updated_at = now() WHERE id = $1`, [id, dto.status]);
      await this.recordHistory(m, id, me, { action: 'status', from: project.status, to: dto.status, reason: dto.reason.trim() });
    });
    return { ok: true };
  }

  async list(me: Principal, query: ListProjectsQuery) {
    const params: unknown[] = [];
    const where: string[] = [];
    const add = (sql: string, ...values: unknown[]) => {
      let text = sql;
      for (const value of values) {
        params.push(value);
        text = text.replace('?', `$${params.length}`);
      }
      where.push(text);
    };
    if (!(await seesWholeLedger(this.dataSource.manager, me))) {
      add(projectScopeSql({ project: 'p', unitPath: 'u.path' }, '?', '?'), `${escapeLike(me.unitPath)}%`, me.unitId);
    }
    if (query.status) add('p.status = ?', query.status);
    if (query.category) add('p.category = ?', query.category);
    if (query.unitId) {
      // The unit and the units below it, as submitter or as implementing unit.
      add(
        `(SELECT path FROM units WHERE id = ?::uuid) IN (left(u.path, length((SELECT path FROM units WHERE id = ?::uuid))), left(iu.path, length((SELECT path FROM units WHERE id = ?::uuid))))`,
        query.unitId,
        query.unitId,
        query.unitId,
      );
    }
    if (query.year !== undefined) add('p.start_year <= ? AND p.end_year >= ?', query.year, query.year);
    if (query.keyword) {
      const like = `%${escapeLike(query.keyword)}%`;
      add(`(p.name ILIKE ? ESCAPE '\\' OR p.content ILIKE ? ESCAPE '\\' OR p.project_no ILIKE ? ESCAPE '\\')`, like, like, like);
    }
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [items, total] = await Promise.all([
      this.dataSource.query(
        `SELECT ${SUMMARY} ${FROM} ${filter} ORDER BY p.created_at DESC, p.id LIMIT ${query.limit} OFFSET ${query.offset}`,
        params,
      ),
      this.dataSource.query(`SELECT count(*)::int AS n ${FROM} ${filter}`, params) as Promise<{ n: number }[]>,
    ]);
    return { items, total: total[0].n };
  }

  async get(me: Principal, id: string) {
    const m = this.dataSource.manager;
    const project = await this.loadVisible(m, me, id);
    const [summary] = await m.query(`SELECT ${SUMMARY}, p.content ${FROM} WHERE p.id = $1`, [id]);
    const [history, opinions, votes, openTasks] = await Promise.all([
      m.query(
        `SELECT h.action, h.from_status AS "fromStatus", h.to_status AS "toStatus", h.changes, h.reason, h.at,
                h.user_id AS "userId", us.display_name AS "userName", un.name AS "unitName"
           FROM project_history h LEFT JOIN users us ON us.id = h.user_id LEFT JOIN units un ON un.id = h.unit_id
          WHERE h.project_id = $1 ORDER BY h.id`,
        [id],
      ),
      m.query(
        `SELECT o.step, o.outcome, o.opinion, o.duplicates, o.at, o.user_id AS "userId", us.display_name AS "userName", un.name AS "unitName"
           FROM project_opinions o JOIN users us ON us.id = o.user_id LEFT JOIN units un ON un.id = o.unit_id
          WHERE o.project_id = $1 ORDER BY o.at, o.id`,
        [id],
      ),
      m.query(
        `SELECT v.vote, v.opinion, v.refer_to_secretary AS "referToSecretary", v.voted_at AS "votedAt", v.voter_id AS "voterId",
                us.display_name AS "voterName"
           FROM project_votes v JOIN users us ON us.id = v.voter_id WHERE v.project_id = $1 ORDER BY v.voted_at, v.id`,
        [id],
      ) as Promise<{ vote: string }[]>,
      project.instance_id
        ? m.query(
            `SELECT t.id, t.activity_id AS "activityId", t.name, t.assignee, t.due_at AS "dueAt"
               FROM tasks t WHERE t.instance_id = $1 AND t.status = 'open' ORDER BY t.created_at, t.id`,
            [project.instance_id],
          )
        : [],
    ]);
    const whole = await seesWholeLedger(m, me);
    const duplicates = (await this.findDuplicates(m, project)).filter(
      (d) => whole || d.unitPath.startsWith(me.unitPath) || d.implementingUnitId === me.unitId,
    );
    const [notice]: { id: string }[] = await m.query(
      `SELECT id FROM attachments WHERE owner_kind = 'project' AND owner_id = $1 AND is_generated AND deleted_at IS NULL
        ORDER BY uploaded_at DESC LIMIT 1`,
      [id],
    );
    return {
      ...summary,
      noticeAttachmentId: notice?.id ?? null,
      history,
      opinions,
      votes,
      tally: {
        approve: votes.filter((v) => v.vote === 'approve').length,
        reject: votes.filter((v) => v.vote === 'reject').length,
      },
      openTasks,
      possibleDuplicates: duplicates.map(({ unitPath: _path, implementingUnitId: _unit, ...d }) => d),
    };
  }

  /** Same category, and a similar name or content, anywhere in the ledger (withdrawn proposals aside). */
  async findDuplicates(
    m: EntityManager,
    project: Pick<ProjectRow, 'id' | 'category' | 'name' | 'content'>,
  ): Promise<(Duplicate & { unitPath: string; implementingUnitId: string | null })[]> {
    const rows: {
      id: string;
      project_no: string | null;
      name: string;
      content: string;
      status: string;
      unit_name: string;
      unit_path: string;
      implementing_unit_id: string | null;
    }[] = await m.query(
      `SELECT p.id, p.project_no, p.name, p.content, p.status, u.name AS unit_name, u.path AS unit_path, p.implementing_unit_id
         FROM projects p JOIN units u ON u.id = p.unit_id
        WHERE p.category = $1 AND p.id <> $2 AND p.status <> '已撤回'`,
      [project.category, project.id],
    );
    const round = (x: number) => Math.round(x * 100) / 100;
    return rows
      .map((r) => ({
        id: r.id,
        projectNo: r.project_no,
        name: r.name,
        status: r.status,
        unitName: r.unit_name,
        unitPath: r.unit_path,
        implementingUnitId: r.implementing_unit_id,
        nameSimilarity: round(similarity(project.name, r.name)),
        contentSimilarity: round(similarity(project.content, r.content)),
      }))
      .filter((d) => d.nameSimilarity >= NAME_THRESHOLD || d.contentSimilarity >= CONTENT_THRESHOLD)
      .sort((a, b) => Math.max(b.nameSimilarity, b.contentSimilarity) - Math.max(a.nameSimilarity, a.contentSimilarity))
      .slice(0, 10);
  }

  // ---- the process listener -------------------------------------------------------------------

  private async onTaskCompleting(e: TaskCompletingEvent): Promise<Record<string, unknown>> {
    const project = await this.lockByCase(e.tx, e.businessKey);
    const done = { lastOpinion: e.comment?.trim() || null };
    switch (e.activityId) {
      case 'leaderApproval':
      case 'revise':
        await this.recordOpinion(e, project, e.activityId === 'leaderApproval' ? 'leader' : 'revise');
        return done;
      case 'officeReview':
        return { ...done, ...(await this.officeReviewed(e, project)) };
      case 'vote':
        return { ...done, ...(await this.voted(e, project)) };
      case 'secretaryDecision':
        requireOpinion(e, '请记录领导小组集体决定的内容');
        await this.recordOpinion(e, project, 'secretary');
        return done;
      default:
        return done;
    }
  }

  /** 信息办's opinion, recorded with the possible duplicates it saw; the group's members become the voters. */
  private async officeReviewed(e: TaskCompletingEvent, project: ProjectRow): Promise<Record<string, unknown>> {
    requireOpinion(e, '请填写信息办审查意见');
    const duplicates = (await this.findDuplicates(e.tx, project)).map(({ unitPath: _p, implementingUnitId: _i, ...d }) => d);
    await this.recordOpinion(e, project, 'office', duplicates);
    if (e.outcome === 'return') return {};
    const group = await leadingGroupVoters(e.tx);
    // The task page offers the referral only to the chair; the vote itself checks again (voted()).
    return {
      voters: group.voters,
      ...(group.chair ? { groupChair: group.chair } : {}),
      officeRecommendation: e.outcome === 'approve' ? '建议立项' : '建议不予立项',
      duplicateCount: duplicates.length,
    };
  }

  /** One member's vote; the tally after it decides the gateway once everyone has voted. */
  private async voted(e: TaskCompletingEvent, project: ProjectRow): Promise<Record<string, unknown>> {
    const vote = checkVote(e.variables.voters, e.userId, e.outcome);
    const refer = e.input.referToSecretary === true;
    if (refer) await requireGroupChair(e.tx, e.userId);
    await e.tx.query(
      `INSERT INTO project_votes (project_id, instance_id, task_id, voter_id, vote, opinion, refer_to_secretary) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
      [project.id, e.instanceId, e.taskId, e.userId, vote, e.comment?.trim() || null, refer],
    );
    const [tally]: { approve: number; reject: number; cast: number; referred: boolean }[] = await e.tx.query(
      `SELECT count(*) FILTER (WHERE vote = 'approve')::int AS approve, count(*) FILTER (WHERE vote = 'reject')::int AS reject,
              count(*)::int AS cast, bool_or(refer_to_secretary) AS referred
         FROM project_votes WHERE instance_id = $1`,
      [e.instanceId],
    );
    return {
      votesApprove: tally.approve,
      votesReject: tally.reject,
      votesCast: tally.cast,
      voteResult: voteResult((e.variables.voters as string[]).length, tally),
    };
  }

  private async onCaseStepped(e: CaseSteppedEvent): Promise<void> {
    const project = await this.lockByCase(e.tx, e.businessKey);
    const actor = e.userId && /^[0-9a-f-]{36}$/i.test(e.userId) ? e.userId : null;
    if (e.status === 'running') {
      const created = e.createdTasks.at(-1);
      if (created && STAGES[created.activityId]) {
        await e.tx.query(`UPDATE projects SET stage = $2, updated_at = now() WHERE id = $1`, [project.id, STAGES[created.activityId]]);
      }
      if (e.createdTasks.some((t) => t.activityId === 'revise')) {
        await this.notify(e.tx, 'project.returned', project, `您申报的信息化项目“${project.name}”被退回修改`, e.after.lastOpinion);
      }
      return;
    }
    const ended = e.endedActivities;
    if (e.status === 'completed' && ended.some((a) => APPROVED_ENDS.includes(a))) {
      await this.approve(e.tx, project, decisionText(e, true), actor);
    } else if (e.status === 'completed' && ended.includes('withdrawn')) {
      await this.close(e.tx, project, '已撤回', '申报人撤回申报', actor);
    } else if (e.status === 'completed' && ended.some((a) => REJECTED_ENDS.includes(a))) {
      await this.close(e.tx, project, '不予立项', decisionText(e, false), actor);
    } else {
      await this.close(
        e.tx,
        project,
        '不予立项',
        `流程已终止${typeof e.after.lastOpinion === 'string' ? `：${e.after.lastOpinion}` : ''}`,
        actor,
      );
    }
  }

  /** 已立项: the next number of the year (gap-free: the counter row is part of this transaction) and the implementing unit. */
  private async approve(m: EntityManager, project: ProjectRow, decision: string, userId: string | null): Promise<void> {
    const [{ year }]: { year: number }[] = await m.query(`SELECT extract(year FROM now() AT TIME ZONE 'Asia/Shanghai')::int AS year`);
    const [{ value }]: { value: number }[] = await m.query(
      `INSERT INTO project_counters (year, value) VALUES ($1, 1)
       ON CONFLICT (year) DO UPDATE SET value = project_counters.value + 1 RETURNING value`,
      [year],
    );
    const projectNo = `XXH-${year}-${String(value).padStart(3, '0')}`;
    // Seed rule: 政务管理类项目由信息中心负责实施.
    const implementing = project.is_government_affairs ? (await ledgerUnits(m)).center : project.unit_id;
    await m.query(
      `UPDATE projects SET status = '已立项', project_no = $2, implementing_unit_id = $3, stage = NULL, decision = $4, decided_at = now(),
              updated_at = now() WHERE id = $1`,
      [project.id, projectNo, implementing, decision],
    );
    await m.query(
      `INSERT INTO project_history (project_id, action, from_status, to_status, changes, reason, user_id) VALUES ($1,'decide',$2,'已立项',$3,$4,$5)`,
      [project.id, project.status, JSON.stringify({ projectNo, implementingUnitId: implementing }), decision, userId],
    );
    await this.notify(
      m,
      'project.approved',
      { ...project, implementing_unit_id: implementing },
      `信息化项目“${project.name}”已立项（${projectNo}）`,
      decision,
    );
    await this.storeNotice(m, project.id, userId ?? project.submitted_by);
  }

  /**
   * 立项通知 PDF, made in the deciding transaction: if it cannot be made the decision rolls back
   * (项目编号 included), so an 已立项 project always has its notice.
   */
  private async storeNotice(m: EntityManager, projectId: string, uploadedBy: string): Promise<void> {
    const [p]: {
      project_no: string;
      name: string;
      category: string;
      budget: string;
      start_year: number;
      end_year: number;
      decision: string;
      decided_at: Date;
      unit_name: string;
      implementing_name: string | null;
    }[] = await m.query(
      `SELECT p.project_no, p.name, p.category, p.budget::text AS budget, p.start_year, p.end_year, p.decision, p.decided_at,
              u.name AS unit_name, iu.name AS implementing_name
         FROM projects p JOIN units u ON u.id = p.unit_id LEFT JOIN units iu ON iu.id = p.implementing_unit_id WHERE p.id = $1`,
      [projectId],
    );
    const units = await ledgerUnits(m);
    const [office]: { name: string }[] = await m.query(`SELECT name FROM units WHERE id = $1`, [units.office]);
    const decidedAt = p.decided_at.toISOString();
    const notice: ProjectApprovalNotice = {
      projectNumber: p.project_no,
      name: p.name,
      category: p.category,
      submittingUnit: p.unit_name,
      implementingUnit: p.implementing_name ?? p.unit_name,
      budget: `${formatBudget(p.budget)} 万元`,
      period: p.start_year === p.end_year ? `${p.start_year}年` : `${p.start_year}—${p.end_year}年`,
      decision: p.decision,
      decidedAt,
      issuer: office.name,
      metadata: {
        title: `信息化项目立项通知（${p.project_no}）`,
        author: office.name,
        subject: p.name,
        keywords: ['立项通知', p.category, p.project_no],
        createdAt: decidedAt,
      },
    };
    const content = await this.renderNotice(notice);
    await this.attachments.storeGenerated(m, {
      ownerKind: 'project',
      ownerId: projectId,
      name: `立项通知-${p.project_no}.pdf`,
      content,
      uploadedBy,
      unitId: units.office,
    });
  }

  /** The layout call: a failure becomes an answer a person can act on, and the command rolls back. */
  private async renderNotice(notice: ProjectApprovalNotice): Promise<Buffer> {
    try {
      return await renderProjectApprovalNotice(notice);
    } catch (error) {
      // The cause goes to the log, not to the person: it may name files and fonts of the server.
      this.logger.error({ err: error, projectNumber: notice.projectNumber }, 'project approval notice rendering failed');
      throw new AppError(
        'PDF_RENDER_FAILED',
        '立项通知 PDF 生成失败，本次立项决定未生效，请稍后重试或联系系统管理员',
        HttpStatus.INTERNAL_SERVER_ERROR,
      );
    }
  }

  private async close(
    m: EntityManager,
    project: ProjectRow,
    status: ProjectStatus,
    decision: string,
    userId: string | null,
  ): Promise<void> {
    await m.query(`UPDATE projects SET status = $2, stage = NULL, decision = $3, decided_at = now(), updated_at = now() WHERE id = $1`, [
      project.id,
      status,
      decision,
    ]);
    await m.query(
      `INSERT INTO project_history (project_id, action, from_status, to_status, reason, user_id) VALUES ($1,'decide',$2,$3,$4,$5)`,
      [project.id, project.status, status, decision, userId],
    );
    if (status === '不予立项') {
      await this.notify(m, 'project.rejected', project, `您申报的信息化项目“${project.name}”不予立项`, decision);
    }
  }

  private async notify(m: EntityManager, topic: string, project: ProjectRow, subject: string, reason: unknown): Promise<void> {
    await m.query(`INSERT INTO outbox (topic, payload) VALUES ($1, $2)`, [
      topic,
      JSON.stringify({
        to: [project.submitted_by],
        unitIds: [...new Set([project.unit_id, project.implementing_unit_id].filter(Boolean))],
        projectId: project.id,
        subject,
        reason: typeof reason === 'string' ? reason : null,
      }),
    ]);
  }

  private async recordOpinion(e: TaskCompletingEvent, project: ProjectRow, step: string, duplicates?: Duplicate[]): Promise<void> {
    const [user]: { unit_id: string }[] = await e.tx.query(`SELECT unit_id FROM users WHERE id = $1`, [e.userId]);
    await e.tx.query(
      `INSERT INTO project_opinions (project_id, instance_id, task_id, step, outcome, opinion, duplicates, user_id, unit_id)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`,
      [
        project.id,
        e.instanceId,
        e.taskId,
        step,
        e.outcome ?? 'approve',
        e.comment?.trim() || null,
        duplicates ? JSON.stringify(duplicates) : null,
        e.userId,
        user?.unit_id ?? null,
      ],
    );
  }

  private async recordHistory(
    m: EntityManager,
    projectId: string,
    me: Principal,
    entry: { action: string; from?: string; to?: string; changes?: unknown; reason?: string },
  ): Promise<void> {
    await m.query(
      `INSERT INTO project_history (project_id, action, from_status, to_status, changes, reason, user_id, unit_id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
      [
        projectId,
        entry.action,
        entry.from ?? null,
        entry.to ?? null,
        entry.changes ? JSON.stringify(entry.changes) : null,
        entry.reason ?? null,
        me.userId,
        me.unitId,
      ],
    );
  }

  private async lockByCase(m: EntityManager, businessKey: string | null): Promise<ProjectRow> {
    const rows = businessKey ? await this.select(m, businessKey, true) : [];
    if (!rows[0]) throw new AppError('PROJECT_MISSING', '该立项流程没有对应的项目申报', HttpStatus.UNPROCESSABLE_ENTITY);
    return rows[0];
  }

  private async lockVisible(m: EntityManager, me: Principal, id: string): Promise<ProjectRow> {
    await this.loadVisible(m, me, id);
    return (await this.select(m, id, true))[0];
  }

  private async loadVisible(m: EntityManager, me: Principal, id: string): Promise<ProjectRow> {
    const [project] = /^[0-9a-f-]{36}$/i.test(id) ? await this.select(m, id, false) : [];
    if (!project) throw new NotFoundError('项目');
    const visible =
      project.unit_path.startsWith(me.unitPath) || project.implementing_unit_id === me.unitId || (await seesWholeLedger(m, me));
    if (!visible) throw new NotFoundError('项目');
    return project;
  }

  private select(m: EntityManager, id: string, lock: boolean): Promise<ProjectRow[]> {
    return m.query(
      `SELECT p.*, u.path AS unit_path FROM projects p JOIN units u ON u.id = p.unit_id WHERE p.id = $1${lock ? ' FOR UPDATE OF p' : ''}`,
      [id],
    );
  }
}

function checkYears(startYear: number, endYear: number): void {
  const thisYear = Number(new Intl.DateTimeFormat('en', { year: 'numeric', timeZone: 'Asia/Shanghai' }).format(new Date()));
  const fail = (field: string, message: string) => {
    throw new AppError('VALIDATION_FAILED', message, HttpStatus.BAD_REQUEST, [{ field, message }]);
  };
  if (startYear < thisYear - 1) fail('startYear', `起始年度不能早于 ${thisYear - 1} 年（新申报项目）`);
  if (startYear > thisYear + 5) fail('startYear', `起始年度不能晚于 ${thisYear + 5} 年`);
  if (endYear < startYear) fail('endYear', '结束年度不能早于起始年度');
  if (endYear - startYear > 10) fail('endYear', '建设期不能超过 10 年');
}

/** 120.50 → 120.5, 3800.00 → 3,800 (numeric comes back from PostgreSQL as text). */
function formatBudget(budget: string): string {
  return Number(budget).toLocaleString('zh-CN', { maximumFractionDigits: 2 });
}

function requireOpinion(e: TaskCompletingEvent, message: string): void {
  if (e.comment?.trim()) return;
  throw new AppError('OPINION_REQUIRED', message, HttpStatus.BAD_REQUEST, [{ field: 'comment', message: '必填' }]);
}

function decisionText(e: CaseSteppedEvent, approved: boolean): string {
  const v = e.after;
  const opinion = typeof v.lastOpinion === 'string' ? v.lastOpinion : '';
  if (e.endedActivities.includes('leaderRejected')) return `单位领导不同意申报${opinion ? `：${opinion}` : ''}`;
  if (e.endedActivities.some((a) => a.endsWith('Collectively'))) {
    return `领导小组集体决定${approved ? '立项' : '不予立项'}（表决：同意 ${String(v.votesApprove)} 票，不同意 ${String(v.votesReject)} 票）${opinion ? `：${opinion}` : ''}`;
  }
  return `领导小组表决${approved ? '通过' : '未通过'}：同意 ${String(v.votesApprove)} 票，不同意 ${String(v.votesReject)} 票`;
}

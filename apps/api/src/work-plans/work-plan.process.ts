import { HttpStatus, Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ENGINE_PORT, type CaseSteppedEvent, type EnginePort, type TaskCompletingEvent } from '../engine/engine.port';
import { checkVote, leadingGroupVoters, requireGroupChair, voteResult } from '../org/leading-group';
import { AppError } from '../platform/errors';
import { SupervisionService } from '../supervision/supervision.service';
import { WorkPlansRepository, type PlanRow } from './work-plans.repository';

export const PROCESS_KEY = 'work-plan';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function field(name: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', message, HttpStatus.BAD_REQUEST, [{ field: name, message }]);
}

/**
 * The plan's case (work-plan.bpmn) kept in step with the plan, inside each engine command's transaction: the
 * group's votes and their tally, 集体决定, 退回修改 and resubmission, approval (each item becomes a 督办 item) and
 * the 组长's review of the 年度评估.
 */
@Injectable()
export class WorkPlanProcess implements OnModuleInit {
  constructor(
    private readonly repo: WorkPlansRepository,
    @Inject(ENGINE_PORT) private readonly engine: EnginePort,
    private readonly supervision: SupervisionService,
  ) {}

  onModuleInit(): void {
    this.engine.listen(PROCESS_KEY, {
      taskCompleting: (e) => this.onTaskCompleting(e),
      caseStepped: (e) => this.onCaseStepped(e),
    });
  }

  /** The leading group's active members vote; the 年度评估 is reported to the 组长 (else the first member). */
  async voters(m: EntityManager): Promise<{ voters: string[]; groupChair: string }> {
    const group = await leadingGroupVoters(m);
    return { voters: group.voters, groupChair: group.chair ?? group.voters[0] };
  }

  private async lockByCase(m: EntityManager, businessKey: string | null): Promise<PlanRow> {
    const plan = businessKey && UUID.test(businessKey) ? await this.repo.plan(businessKey, m, true) : undefined;
    if (!plan) throw new AppError('WORK_PLAN_MISSING', '该审议流程没有对应的工作要点', HttpStatus.UNPROCESSABLE_ENTITY);
    return plan;
  }

  private async onTaskCompleting(e: TaskCompletingEvent): Promise<Record<string, unknown>> {
    const plan = await this.lockByCase(e.tx, e.businessKey);
    const done = { lastOpinion: e.comment?.trim() || null };
    switch (e.activityId) {
      case 'vote':
        return { ...done, ...(await this.voted(e, plan)) };
      case 'secretaryDecision':
        if (!e.comment?.trim()) throw field('comment', '请记录领导小组集体决定的内容');
        await this.repo.addHistory(
          e.tx,
          plan.id,
          e.outcome === 'approve' ? 'collective-approve' : 'collective-return',
          e.comment.trim(),
          e.userId,
        );
        return done;
      case 'revise':
        await this.repo.addHistory(e.tx, plan.id, e.outcome === 'approve' ? 'resubmit' : 'withdraw', done.lastOpinion, e.userId);
        // A new round: the members vote afresh on the revised plan.
        return e.outcome === 'approve' ? { ...done, round: Number(e.variables.round ?? 1) + 1, ...(await this.voters(e.tx)) } : done;
      default:
        return done;
    }
  }

  private async voted(e: TaskCompletingEvent, plan: PlanRow): Promise<Record<string, unknown>> {
    const vote = checkVote(e.variables.voters, e.userId, e.outcome);
    const refer = e.input.referToSecretary === true;
    if (refer) await requireGroupChair(e.tx, e.userId);
    const round = Number(e.variables.round ?? 1);
    await this.repo.insertVote(e.tx, {
      planId: plan.id,
      instanceId: e.instanceId,
      round,
      taskId: e.taskId,
      voterId: e.userId,
      vote,
      opinion: e.comment?.trim() || null,
      refer,
    });
    const tally = await this.repo.tally(e.tx, e.instanceId, round);
    return {
      votesApprove: tally.approve,
      votesReject: tally.reject,
      votesCast: tally.cast,
      voteResult: voteResult((e.variables.voters as string[]).length, tally),
    };
  }

  private async onCaseStepped(e: CaseSteppedEvent): Promise<void> {
    const plan = await this.lockByCase(e.tx, e.businessKey);
    const actor = e.userId && UUID.test(e.userId) ? e.userId : null;
    const link = `/work-plans/${plan.id}`;
    if (e.endedActivities.includes('approved')) {
      await this.approve(e, plan);
      return;
    }
    if (e.createdTasks.some((t) => t.activityId === 'revise')) {
      await this.repo.setStatus(e.tx, plan.id, '退回修改', {
        decision: `领导小组审议未通过，退回修改${typeof e.after.lastOpinion === 'string' ? `：${e.after.lastOpinion}` : ''}`,
      });
      await this.repo.outbox(e.tx, 'work-plan.returned', {
        to: [plan.drafted_by],
        subject: `${plan.year}年度信息化工作要点被退回修改`,
        link,
      });
      return;
    }
    if (e.createdTasks.some((t) => t.activityId === 'vote') && plan.status === '退回修改') {
      await this.repo.setStatus(e.tx, plan.id, '审议中');
      return;
    }
    if (e.status === 'completed' && e.endedActivities.includes('evaluated')) {
      const text = typeof e.after.lastOpinion === 'string' ? e.after.lastOpinion : null;
      await this.repo.acknowledge(e.tx, plan.id, actor, text);
      await this.repo.addHistory(e.tx, plan.id, 'acknowledge', text, actor);
      await this.repo.outbox(e.tx, 'work-plan.acknowledged', {
        to: [plan.drafted_by],
        subject: `${plan.year}年度信息化工作年度评估已经领导小组审阅，请拟制通报`,
        link,
      });
      return;
    }
    if (e.status === 'completed' || e.status === 'terminated') {
      if (['审议中', '退回修改'].includes(plan.status)) await this.repo.setStatus(e.tx, plan.id, '已撤回');
    }
  }

  /** 审议通过: every item becomes a 督办 item of its unit, kept by the plan's drafter in 信息办. */
  private async approve(e: CaseSteppedEvent, plan: PlanRow): Promise<void> {
    const v = e.after;
    const collective = e.endedActivities.includes('collectiveDecision');
    const decision = collective
      ? `领导小组集体决定通过${typeof v.lastOpinion === 'string' ? `：${v.lastOpinion}` : ''}`
      : `领导小组审议通过：同意 ${String(v.votesApprove)} 票，不同意 ${String(v.votesReject)} 票`;
    await this.repo.setStatus(e.tx, plan.id, '执行中', { decision });
    for (const item of await this.repo.items(plan.id, e.tx)) {
      const { id } = await this.supervision.createForSource(e.tx, {
        sourceKind: 'work-plan-item',
        sourceId: item.id,
        title: `${plan.year}年信息化工作要点（${item.seq}）：${item.title}`,
        opinion: `按${plan.year}年度信息化工作要点督办，请按期完成并定期报送进展。工作措施：${item.measures}`,
        unitId: item.unit_id,
        createdBy: plan.drafted_by,
        creatorUnitId: plan.unit_id,
        deadline: item.deadline,
      });
      await this.repo.linkSupervision(e.tx, item.id, id);
    }
    await this.repo.addHistory(e.tx, plan.id, 'approve', decision, null);
    await this.repo.outbox(e.tx, 'work-plan.approved', {
      to: [plan.drafted_by],
      subject: `${plan.year}年度信息化工作要点已经领导小组审议通过，各项要点已转督办`,
      link: `/work-plans/${plan.id}`,
    });
  }
}

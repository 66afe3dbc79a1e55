import type { DemoContext } from '../seed/demo-cases';
import type { SupervisionService } from '../supervision/supervision.service';
import type { TasksService } from '../tasks/tasks.service';
import type { WorkPlansService } from './work-plans.service';

const VOTERS = ['wangjianguo', 'liuhaiyan', 'sunzhiqiang', 'zhangwei', 'hejun'];

/**
 * This year's 工作要点, approved by the group's vote and running as 督办: one item done and confirmed, one reported
 * 办结 awaiting 信息办, items with monthly progress, and items whose deadline has passed (overdue, escalated by the
 * supervision scanner on its next round). Next year's plan waits as a draft. All through the services a person uses.
 */
export async function seedWorkPlanDemo(
  ctx: DemoContext,
  plans: WorkPlansService,
  tasks: TasksService,
  supervision: SupervisionService,
): Promise<void> {
  const year = Number(new Intl.DateTimeFormat('en', { year: 'numeric', timeZone: 'Asia/Shanghai' }).format(new Date()));
  const units: Record<string, string> = {};
  for (const row of (await ctx.dataSource.query(`SELECT id, code FROM units`)) as { id: string; code: string }[]) units[row.code] = row.id;
  const office = await ctx.as('zhoumin');
  const { id } = await plans.create(office, {
    year,
    title: `国土资源部${year}年信息化工作要点`,
    intro: `${year}年信息化工作以统筹为主线，推进政务办公平台、一张图和数据共享建设，落实自主、安全可控要求。`,
    items: [
      {
        title: '信息系统国产密码应用改造',
        measures: '对部机关在用信息系统开展密评，按SM2/SM3/SM4完成改造。',
        unitId: units['MLR-KJS'],
        deadline: `${year}-12-15`,
      },
      {
        title: '国土空间规划一张图数据更新',
        measures: '按季度更新规划数据，向各省厅提供在线查询服务。',
        unitId: units['MLR-GHS'],
        deadline: `${year}-12-31`,
        cadence: 'quarterly',
      },
      {
        title: '耕地保护监管系统与督察系统数据共享',
        measures: '制定共享目录和接口规范，实现耕地保护数据向督察局按需共享。',
        unitId: units['MLR-GBS'],
        deadline: `${year}-12-20`,
      },
      {
        title: '政务办公平台在部机关全面上线',
        measures: '完成公文交换、督办、项目立项等流程的上线和培训，部机关各司局全部使用平台办文。',
        unitId: units['MLR-XXZX'],
        deadline: `${year}-10-31`,
      },
      {
        title: '地质资料数据共享服务目录发布',
        measures: '发布地质资料数据共享目录，提供机器可读的目录服务。',
        unitId: units['MLR-CGS'],
        deadline: `${year}-12-31`,
      },
    ],
  });
  const { instanceId } = await plans.submit(office, id);
  for (const who of VOTERS) {
    const me = await ctx.as(who);
    const rows: { id: string }[] = await ctx.dataSource.query(
      `SELECT id FROM tasks WHERE instance_id = $1 AND status = 'open' AND assignee = $2 LIMIT 1`,
      [instanceId, me.userId],
    );
    await tasks.act(me, rows[0].id, { action: 'approve', comment: '同意' });
  }
  const plan = await plans.get(office, id);
  const item = (seq: number) => plan.items.find((i) => i.seq === seq)!;
  const progress = async (who: string, seq: number, percent: number, note: string) =>
    plans.reportProgress(await ctx.as(who), item(seq).id, { percent, note });

  // 1: reported by 科技司 and confirmed by 信息办 (按期完成 when before 12-15).
  await progress('zhouqi', 1, 100, '已完成全部在用系统的密评和改造。');
  await supervision.report(await ctx.as('zhouqi'), item(1).supervisionItemId!, { note: '改造完成，密评报告已报信息办。' });
  await supervision.close(office, item(1).supervisionItemId!);
  // 2: quarterly progress.
  await progress('zhangwei', 2, 75, '前三季度数据已更新，第四季度更新正在进行。');
  // 3: reported 办结, awaiting 信息办's confirmation.
  await progress('wufang', 3, 100, '共享目录和接口规范已印发，数据已按需共享。');
  await supervision.report(await ctx.as('wufang'), item(3).supervisionItemId!, { note: '已完成数据共享，请信息办确认。' });
  // 4: behind its deadline (the supervision scanner escalates it); 5: in progress.
  await progress('huangli', 4, 60, '已有8个司局使用平台办文，其余司局培训进行中。');
  await progress('xutao', 5, 40, '目录初稿已形成，正在征求意见。');

  // Next year's plan, a draft for 信息办 to edit.
  await plans.create(office, {
    year: year + 1,
    title: `国土资源部${year + 1}年信息化工作要点（草稿）`,
    intro: '',
    items: [
      {
        title: '政务办公平台向省厅延伸',
        measures: '在江苏、浙江两省厅试点平台延伸部署。',
        unitId: units['MLR-XXZX'],
        deadline: `${year + 1}-12-31`,
      },
    ],
  });
}

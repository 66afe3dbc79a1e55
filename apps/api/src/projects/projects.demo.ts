import type { DemoContext } from '../seed/demo-cases';
import type { TasksService } from '../tasks/tasks.service';
import type { DeployedSystemsService } from './deployed-systems.service';
import type { SubmitProjectDto } from './projects.dto';
import type { ProjectsService } from './projects.service';

const VOTERS = ['wangjianguo', 'liuhaiyan', 'sunzhiqiang', 'zhangwei', 'hejun'];

/**
 * Demo proposals in every state of the case and the ledger, made through the same services and
 * inbox operations a person uses: awaiting the leader, returned, awaiting 信息办 with a likely
 * duplicate, in voting, 已立项 (政务管理 → 信息中心), 不予立项, 在建; and some deployed systems.
 */
export async function seedProjectDemo(
  ctx: DemoContext,
  projects: ProjectsService,
  tasks: TasksService,
  systems: DeployedSystemsService,
): Promise<void> {
  const year = Number(new Intl.DateTimeFormat('en', { year: 'numeric', timeZone: 'Asia/Shanghai' }).format(new Date()));
  const submit = async (who: string, dto: Omit<SubmitProjectDto, 'startYear' | 'endYear'>, years = 1) =>
    (await projects.submit(await ctx.as(who), { ...dto, startYear: year, endYear: year + years })).instanceId;
  const act = async (instanceId: string, who: string, action: 'approve' | 'return' | 'reject', comment?: string, activity?: string) => {
    const me = await ctx.as(who);
    const rows: { id: string }[] = await ctx.dataSource.query(
      `SELECT id FROM tasks WHERE instance_id = $1 AND status = 'open' AND (assignee IS NULL OR assignee = $2) ${activity ? 'AND activity_id = $3' : ''}
        ORDER BY created_at LIMIT 1`,
      activity ? [instanceId, me.userId, activity] : [instanceId, me.userId],
    );
    if (!rows[0]) throw new Error(`no task of ${who} in case ${instanceId}`);
    await tasks.act(me, rows[0].id, { action, comment });
  };
  const toGroup = async (instanceId: string, leader: string, opinion: string) => {
    await act(instanceId, leader, 'approve', '同意申报');
    await act(instanceId, 'chenjing', 'approve', opinion);
  };
  const voteAll = async (instanceId: string, votes: ('approve' | 'reject')[]) => {
    for (const [i, who] of VOTERS.entries()) {
      await act(instanceId, who, votes[i], votes[i] === 'approve' ? '同意立项' : '建议暂缓，与现有系统功能重叠');
    }
  };

  // 已立项, 政务管理类: 信息中心 implements it.
  const officeSystem = await submit('lina', {
    name: '部机关电子公文交换系统运行维护',
    category: '系统开发和运行维护',
    budget: 180,
    content: '保障部机关与各省厅、督察局、直属单位之间电子公文交换系统的稳定运行，完成国密改造和运行维护。',
    isGovernmentAffairs: true,
  });
  await toGroup(officeSystem, 'zhangwei', '属于政务管理类项目，建议立项，由信息中心负责实施。');
  await voteAll(officeSystem, ['approve', 'approve', 'approve', 'approve', 'approve']);

  // 在建: approved, then started by 信息办.
  const sharing = await submit(
    'xutao',
    {
      name: '地质资料数据共享服务系统',
      category: '数据共享服务',
      budget: 650,
      content: '建设全国地质资料数据共享服务系统，按照事权向部机关、省厅和社会公众提供地质资料目录与数据服务。',
      isGovernmentAffairs: false,
    },
    2,
  );
  await toGroup(sharing, 'wangbo', '符合部信息化规划，建议立项。');
  await voteAll(sharing, ['approve', 'approve', 'approve', 'reject', 'approve']);
  const [started] = (await ctx.dataSource.query(`SELECT id FROM projects WHERE instance_id = $1`, [sharing])) as { id: string }[];
  await projects.changeStatus(await ctx.as('chenjing'), started.id, { status: '在建', reason: '已完成招标，合同已签订，项目开工建设' });

  // 不予立项 by the group's majority.
  const website = await submit('gaoyuan', {
    name: '科技成果展示网站改版',
    category: '系统开发和运行维护',
    budget: 95,
    content: '对科技成果展示网站进行改版升级，增加成果检索和在线展示功能。',
    isGovernmentAffairs: false,
  });
  await toGroup(website, 'zhouqi', '功能与部门户网站重叠，建议不予立项。');
  await voteAll(website, ['reject', 'reject', 'reject', 'approve', 'reject']);

  // In voting: two of five members have voted.
  const farmland = await submit('maqiang', {
    name: '耕地保护监测监管系统建设',
    category: '系统开发和运行维护',
    budget: 420,
    content: '建设耕地保护动态监测监管系统，汇聚卫片执法、永久基本农田和耕地占补平衡数据，实现在线监管。',
    isGovernmentAffairs: false,
  });
  await toGroup(farmland, 'wufang', '建议立项，注意与一张图数据的衔接。');
  await act(farmland, 'wangjianguo', 'approve', '同意');
  await act(farmland, 'liuhaiyan', 'approve', '同意');

  // Awaiting 信息办, with a likely duplicate of the 在建 project above.
  const duplicate = await submit('xutao', {
    name: '地质资料数据共享服务平台建设',
    category: '数据共享服务',
    budget: 300,
    content: '建设地质资料数据共享服务平台，向部机关、省厅和社会公众提供地质资料目录与数据服务。',
    isGovernmentAffairs: false,
  });
  await act(duplicate, 'wangbo', 'approve', '同意申报');

  // Returned by 信息办 to the submitter.
  const network = await submit('luoping', {
    name: '北京局土地督察业务网络改造',
    category: '网络建设',
    budget: 60,
    content: '改造北京局与部机关之间的业务专网链路，提升带宽并完成等级保护测评整改。',
    isGovernmentAffairs: false,
  });
  await act(network, 'lijun', 'approve', '同意申报');
  await act(network, 'chenjing', 'return', '请补充现有链路的带宽使用情况和等级保护测评报告。');

  // Awaiting the department leader.
  await submit('lina', {
    name: '国土空间规划数据库升级改造',
    category: '数据采集及建库',
    budget: 260,
    content: '对国土空间规划数据库进行升级改造，完成规划成果数据入库、质检和更新机制建设。',
    isGovernmentAffairs: false,
  });

  const keeper = await ctx.as('huangli');
  const unit = async (code: string) =>
    ((await ctx.dataSource.query(`SELECT id FROM units WHERE code = $1`, [code])) as { id: string }[])[0].id;
  const [approved] = (await ctx.dataSource.query(`SELECT id FROM projects WHERE instance_id = $1`, [officeSystem])) as { id: string }[];
  await systems.create(keeper, {
    name: '电子公文交换系统',
    projectId: approved.id,
    unitId: await unit('MLR-XXZX'),
    level: '部级',
    version: 'V3.2',
    goLiveDate: `${year - 3}-06-30`,
    description: '部机关与省厅、督察局、直属单位之间的公文交换。',
  });
  await systems.create(keeper, {
    name: '国土资源一张图综合监管平台',
    unitId: await unit('320000'),
    level: '省级',
    version: 'V2.0',
    goLiveDate: `${year - 2}-03-15`,
  });
  await systems.create(keeper, {
    name: '不动产登记信息管理系统',
    unitId: await unit('320100'),
    level: '市级',
    version: 'V1.5',
    goLiveDate: `${year - 2}-09-01`,
  });
  const old = await systems.create(keeper, {
    name: '建设用地审批系统（旧版）',
    unitId: await unit('320102'),
    level: '县级',
    version: 'V1.0',
    goLiveDate: `${year - 6}-01-10`,
  });
  await systems.update(keeper, old.id, { status: '停用', reason: '已由省级三级联网审批系统替代' });
}

import type { DemoContext } from '../seed/demo-cases';
import type { TaskActionDto } from '../tasks/tasks.dto';
import type { TasksService } from '../tasks/tasks.service';
import type { AcceptApprovalDto } from './approvals.dto';
import type { ApprovalsService } from './approvals.service';

/**
 * 三级联网审批 cases of 江苏 and 浙江 in the states a user meets: at county review, back at city
 * review after a return, at the province and overdue, approved, and refused.
 */
export async function seedApprovalDemo(ctx: DemoContext, approvals: ApprovalsService, tasks: TasksService): Promise<void> {
  const act = async (username: string, instanceId: string, activityId: string, dto: TaskActionDto) => {
    const rows: { id: string }[] = await ctx.dataSource.query(
      `SELECT id FROM tasks WHERE instance_id = $1 AND activity_id = $2 AND status = 'open' ORDER BY created_at LIMIT 1`,
      [instanceId, activityId],
    );
    if (!rows[0]) throw new Error(`demo: no open ${activityId} task in ${instanceId}`);
    await tasks.act(await ctx.as(username), rows[0].id, dto);
  };
  const accept = async (username: string, dto: Partial<AcceptApprovalDto> & Pick<AcceptApprovalDto, 'title'>) =>
    approvals.accept(await ctx.as(username), {
      matterType: '建设用地报批',
      applicant: '南京市玄武区人民政府',
      location: '玄武区玄武大道以北、环陵路以西',
      landArea: 3.2156,
      description: '申请将农用地转为建设用地，用于城市基础设施建设。已提交用地申请表、勘测定界图、土地利用现状图及征地补偿安置方案。',
      ...dto,
    });

  // At county review: just accepted by 玄武.
  await accept('xw.shouli', { title: '玄武区2025年度第3批次城市建设用地报批' });

  // At city review after a return: 南京 returned it to the county, which corrected and approved again.
  const returned = await accept('jn.shouli', {
    matterType: '土地征收',
    title: '江宁区秣陵街道集体土地征收',
    applicant: '南京市江宁区人民政府',
    location: '江宁区秣陵街道东旺社区',
    landArea: 12.5,
  });
  await act('jn.shencha', returned.instanceId, 'countyReview', { action: 'approve', comment: '材料齐全，同意报市' });
  await act('nj.shenhe', returned.instanceId, 'cityReview', {
    action: 'return',
    comment: '征地补偿安置方案缺少听证记录，请补充后重新报送',
  });
  await act('jn.shencha', returned.instanceId, 'countyReview', { action: 'approve', comment: '已补充听证记录，同意报市' });

  // At the province, overdue: its limit has passed (the due date is moved back, as if received 16 working days ago).
  const late = await accept('xw.shouli', {
    matterType: '采矿权登记',
    title: '南京紫金山建筑石料矿采矿权延续登记',
    applicant: '南京紫金建材有限公司',
    location: '玄武区紫金山东麓',
    landArea: 8.75,
  });
  await act('xw.shencha', late.instanceId, 'countyReview', { action: 'approve', comment: '同意报市' });
  await act('nj.shenhe', late.instanceId, 'cityReview', { action: 'approve', comment: '同意报省' });
  await ctx.dataSource.query(
    `UPDATE tasks SET due_at = now() - interval '2 days', created_at = now() - interval '24 days' WHERE instance_id = $1 AND status = 'open'`,
    [late.instanceId],
  );
  await ctx.dataSource.query(
    `UPDATE approval_levels SET due_at = now() - interval '2 days', received_at = now() - interval '24 days'
      WHERE approval_id = $1 AND decided_at IS NULL`,
    [late.id],
  );
  // The engine's scheduler fires the limit timers once they are due; pulling them forward marks the level now.
  await ctx.engine.makeTimersDue(late.instanceId);

  // Approved by 江苏省厅.
  const approved = await accept('xw.shouli', {
    matterType: '土地复垦方案',
    title: '玄武区原钟山化工厂地块土地复垦方案',
    applicant: '南京钟山投资发展有限公司',
    location: '玄武区钟山化工厂原址',
    landArea: 4.0312,
  });
  await act('xw.shencha', approved.instanceId, 'countyReview', { action: 'approve', comment: '方案可行，同意报市' });
  await act('nj.shenhe', approved.instanceId, 'cityReview', { action: 'approve', comment: '同意报省' });
  await act('js.shenpi', approved.instanceId, 'provinceDecision', { action: 'approve', comment: '同意该土地复垦方案' });

  // Refused by 杭州 (浙江 keeps its own cases).
  const refused = await accept('xh.shouli', {
    title: '西湖区转塘单元建设用地报批',
    applicant: '杭州市西湖区人民政府',
    location: '西湖区转塘街道',
    landArea: 6.8,
  });
  await act('xh.shencha', refused.instanceId, 'countyReview', { action: 'approve', comment: '同意报市' });
  await act('hz.shenhe', refused.instanceId, 'cityReview', {
    action: 'reject',
    comment: '拟用地块涉及永久基本农田，不符合土地利用总体规划，不予批准',
  });
}

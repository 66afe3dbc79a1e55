import type { DemoContext } from '../seed/demo-cases';
import type { TaskActionDto } from '../tasks/tasks.dto';
import type { TasksService } from '../tasks/tasks.service';
import type { CreateDocumentDto } from './documents.dto';
import type { DocumentsService } from './documents.service';

/**
 * Documents of 规划司 in every state a user meets: at 核稿, returned to 拟稿, at 会签, at the leading group's vote
 * (信息化相关), distributed with recipients signed, handling, unsigned and refused, and one handled to its end.
 */
export async function seedDocumentDemo(ctx: DemoContext, documents: DocumentsService, tasks: TasksService): Promise<void> {
  const unit = async (code: string): Promise<string> =>
    ((await ctx.dataSource.query(`SELECT id FROM units WHERE code = $1`, [code])) as { id: string }[])[0].id;
  const act = async (username: string, instanceId: string, activityId: string, dto: Omit<TaskActionDto, 'action'> & { action: string }) => {
    const rows: { id: string }[] = await ctx.dataSource.query(
      `SELECT id FROM tasks WHERE instance_id = $1 AND activity_id = $2 AND status = 'open' ORDER BY created_at LIMIT 1`,
      [instanceId, activityId],
    );
    if (!rows[0]) throw new Error(`demo: no open ${activityId} task in ${instanceId}`);
    await tasks.act(await ctx.as(username), rows[0].id, dto as TaskActionDto);
  };
  const receiptCase = async (documentId: string, code: string): Promise<string> =>
    (
      (await ctx.dataSource.query(
        `SELECT r.instance_id FROM document_receipts r JOIN units u ON u.id = r.unit_id WHERE r.document_id = $1 AND u.code = $2`,
        [documentId, code],
      )) as { instance_id: string }[]
    )[0].instance_id;
  const lina = await ctx.as('lina');
  const draft = (dto: Partial<CreateDocumentDto> & Pick<CreateDocumentDto, 'title' | 'mainRecipients'>): CreateDocumentDto => ({
    docType: '通知',
    urgency: '平急',
    secrecy: '非密',
    // The 主送 line comes from mainRecipients: the body must not repeat it.
    body: '为贯彻落实《国土资源部关于进一步加强信息化工作统筹的若干意见》（国土资发〔2015〕16号），现将有关事项通知如下。\n一、高度重视，统筹推进。\n二、按时报送，确保质量。',
    ...dto,
  });
  /** 分发 follows the worker's 排版 (and 用印 when 规划司 has a seal): wait for it, as a person would wait for the document to arrive. */
  const distributed = async (documentId: string, instanceId: string): Promise<void> => {
    for (let waited = 0; waited < 60_000; waited += 200) {
      const rows: unknown[] = await ctx.dataSource.query(`SELECT 1 FROM document_receipts WHERE document_id = $1 LIMIT 1`, [documentId]);
      if (rows.length > 0) return;
      const sealing: unknown[] = await ctx.dataSource.query(
        `SELECT 1 FROM tasks WHERE instance_id = $1 AND activity_id = 'seal' AND status = 'open'`,
        [instanceId],
      );
      if (sealing.length > 0) await act('sunli', instanceId, 'seal', { action: 'approve', comment: '已核对，用印' });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`demo: document ${documentId} was not rendered and distributed within a minute (are the workers running?)`);
  };
  /** lina drafts, yangfan reviews, zhangwei signs: the document is numbered, rendered and distributed. */
  const issue = async (dto: CreateDocumentDto) => {
    const doc = await documents.create(lina, dto);
    await act('lina', doc.instanceId, 'draft', { action: 'approve', comment: '请审核' });
    await act('yangfan', doc.instanceId, 'review', { action: 'approve', comment: '文字已核，同意' });
    await act('zhangwei', doc.instanceId, 'sign', { action: 'approve', comment: '同意印发' });
    await distributed(doc.id, doc.instanceId);
    return doc;
  };

  // Distributed: 江苏 signed and is handling it, 浙江 has not signed yet, 办公厅 (抄送) has read it.
  const plan = await issue(
    draft({
      title: '关于报送2027年度信息化建设计划的通知',
      urgency: '加急',
      mainRecipients: [await unit('320000'), await unit('330000')],
      ccRecipients: [await unit('MLR-BGT')],
      attachmentNote: '2027年度信息化建设计划表',
    }),
  );
  const js = await receiptCase(plan.id, '320000');
  await act('js.shouwen', js, 'receive', { action: 'approve' });
  await act('js.shouwen', js, 'propose', { action: 'approve', comment: '建议由规划处牵头办理，按时报送' });
  await act('zhaolei', await receiptCase(plan.id, 'MLR-BGT'), 'receive', { action: 'approve' });

  // Handled to the end by 北京局: the sender's case is 办结.
  const inspection = await issue(
    draft({
      docType: '函',
      title: '关于商请提供2026年度土地督察信息化需求的函',
      mainRecipients: [await unit('MLR-DCJ-BJ')],
      body: '为做好2026年度土地督察信息化建设工作，请你局结合工作实际，梳理提出信息化需求，于2026年4月1日前函告我司。\n特此函商。',
    }),
  );
  const bj = await receiptCase(inspection.id, 'MLR-DCJ-BJ');
  const luoping = await ctx.as('luoping');
  await act('luoping', bj, 'receive', { action: 'approve' });
  await act('luoping', bj, 'propose', { action: 'approve', comment: '请综合处研提需求' });
  await act('lijun', bj, 'instruct', { action: 'approve', comment: '同意', variables: { handler: luoping.userId } });
  await act('luoping', bj, 'handle', { action: 'approve', comment: '需求已整理并函复' });

  // Refused (退文) by 耕地保护司 as misaddressed.
  const misaddressed = await issue(
    draft({
      docType: '函',
      title: '关于不动产登记信息平台接入事宜的函',
      mainRecipients: [await unit('MLR-GBS')],
      body: '为推进不动产登记信息平台与政务办公平台对接，请你司提出接入需求和联系人。\n特此函商。',
    }),
  );
  await act('maqiang', await receiptCase(misaddressed.id, 'MLR-GBS'), 'receive', {
    action: 'reject',
    comment: '非本司职责，应送地籍管理司，予以退文',
  });

  // At 会签 with 耕地保护司.
  const joint = await documents.create(
    lina,
    draft({
      title: '关于加强耕地保护信息化监管工作的通知',
      mainRecipients: [await unit('320000'), await unit('330000')],
      countersignUnits: [await unit('MLR-GBS')],
    }),
  );
  await act('lina', joint.instanceId, 'draft', { action: 'approve', comment: '请审核' });
  await act('yangfan', joint.instanceId, 'review', { action: 'approve', comment: '同意，请耕保司会签' });

  // Returned to 拟稿 with the reviewer's opinion.
  const returned = await documents.create(
    lina,
    draft({ docType: '请示', title: '关于申请建设规划数据共享服务系统的请示', mainRecipients: [await unit('MLR-XXB')] }),
  );
  await act('lina', returned.instanceId, 'draft', { action: 'approve', comment: '请审核' });
  await act('yangfan', returned.instanceId, 'review', { action: 'return', comment: '请补充项目预算测算依据后再报' });

  // 信息化相关 in the ministry's name: 信息办 has approved it and the leading group is voting (two of five have).
  const cloud = await documents.create(
    lina,
    draft({
      title: '关于推进国土资源云规划数据服务建设的通知',
      mainRecipients: [await unit('320000'), await unit('330000')],
      informatization: true,
    }),
  );
  await act('lina', cloud.instanceId, 'draft', { action: 'approve', comment: '请审核' });
  await act('yangfan', cloud.instanceId, 'review', { action: 'approve', comment: '同意，报信息办审核' });
  await act('chenjing', cloud.instanceId, 'itOfficeReview', { action: 'approve', comment: '符合国土资源云总体框架要求，建议批准' });
  for (const member of ['wangjianguo', 'liuhaiyan']) {
    const rows: { id: string }[] = await ctx.dataSource.query(
      `SELECT id FROM tasks WHERE instance_id = $1 AND activity_id = 'itVote' AND status = 'open' AND assignee = $2`,
      [cloud.instanceId, (await ctx.as(member)).userId],
    );
    await tasks.act(await ctx.as(member), rows[0].id, { action: 'approve', comment: '同意印发' } as TaskActionDto);
  }

  // Just submitted: waiting at 核稿.
  const fresh = await documents.create(
    lina,
    draft({ docType: '报告', title: '关于2026年规划信息化工作情况的报告', mainRecipients: [await unit('MLR-BGT')] }),
  );
  await act('lina', fresh.instanceId, 'draft', { action: 'approve', comment: '请审核' });
}

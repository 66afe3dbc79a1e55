import { Injectable, OnModuleInit } from '@nestjs/common';
import { DemoCases, type DemoContext } from '../seed/demo-cases';
import type { TaskActionDto } from '../tasks/tasks.dto';
import { TasksService } from '../tasks/tasks.service';
import { DataReleaseService } from './data-release.service';
import { OutsideRequestsService } from './outside-requests.service';

/**
 * Demo data of 数据发布 for `npm start`: two releases in the register (one of 信息中心, one of 地调局's 地质调查 data),
 * one request waiting for its owner's review, one outside request waiting for opinions and one waiting for its 复函.
 */
@Injectable()
export class DataReleaseDemo implements OnModuleInit {
  constructor(
    private readonly demoCases: DemoCases,
    private readonly releases: DataReleaseService,
    private readonly outside: OutsideRequestsService,
    private readonly tasks: TasksService,
  ) {}

  onModuleInit(): void {
    this.demoCases.register('data-release', (ctx) => this.seed(ctx));
  }

  private async seed(ctx: DemoContext): Promise<void> {
    const catalogue: { id: string; code: string }[] = await ctx.dataSource.query(`SELECT id, code FROM datasets`);
    const ds = (code: string) => catalogue.find((d) => d.code === code)!.id;
    const act = async (username: string, instanceId: string | null, activityId: string, dto: TaskActionDto) => {
      const who = await ctx.as(username);
      const rows: { id: string }[] = await ctx.dataSource.query(
        `SELECT id FROM tasks WHERE instance_id = $1 AND activity_id = $2 AND status = 'open'
            AND (cardinality(candidate_units) = 0 OR $3 = ANY(candidate_units)) ORDER BY created_at LIMIT 1`,
        [instanceId, activityId, who.unitId],
      );
      if (!rows[0]) throw new Error(`demo: no open ${activityId} task for ${username}`);
      await this.tasks.act(who, rows[0].id, dto);
    };

    const open = await this.releases.create(await ctx.as('lina'), {
      datasetId: ds('YZT-GDZL'),
      audienceType: '社会公众',
      audience: '社会公众（部门户网站数据开放栏目）',
      purpose: '落实政府信息公开要求，向社会公开年度耕地质量等别评价成果，便于科研和社会监督。',
      scope: '全国，2025 年度更新评价成果（省级汇总表）',
    });
    await act('wufang', open.instanceId, 'review', { action: 'approve', comment: '成果已审定，同意发布' });
    await act('chenjing', open.instanceId, 'approve', { action: 'approve', comment: '同意以部名义发布' });
    await act('huangli', open.instanceId, 'release', {
      action: 'approve',
      comment: '已在部门户网站发布',
      variables: { channel: '门户网站', link: 'https://www.mlr.example/sjkf/gdzl-2025.html' },
    });

    const geology = await this.releases.create(await ctx.as('liuyang'), {
      datasetId: ds('DZ-QYDZ'),
      audienceType: '社会公众',
      audience: '社会公众及地质行业用户',
      purpose: '公开 1:5万区域地质调查新成果，服务矿产勘查、工程建设和地质科研。',
      scope: '2025 年度验收的 1:5万图幅 42 幅',
    });
    await act('wangbo', geology.instanceId, 'review', { action: 'approve', comment: '图幅均已验收，同意发布' });
    await act('liuhaiyan', geology.instanceId, 'approve', { action: 'approve', comment: '同意，由地调局发布' });
    await act('zhaoyu', geology.instanceId, 'release', {
      action: 'approve',
      comment: '已在地质资料信息服务平台发布',
      variables: { channel: '数据共享平台', link: 'https://geodata.cgs.example/qydz/2025' },
    });

    await this.releases.create(await ctx.as('gaoyuan'), {
      datasetId: ds('YZT-TDLY'),
      audienceType: '政府部门',
      audience: '国务院有关部门（国土空间基础信息平台共享）',
      purpose: '向国务院有关部门共享年度土地利用现状数据，支撑生态保护红线评估。',
      scope: '全国，2025 年度变更调查成果（县级汇总）',
    });

    const chenjing = await ctx.as('chenjing');
    const [{ today }]: { today: string }[] = await ctx.dataSource.query(
      `SELECT to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS today`,
    );
    await this.outside.register(chenjing, {
      organName: '生态环境部办公厅',
      organKind: '政府部门',
      contactName: '刘明',
      contactPhone: '010-65645000',
      letterRef: '环办函〔2026〕118号',
      receivedOn: today,
      purpose: '开展全国生态状况遥感调查评估，需土地利用现状和耕地质量等别数据。',
      datasetIds: [ds('YZT-TDLY'), ds('YZT-GDZL')],
    });
    const asked = await this.outside.register(chenjing, {
      organName: '中国测绘学会',
      organKind: '行业单位',
      contactName: '王芳',
      contactPhone: '010-63881234',
      letterRef: '测学函〔2026〕9号',
      receivedOn: today,
      purpose: '编写行业年度发展报告，需区域地质调查成果目录。',
      datasetIds: [ds('DZ-QYDZ')],
    });
    await act('wangbo', asked.instanceId, 'opinion', { action: 'approve', comment: '目录可公开提供', variables: { opinion: '同意提供' } });
  }
}

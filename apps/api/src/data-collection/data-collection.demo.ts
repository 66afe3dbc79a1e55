import { Injectable, OnModuleInit } from '@nestjs/common';
import { Readable } from 'node:stream';
import { DemoCases, type DemoContext } from '../seed/demo-cases';
import type { CreateListDto } from './data-collection.dto';
import { DataCollectionService } from './data-collection.service';
import { SubmissionsService } from './submissions.service';

export const DEMO_LIST: CreateListDto = {
  year: 2026,
  title: '2026年度国土资源“一张图”基础数据汇交清单',
  items: [
    {
      code: 'HJ-TDLY',
      name: '土地利用现状变更数据',
      kind: '土地利用现状',
      format: 'GeoJSON',
      coordinateSystem: 'CGCS2000',
      maxSizeMb: 500,
      dueWorkingDays: 20,
      levels: ['province', 'city'],
      regions: ['320000', '330000'],
      secrecy: '内部',
    },
    {
      code: 'HJ-KYQ',
      name: '矿业权设置数据',
      kind: '矿业权',
      format: 'CSV',
      coordinateSystem: 'CGCS2000',
      maxSizeMb: 50,
      dueWorkingDays: 15,
      levels: ['province'],
      regions: ['320000', '330000'],
      secrecy: '公开',
    },
  ],
};

/**
 * Demo: the 2026 list drafted by 信息中心 (唐宁), approved by 信息办 (陈静) and issued to 江苏 and 浙江; 江苏省厅 has
 * submitted its land-use data (the worker checks it, then 黄丽 reviews), 浙江省厅 submitted a CSV where GeoJSON is listed
 * (the check returns it), 南京 is late, the rest have not submitted yet.
 */
@Injectable()
export class DataCollectionDemo implements OnModuleInit {
  constructor(
    private readonly demoCases: DemoCases,
    private readonly lists: DataCollectionService,
    private readonly submissions: SubmissionsService,
  ) {}

  onModuleInit(): void {
    this.demoCases.register('data-collection', (ctx) => this.seed(ctx));
  }

  private async seed(ctx: DemoContext): Promise<void> {
    const drafter = await ctx.as('tangning');
    const list = await this.lists.create(drafter, DEMO_LIST);
    await this.lists.decide(await ctx.as('chenjing'), list.id, { outcome: 'approve', comment: '同意下发' });
    await this.lists.issue(drafter, list.id);
    const find = async (unitCode: string, itemCode: string): Promise<string> => {
      const rows: { id: string }[] = await ctx.dataSource.query(
        `SELECT s.id FROM collection_submissions s JOIN units u ON u.id = s.unit_id JOIN collection_items i ON i.id = s.item_id
          WHERE s.list_id = $1 AND u.code = $2 AND i.code = $3`,
        [list.id, unitCode, itemCode],
      );
      return rows[0].id;
    };
    const send = async (username: string, id: string, info: { areaCode: string; areaName: string }, name: string, content: string) => {
      const me = await ctx.as(username);
      await this.submissions.updateInfo(me, id, {
        responsibleUnit: `${info.areaName}国土资源信息中心`,
        contactName: me.displayName,
        contactPhone: '025-86658123',
        version: '2026.1',
        ...info,
      });
      const bytes = Buffer.from(content);
      const up = await this.submissions.createUpload(me, id, { name, length: bytes.length });
      await this.submissions.appendUpload(me, up.id, 0, Readable.from([bytes]));
      await this.submissions.submit(me, id);
    };
    const geojson = JSON.stringify({
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: { DLBM: '0101', DLMC: '水田' }, geometry: { type: 'Point', coordinates: [118.78, 32.04] } },
      ],
    });
    await send(
      'js.nigao',
      await find('320000', 'HJ-TDLY'),
      { areaCode: '320000', areaName: '江苏省' },
      '320000_土地利用现状.geojson',
      geojson,
    );
    await send(
      'zj.shouwen',
      await find('330000', 'HJ-TDLY'),
      { areaCode: '330000', areaName: '浙江省' },
      '330000_土地利用现状.csv',
      'DLBM,DLMC\n0101,水田\n',
    );
    // 南京 has let its due date pass (the scanner urges it, then escalates).
    await ctx.dataSource.query(`UPDATE collection_submissions SET due_at = now() - interval '6 days' WHERE id = $1`, [
      await find('320100', 'HJ-TDLY'),
    ]);
  }
}

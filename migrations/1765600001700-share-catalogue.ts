import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 数据共享目录清单 (seed （六）): each dataset of the catalogue says how often it is updated and how it may be shared
 * (GB/T 国家政务信息资源目录: 无条件共享, 有条件共享, 不予共享), and who last kept the entry.
 */
export class ShareCatalogue1765600001700 implements MigrationInterface {
  name = 'ShareCatalogue1765600001700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE datasets
         ADD COLUMN update_cycle text NOT NULL DEFAULT '不定期' CHECK (update_cycle IN ('实时','每日','每周','每月','每季度','每年','不定期')),
         ADD COLUMN share_level text NOT NULL DEFAULT '有条件共享' CHECK (share_level IN ('无条件共享','有条件共享','不予共享')),
         ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
         ADD COLUMN updated_by uuid REFERENCES users(id)`,
    );
    // What the catalogue held so far: 公开 data is shared without conditions, the rest on request (as 数据使用申请 does).
    await q.query(`UPDATE datasets SET share_level = '无条件共享' WHERE secrecy = '公开'`);
    await q.query(`UPDATE datasets SET update_cycle = '每年' WHERE category LIKE '%一张图%'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE datasets DROP COLUMN updated_by, DROP COLUMN updated_at, DROP COLUMN share_level, DROP COLUMN update_cycle`);
  }
}

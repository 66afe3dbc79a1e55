import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 数据使用申请 (seed clause 十一): the data catalogue and written applications to use its data.
 * The catalogue names its owner units by code: the organisation is seeded after the migrations run.
 */
export class DataRequests1764288200000 implements MigrationInterface {
  name = 'DataRequests1764288200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE datasets (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code text NOT NULL UNIQUE CHECK (code ~ '^[A-Z][A-Z0-9-]{1,31}$'),
        name text NOT NULL,
        owner_unit_code text NOT NULL,
        category text NOT NULL,
        description text NOT NULL,
        secrecy text NOT NULL CHECK (secrecy IN ('公开','内部','秘密','机密')),
        formats text[] NOT NULL,
        is_active boolean NOT NULL DEFAULT true,
        sort int NOT NULL DEFAULT 0
      )`);
    await q.query(
      `INSERT INTO datasets (code, name, owner_unit_code, category, description, secrecy, formats, sort) VALUES
       ('YZT-TDLY', '土地利用现状（一张图）', 'MLR-DJS', '国土资源“一张图”', '全国土地调查及年度变更调查成果，含地类图斑、线状地物与权属界线，按县级行政区组织。', '内部', '{Shapefile,FileGDB,GeoPackage}', 1),
       ('YZT-YJJBNT', '永久基本农田', 'MLR-GBS', '国土资源“一张图”', '永久基本农田划定成果及保护图斑，含质量等别与补划记录。', '秘密', '{Shapefile,FileGDB}', 2),
       ('YZT-TDGH', '土地利用总体规划', 'MLR-GHS', '国土资源“一张图”', '省、市、县、乡四级土地利用总体规划数据库，含规划分区、建设用地管制区与重点项目。', '内部', '{Shapefile,FileGDB,PDF}', 3),
       ('YZT-YGYX', '遥感影像', 'MLR-XXZX', '国土资源“一张图”', '年度土地变更调查及卫片执法所用的高分辨率正射影像（优于1米），按图幅提供。', '内部', '{GeoTIFF,在线服务}', 4),
       ('JG-DCJG', '土地督察监管数据', 'MLR-DCJ-BJ', '综合监管平台', '国家土地督察北京局辖区例行督察、审核督察发现问题及整改情况。', '秘密', '{Excel,PDF}', 5),
       ('JG-GDJG', '建设用地供应与利用监管数据', 'MLR-GHS', '综合监管平台', '土地市场动态监测与监管系统中的供地、合同履约及闲置土地数据。', '内部', '{Excel,CSV}', 6),
       ('YZT-DJ', '不动产（土地）登记数据', 'MLR-DJS', '国土资源“一张图”', '国有建设用地使用权、集体土地所有权登记簿数据（脱敏后提供）。', '秘密', '{CSV,Excel}', 7),
       ('YZT-GDZL', '耕地质量等别', 'MLR-GBS', '国土资源“一张图”', '耕地质量等别年度更新评价成果，含自然等、利用等与经济等。', '公开', '{Shapefile,Excel}', 8)`,
    );
    await q.query(`
      CREATE TABLE data_requests (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        instance_id uuid REFERENCES process_instances(id),
        unit_id uuid NOT NULL REFERENCES units(id),
        applicant_id uuid NOT NULL REFERENCES users(id),
        title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
        region_code char(6) CHECK (region_code ~ '^[1-8][0-9]{5}$'),
        region_name text NOT NULL,
        purpose text NOT NULL,
        period_from date NOT NULL,
        period_to date NOT NULL,
        format text NOT NULL CHECK (format IN ('Shapefile','FileGDB','GeoPackage','GeoTIFF','CSV','Excel','PDF','在线服务')),
        contact_name text NOT NULL,
        contact_phone text NOT NULL,
        status text NOT NULL DEFAULT '待签批' CHECK (status IN
          ('待签批','待审核','待会商','待提供','待确认','已完成','退回修改','不予提供','已终止')),
        -- Units that act on the request (信息办, the owner departments, 信息中心): they see it too.
        addressed_unit_ids uuid[] NOT NULL DEFAULT '{}',
        last_opinion text,
        provided_file text,
        provided_link text,
        provided_expires_at date,
        provided_by uuid REFERENCES users(id),
        provided_at timestamptz,
        received_at timestamptz,
        closed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (period_to >= period_from)
      )`);
    await q.query(`CREATE INDEX data_requests_unit ON data_requests (unit_id, created_at DESC)`);
    await q.query(`CREATE INDEX data_requests_addressed ON data_requests USING gin (addressed_unit_ids)`);
    await q.query(`CREATE INDEX data_requests_status ON data_requests (status, created_at DESC)`);
    await q.query(`CREATE INDEX data_requests_instance ON data_requests (instance_id)`);
    await q.query(`
      CREATE TABLE data_request_items (
        request_id uuid NOT NULL REFERENCES data_requests(id) ON DELETE CASCADE,
        dataset_id uuid NOT NULL REFERENCES datasets(id),
        owner_unit_id uuid NOT NULL REFERENCES units(id),
        PRIMARY KEY (request_id, dataset_id)
      )`);
    await q.query(`CREATE INDEX data_request_items_dataset ON data_request_items (dataset_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE data_request_items`);
    await q.query(`DROP TABLE data_requests`);
    await q.query(`DROP TABLE datasets`);
  }
}

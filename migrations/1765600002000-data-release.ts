import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Data released in the ministry's name (seed （十一）): release requests reviewed by the responsible department and
 * approved by 信息办 before 信息中心 (or 地调局 for 地质调查 data) releases them, the public release register, and
 * requests from outside departments and industries answered by a 函 in the ministry's name.
 */
export class DataRelease1765600002000 implements MigrationInterface {
  name = 'DataRelease1765600002000';

  async up(q: QueryRunner): Promise<void> {
    // 地质调查 data of 中国地质调查局: released by 地调局 itself.
    await q.query(
      `INSERT INTO datasets (code, name, owner_unit_code, category, description, secrecy, formats, sort, share_level, update_cycle) VALUES
       ('DZ-QYDZ', '区域地质调查成果（1:5万）', 'MLR-CGS', '地质调查', '1:5万区域地质调查图幅成果，含地质图、说明书与空间数据库。', '公开', '{Shapefile,PDF}', 9, '无条件共享', '每年'),
       ('DZ-KCQL', '矿产资源潜力评价成果', 'MLR-CGS', '地质调查', '全国重要矿产资源潜力评价成果，含成矿区带、预测区与资源量估算。', '内部', '{Shapefile,Excel}', 10, '有条件共享', '不定期')
       ON CONFLICT (code) DO NOTHING`,
    );
    await q.query(`
      CREATE TABLE data_release_requests (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        instance_id uuid REFERENCES process_instances(id),
        unit_id uuid NOT NULL REFERENCES units(id),
        requester_id uuid NOT NULL REFERENCES users(id),
        dataset_id uuid NOT NULL REFERENCES datasets(id),
        owner_unit_id uuid NOT NULL REFERENCES units(id),
        release_unit_id uuid NOT NULL REFERENCES units(id),
        audience_type text NOT NULL CHECK (audience_type IN ('社会公众','政府部门','行业用户','特定单位')),
        audience text NOT NULL CHECK (length(audience) BETWEEN 2 AND 200),
        purpose text NOT NULL CHECK (length(purpose) BETWEEN 5 AND 2000),
        scope text NOT NULL CHECK (length(scope) BETWEEN 2 AND 500),
        status text NOT NULL DEFAULT '待审核' CHECK (status IN ('待审核','待批准','待发布','已发布','不予发布','已终止')),
        addressed_unit_ids uuid[] NOT NULL DEFAULT '{}',
        reviewed_by uuid REFERENCES users(id),
        approved_by uuid REFERENCES users(id),
        last_opinion text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        closed_at timestamptz
      )`);
    await q.query(`CREATE INDEX data_release_requests_unit ON data_release_requests (unit_id, created_at DESC)`);
    await q.query(`CREATE INDEX data_release_requests_addressed ON data_release_requests USING gin (addressed_unit_ids)`);
    // The register: one row per release, written only by the release step of an approved request.
    await q.query(`
      CREATE TABLE data_releases (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        request_id uuid NOT NULL UNIQUE REFERENCES data_release_requests(id),
        dataset_id uuid NOT NULL REFERENCES datasets(id),
        audience_type text NOT NULL,
        audience text NOT NULL,
        scope text NOT NULL,
        channel text NOT NULL CHECK (channel IN ('门户网站','数据共享平台','政务外网','其他')),
        link text,
        release_unit_id uuid NOT NULL REFERENCES units(id),
        released_by uuid NOT NULL REFERENCES users(id),
        approved_by uuid NOT NULL REFERENCES users(id),
        released_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX data_releases_at ON data_releases (released_at DESC)`);
    await q.query(`
      CREATE TABLE data_outside_requests (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        instance_id uuid REFERENCES process_instances(id),
        unit_id uuid NOT NULL REFERENCES units(id),
        registered_by uuid NOT NULL REFERENCES users(id),
        organ_name text NOT NULL CHECK (length(organ_name) BETWEEN 2 AND 100),
        organ_kind text NOT NULL CHECK (organ_kind IN ('政府部门','行业单位')),
        contact_name text NOT NULL,
        contact_phone text NOT NULL,
        letter_ref text NOT NULL CHECK (length(letter_ref) BETWEEN 2 AND 100),
        received_on date NOT NULL,
        purpose text NOT NULL CHECK (length(purpose) BETWEEN 5 AND 2000),
        partner_organ_code text,
        partner_unit_code text,
        status text NOT NULL DEFAULT '征求意见' CHECK (status IN ('征求意见','待拟复函','复函办理中','已答复','已终止')),
        addressed_unit_ids uuid[] NOT NULL DEFAULT '{}',
        reply_document_id uuid REFERENCES documents(id),
        reply_channel text CHECK (reply_channel IN ('公文交换','邮寄/其他')),
        replied_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        closed_at timestamptz,
        CHECK ((partner_organ_code IS NULL) = (partner_unit_code IS NULL))
      )`);
    await q.query(`CREATE INDEX data_outside_requests_addressed ON data_outside_requests USING gin (addressed_unit_ids)`);
    await q.query(
      `CREATE UNIQUE INDEX data_outside_requests_reply ON data_outside_requests (reply_document_id) WHERE reply_document_id IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE data_outside_request_items (
        request_id uuid NOT NULL REFERENCES data_outside_requests(id) ON DELETE CASCADE,
        dataset_id uuid NOT NULL REFERENCES datasets(id),
        owner_unit_id uuid NOT NULL REFERENCES units(id),
        PRIMARY KEY (request_id, dataset_id)
      )`);
    // One opinion per producing unit (the multi-instance task of that unit).
    await q.query(`
      CREATE TABLE data_outside_opinions (
        request_id uuid NOT NULL REFERENCES data_outside_requests(id) ON DELETE CASCADE,
        unit_id uuid NOT NULL REFERENCES units(id),
        user_id uuid NOT NULL REFERENCES users(id),
        opinion text NOT NULL CHECK (opinion IN ('同意提供','部分提供','不同意提供')),
        comment text,
        at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (request_id, unit_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DROP TABLE data_outside_opinions, data_outside_request_items, data_outside_requests, data_releases, data_release_requests`,
    );
    await q.query(`DELETE FROM datasets WHERE code IN ('DZ-QYDZ', 'DZ-KCQL')`);
  }
}

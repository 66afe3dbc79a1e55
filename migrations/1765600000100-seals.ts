import { MigrationInterface, QueryRunner } from 'typeorm';

const STATUSES_BEFORE = `'拟稿','核稿','会签','签发','分发','办结','不予签发','已撤销'`;
const ROLES_BEFORE = `'drafter','reviewer','signer','clerk','office-reviewer','group-member','group-secretary','data-admin','dept-approver','archivist','sysadmin','secadmin','auditor'`;

/**
 * 电子印章 (GB/T 38540): the 印章管理员 role; one seal per unit at a time (an SM2 key pair encrypted by the api,
 * the certificate the deployment's CA issued to it, the seal image and the SESeal made from them); and per
 * 公文 the typeset OFD with its seal places (from 排版) and the 用印 that sealed it.
 */
export class Seals1765600000100 implements MigrationInterface {
  name = 'Seals1765600000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE user_roles DROP CONSTRAINT user_roles_role_check`);
    await q.query(`ALTER TABLE user_roles ADD CONSTRAINT user_roles_role_check CHECK (role IN (${ROLES_BEFORE},'seal-keeper'))`);
    // 用印: the document waits for its unit's 印章管理员 between 排版 and 分发.
    await q.query(`ALTER TABLE documents DROP CONSTRAINT documents_status_check`);
    await q.query(`ALTER TABLE documents ADD CONSTRAINT documents_status_check CHECK (status IN (${STATUSES_BEFORE},'用印'))`);
    await q.query(`
      CREATE TABLE seals (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        unit_id uuid NOT NULL REFERENCES units(id),
        es_id text NOT NULL UNIQUE,
        name text NOT NULL,
        label text,
        image bytea NOT NULL,
        image_source text NOT NULL CHECK (image_source IN ('drawn','uploaded')),
        certificate bytea NOT NULL,
        public_key text NOT NULL,
        private_key_enc text NOT NULL,
        seal_data bytea NOT NULL,
        valid_from timestamptz NOT NULL,
        valid_to timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active','revoked')),
        created_by uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_by uuid REFERENCES users(id),
        revoked_at timestamptz,
        revoke_reason text
      )`);
    await q.query(`CREATE UNIQUE INDEX seals_one_active_per_unit ON seals (unit_id) WHERE status = 'active'`);
    await q.query(`
      CREATE TABLE document_ofd (
        document_id uuid PRIMARY KEY REFERENCES documents(id),
        ofd_attachment_id uuid NOT NULL REFERENCES attachments(id),
        seal_places jsonb NOT NULL DEFAULT '[]',
        stored_at timestamptz NOT NULL DEFAULT now(),
        seal_id uuid REFERENCES seals(id),
        sealed_by uuid REFERENCES users(id),
        sealed_at timestamptz,
        sealed_ofd_attachment_id uuid REFERENCES attachments(id),
        sealed_pdf_attachment_id uuid REFERENCES attachments(id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE document_ofd`);
    await q.query(`DROP TABLE seals`);
    await q.query(`UPDATE documents SET status = '分发' WHERE status = '用印'`);
    await q.query(`ALTER TABLE documents DROP CONSTRAINT documents_status_check`);
    await q.query(`ALTER TABLE documents ADD CONSTRAINT documents_status_check CHECK (status IN (${STATUSES_BEFORE}))`);
    await q.query(`DELETE FROM user_roles WHERE role = 'seal-keeper'`);
    await q.query(`ALTER TABLE user_roles DROP CONSTRAINT user_roles_role_check`);
    await q.query(`ALTER TABLE user_roles ADD CONSTRAINT user_roles_role_check CHECK (role IN (${ROLES_BEFORE}))`);
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 公文交换 between deployments: the partner deployments this one trusts, the partner units a 发文 is
 * addressed to, the packages sent (the delivery queue and each partner recipient's live status) and the
 * packages received (idempotent by package id; refusals kept with their reason).
 */
export class Exchange1765600000600 implements MigrationInterface {
  name = 'Exchange1765600000600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE exchange_partners (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organ_code text NOT NULL UNIQUE CHECK (organ_code ~ '^[A-Za-z0-9-]{1,32}$'),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        base_url text NOT NULL CHECK (base_url ~ '^https?://'),
        ca_certificate text NOT NULL,
        ca_fingerprint char(64) NOT NULL,
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        removed_at timestamptz
      )`);
    // The partner units a document goes to, set while it is drafted (the local ones stay in documents.*_recipients).
    await q.query(`
      CREATE TABLE document_partner_recipients (
        document_id uuid NOT NULL REFERENCES documents(id),
        partner_id uuid NOT NULL REFERENCES exchange_partners(id),
        unit_code text NOT NULL CHECK (unit_code ~ '^[A-Za-z0-9-]{1,32}$'),
        unit_name text NOT NULL CHECK (length(unit_name) BETWEEN 1 AND 100),
        kind text NOT NULL CHECK (kind IN ('主送','抄送')),
        PRIMARY KEY (document_id, partner_id, unit_code)
      )`);
    // One row per outgoing message: a document package (status = the partner recipient's live status)
    // or a signed receipt going back. Delivery state follows the mail outbox's columns.
    await q.query(`
      CREATE TABLE exchange_outgoing (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind IN ('document','receipt')),
        partner_id uuid NOT NULL REFERENCES exchange_partners(id),
        document_id uuid REFERENCES documents(id),
        unit_code text NOT NULL,
        unit_name text NOT NULL,
        recipient_kind text,
        body bytea NOT NULL,
        delivery text NOT NULL DEFAULT 'pending' CHECK (delivery IN ('pending','delivered','failed')),
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        lock_expires_at timestamptz,
        locked_by text,
        last_error text,
        delivered_at timestamptz,
        status text NOT NULL DEFAULT '待送达' CHECK (status IN ('待送达','已送达','已签收','退文','被拒收')),
        status_at timestamptz,
        refuse_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (document_id, partner_id, unit_code)
      )`);
    await q.query(`CREATE INDEX exchange_outgoing_due ON exchange_outgoing (next_attempt_at) WHERE delivery = 'pending'`);
    await q.query(`
      CREATE TABLE exchange_incoming (
        package_id uuid PRIMARY KEY,
        partner_id uuid NOT NULL REFERENCES exchange_partners(id),
        unit_id uuid NOT NULL REFERENCES units(id),
        recipient_kind text NOT NULL CHECK (recipient_kind IN ('主送','抄送')),
        metadata jsonb NOT NULL,
        -- The package as received, signature included: the document and the proof of who sent it.
        body bytea NOT NULL,
        seal_status text NOT NULL,
        signer_fingerprint char(64) NOT NULL,
        status text NOT NULL DEFAULT '已送达' CHECK (status IN ('已送达','已签收','退文')),
        received_at timestamptz NOT NULL DEFAULT now(),
        handled_by uuid REFERENCES users(id),
        handled_at timestamptz,
        refuse_reason text
      )`);
    await q.query(`CREATE INDEX exchange_incoming_unit ON exchange_incoming (unit_id, received_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE exchange_incoming`);
    await q.query(`DROP TABLE exchange_outgoing`);
    await q.query(`DROP TABLE document_partner_recipients`);
    await q.query(`DROP TABLE exchange_partners`);
  }
}

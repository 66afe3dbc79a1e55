import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 督办: a leader or 办公厅 supervises a case or a 公文 with a deadline and 督办意见; the responsible unit reports
 * 办结 and the creator closes or sends it back. The events are the item's timeline; a partial unique index makes the
 * scanner's 临期 reminder and overdue escalation happen once per item however many api processes scan.
 */
export class Supervision1765600001200 implements MigrationInterface {
  name = 'Supervision1765600001200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE supervision_items (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        target_kind text NOT NULL CHECK (target_kind IN ('case', 'document')),
        -- The supervised case (for a 公文, its case when it has one); the engine's read model names it, no foreign key.
        instance_id uuid,
        document_id uuid REFERENCES documents(id),
        title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
        opinion text NOT NULL CHECK (length(opinion) BETWEEN 1 AND 2000),
        unit_id uuid NOT NULL REFERENCES units(id),
        created_by uuid NOT NULL REFERENCES users(id),
        creator_unit_id uuid NOT NULL REFERENCES units(id),
        deadline date NOT NULL,
        due_at timestamptz NOT NULL,
        remind_at timestamptz NOT NULL CHECK (remind_at <= due_at),
        stage text NOT NULL DEFAULT 'open' CHECK (stage IN ('open', 'reported', 'closed')),
        reported_by uuid REFERENCES users(id),
        reported_at timestamptz,
        closed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((target_kind = 'document') = (document_id IS NOT NULL)),
        CHECK (target_kind = 'document' OR instance_id IS NOT NULL)
      )`);
    // One live item per case or 公文: a second 督办 while the first runs is refused (409), also when two race.
    await q.query(`
      CREATE UNIQUE INDEX supervision_items_one_live ON supervision_items (target_kind, (coalesce(document_id, instance_id)))
        WHERE stage <> 'closed'`);
    await q.query(`CREATE INDEX supervision_items_unit ON supervision_items (unit_id)`);
    await q.query(`CREATE INDEX supervision_items_creator_unit ON supervision_items (creator_unit_id)`);
    await q.query(`CREATE INDEX supervision_items_open_due ON supervision_items (remind_at, due_at) WHERE stage = 'open'`);
    await q.query(`
      CREATE TABLE supervision_events (
        id bigserial PRIMARY KEY,
        item_id uuid NOT NULL REFERENCES supervision_items(id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('created', 'reminded', 'escalated', 'reported', 'closed', 'returned')),
        user_id uuid REFERENCES users(id),
        note text,
        detail jsonb NOT NULL DEFAULT '{}',
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX supervision_events_item ON supervision_events (item_id, id)`);
    await q.query(`
      CREATE UNIQUE INDEX supervision_events_once ON supervision_events (item_id, kind) WHERE kind IN ('reminded', 'escalated')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE supervision_events`);
    await q.query(`DROP TABLE supervision_items`);
  }
}

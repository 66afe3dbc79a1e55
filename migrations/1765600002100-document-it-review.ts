import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Seed （八）: an informatization document issued in the name of the ministry or its 办公厅 is reviewed by 信息办 and
 * approved by the 信息化领导小组 before it goes out. The document carries the mark (and who set it: a reviewer's mark
 * cannot be taken back by the drafter), the approval that 签发 requires, and every opinion and vote of the review,
 * round by round (a redraft after a return starts a new round).
 */
export class DocumentItReview1765600002100 implements MigrationInterface {
  name = 'DocumentItReview1765600002100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE documents
        ADD COLUMN informatization boolean NOT NULL DEFAULT false,
        ADD COLUMN informatization_marked_by uuid REFERENCES users(id),
        ADD COLUMN it_round int NOT NULL DEFAULT 0,
        ADD COLUMN it_approved_at timestamptz`);
    await q.query(`ALTER TABLE documents DROP CONSTRAINT documents_status_check`);
    await q.query(`ALTER TABLE documents ADD CONSTRAINT documents_status_check
      CHECK (status IN ('拟稿','核稿','会签','信息办审核','领导小组审批','签发','用印','分发','办结','不予签发','已撤销'))`);
    await q.query(`
      CREATE TABLE document_it_reviews (
        id bigserial PRIMARY KEY,
        document_id uuid NOT NULL REFERENCES documents(id),
        round int NOT NULL,
        step text NOT NULL CHECK (step IN ('office','vote','decision')),
        task_id uuid NOT NULL,
        user_id uuid NOT NULL REFERENCES users(id),
        outcome text NOT NULL CHECK (outcome IN ('approve','reject','return')),
        opinion text,
        refer_to_secretary boolean NOT NULL DEFAULT false,
        at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE INDEX document_it_reviews_document ON document_it_reviews (document_id, round)`);
    // One vote per member per round, whatever two presses of 同意 race.
    await q.query(
      `CREATE UNIQUE INDEX document_it_reviews_one_vote ON document_it_reviews (document_id, round, user_id) WHERE step = 'vote'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE document_it_reviews`);
    await q.query(`ALTER TABLE documents DROP CONSTRAINT documents_status_check`);
    await q.query(`ALTER TABLE documents ADD CONSTRAINT documents_status_check
      CHECK (status IN ('拟稿','核稿','会签','签发','用印','分发','办结','不予签发','已撤销'))`);
    await q.query(
      `ALTER TABLE documents DROP COLUMN it_approved_at, DROP COLUMN it_round, DROP COLUMN informatization_marked_by, DROP COLUMN informatization`,
    );
  }
}

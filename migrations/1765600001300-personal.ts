import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What belongs to one person: their 常用语 (the phrases the opinion box offers) and 暂存 of the start forms (a
 * half-filled 立项申报 or 备案 kept on the server, so it follows the person to another computer or a phone).
 */
export class Personal1765600001300 implements MigrationInterface {
  name = 'Personal1765600001300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE user_phrases (
        user_id uuid PRIMARY KEY REFERENCES users(id),
        phrases text[] NOT NULL CHECK (cardinality(phrases) <= 30),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE form_drafts (
        user_id uuid NOT NULL REFERENCES users(id),
        form_key text NOT NULL CHECK (form_key IN ('project','filing','data-request','approval','document')),
        payload jsonb NOT NULL CHECK (jsonb_typeof(payload) = 'object' AND octet_length(payload::text) <= 65536),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, form_key)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE form_drafts`);
    await q.query(`DROP TABLE user_phrases`);
  }
}

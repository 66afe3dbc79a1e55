import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 正文 with 痕迹保留 (issue 16): every save of the body at 拟稿, 核稿 or 会签, every 接受/拒绝 and the 清稿 at 签发
 * is a numbered revision of the document. `body` is the paragraphs as they read after it; `marks` the same text
 * as runs unchanged/inserted/deleted since the last accepted text, each change naming the revision that made it.
 * The number is unique per document, so two saves racing for the same number cannot both land.
 */
export class DocumentRevisions1765600000200 implements MigrationInterface {
  name = 'DocumentRevisions1765600000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE document_revisions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        document_id uuid NOT NULL REFERENCES documents(id),
        number int NOT NULL CHECK (number > 0),
        kind text NOT NULL CHECK (kind IN ('edit','accept','reject','clean')),
        step text NOT NULL CHECK (step IN ('拟稿','核稿','会签','签发')),
        author_id uuid NOT NULL REFERENCES users(id),
        -- The open task the author held: a later save by the same person on the same task replaces the revision.
        task_id uuid,
        body jsonb NOT NULL CHECK (jsonb_typeof(body) = 'array'),
        marks jsonb NOT NULL CHECK (jsonb_typeof(marks) = 'array'),
        note text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (document_id, number)
      )`);
    // One 清稿 per document: the frozen copy the typesetting reads.
    await q.query(`CREATE UNIQUE INDEX document_revisions_clean ON document_revisions (document_id) WHERE kind = 'clean'`);
    // Documents drafted before revisions existed: their body as it stands is revision 1, all accepted text.
    await q.query(`
      INSERT INTO document_revisions (document_id, number, kind, step, author_id, body, marks, created_at, updated_at)
      SELECT d.id, 1, 'edit', '拟稿', d.drafter_id, p.body,
             jsonb_build_array(jsonb_build_object('k', '=', 't', p.serialized)), d.created_at, d.updated_at
        FROM documents d
        CROSS JOIN LATERAL (
          SELECT coalesce(jsonb_agg(jsonb_build_object('level', l.level, 'text', l.text) ORDER BY l.part, l.n), '[]'::jsonb) AS body,
                 coalesce(string_agg(chr(l.mark) || l.text || chr(10), '' ORDER BY l.part, l.n), '') AS serialized
            FROM (
              SELECT 1 AS part, n, 'text' AS level, 57344 AS mark, btrim(line) AS text
                FROM regexp_split_to_table(d.body, '\\r?\\n') WITH ORDINALITY AS b(line, n) WHERE btrim(line) <> ''
              UNION ALL
              SELECT 2, n, 'attachment', 57349, btrim(line)
                FROM regexp_split_to_table(coalesce(d.attachment_note, ''), '\\r?\\n') WITH ORDINALITY AS a(line, n) WHERE btrim(line) <> ''
            ) l
        ) p`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE document_revisions`);
  }
}

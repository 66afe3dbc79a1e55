import { MigrationInterface, QueryRunner } from 'typeorm';

const GENERIC_END = `ELSE '/tasks' END;`;
// A feature's notice may name its own page; only a plain same-site path is taken (never a scheme or '//').
const WITH_LINK = `WHEN p->>'link' ~ '^/[A-Za-z0-9/_?=&.-]*$' AND left(p->>'link', 2) <> '//' THEN p->>'link'
            ELSE '/tasks' END;`;

/**
 * The bell's generic branch (a notice with `to` and `subject`) learns an explicit `link`, so a new feature's
 * notices open its own page without another branch in the trigger. The function is edited in place, not
 * restated: the one change is this CASE arm, and a missing anchor fails the migration loudly.
 */
export class NoticeLinks1765600001750 implements MigrationInterface {
  name = 'NoticeLinks1765600001750';

  async up(q: QueryRunner): Promise<void> {
    await this.rewrite(q, GENERIC_END, WITH_LINK);
  }

  async down(q: QueryRunner): Promise<void> {
    await this.rewrite(q, WITH_LINK, GENERIC_END);
  }

  private async rewrite(q: QueryRunner, from: string, to: string): Promise<void> {
    const [{ def }] = (await q.query(`SELECT pg_get_functiondef('outbox_in_app'::regproc) AS def`)) as { def: string }[];
    if (def.split(from).length !== 2) throw new Error('outbox_in_app: the generic link CASE was not found exactly once');
    await q.query(def.replace(from, () => to)); // a function: `to` holds `$'`, which a replacement string would expand
  }
}

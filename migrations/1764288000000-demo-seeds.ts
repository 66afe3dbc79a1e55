import { MigrationInterface, QueryRunner } from 'typeorm';

/** Which features' demo cases a database already holds, so `npm start` seeds each once. */
export class DemoSeeds1764288000000 implements MigrationInterface {
  name = 'DemoSeeds1764288000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE demo_seeds (name text PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE demo_seeds`);
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/** 通讯录: a person's office telephone beside the mail address users already have. */
export class Directory1765600001400 implements MigrationInterface {
  name = 'Directory1765600001400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN office_phone text CHECK (office_phone ~ '^[0-9+()（） -]{3,32}$')`);
    await q.query(
      `ALTER TABLE users ADD CONSTRAINT users_email_shape CHECK (email IS NULL OR email ~ '^[^@\\s]{1,64}@[^@\\s]{1,190}$') NOT VALID`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users DROP CONSTRAINT users_email_shape`);
    await q.query(`ALTER TABLE users DROP COLUMN office_phone`);
  }
}

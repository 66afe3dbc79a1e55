import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Camunda value types beside plain values: `variables` keeps what expressions read (a Date as its ISO
 * string, a Double 2.0 as the number 2), `variable_types` the type a worker or an integration wrote where
 * the value alone does not tell it (Date, Double, Long, Short, Object, Bytes, a typed null). A name leaves
 * the map when another step changes its value.
 *
 * Signal catches wait in message_subscriptions too (kind 'signal', the signal's name in message_name):
 * one table of event subscriptions, one statement to close those a step left behind.
 */
export class VariableTypesSignals1765400000020 implements MigrationInterface {
  name = 'VariableTypesSignals1765400000020';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE process_instances ADD COLUMN variable_types jsonb NOT NULL DEFAULT '{}'::jsonb`);
    await q.query(`ALTER TABLE message_subscriptions ADD COLUMN kind text NOT NULL DEFAULT 'message' CHECK (kind IN ('message','signal'))`);
    await q.query(`DROP INDEX message_subscriptions_name`);
    await q.query(`CREATE INDEX message_subscriptions_name ON message_subscriptions (kind, message_name, business_key)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX message_subscriptions_name`);
    await q.query(`DELETE FROM message_subscriptions WHERE kind = 'signal'`);
    await q.query(`ALTER TABLE message_subscriptions DROP COLUMN kind`);
    await q.query(`CREATE INDEX message_subscriptions_name ON message_subscriptions (message_name, business_key)`);
    await q.query(`ALTER TABLE process_instances DROP COLUMN variable_types`);
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 三员分立, second half: the 安全管理员 and the 审计员 hold no business role (they would otherwise
 * approve what they grant or audit). The api refuses it first with a clear message; this trigger
 * keeps any other writer (a script, psql) from getting round it. The person's row is locked so two
 * transactions adding the two halves at once cannot both pass.
 */
export class SecurityRolesApart1765100000001 implements MigrationInterface {
  name = 'SecurityRolesApart1765100000001';

  async up(q: QueryRunner): Promise<void> {
    const mixed: { username: string }[] = await q.query(`
      SELECT DISTINCT u.username FROM users u
        JOIN user_roles s ON s.user_id = u.id AND s.role IN ('secadmin','auditor')
        JOIN user_roles b ON b.user_id = u.id AND b.role NOT IN ('sysadmin','secadmin','auditor')`);
    if (mixed.length > 0) {
      throw new Error(
        `三员分立: ${mixed.map((r) => r.username).join(', ')} hold secadmin/auditor together with business roles; remove one before migrating`,
      );
    }
    await q.query(`
      CREATE FUNCTION user_roles_security_apart() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM 1 FROM users WHERE id = NEW.user_id FOR UPDATE;
        IF EXISTS (SELECT 1 FROM user_roles WHERE user_id = NEW.user_id AND role IN ('secadmin','auditor'))
           AND EXISTS (SELECT 1 FROM user_roles WHERE user_id = NEW.user_id AND role NOT IN ('sysadmin','secadmin','auditor')) THEN
          RAISE EXCEPTION '三员分立：安全管理员、审计员不能兼任业务角色' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'user_roles_security_apart';
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE CONSTRAINT TRIGGER user_roles_security_apart AFTER INSERT OR UPDATE ON user_roles
        FOR EACH ROW EXECUTE FUNCTION user_roles_security_apart()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER user_roles_security_apart ON user_roles`);
    await q.query(`DROP FUNCTION user_roles_security_apart()`);
  }
}

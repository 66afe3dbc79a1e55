import type { EntityManager } from 'typeorm';
import type { Principal } from '../identity/principal';

/** The units the ledgers name by code: 信息办, 信息中心 and the leading group. */
export const OFFICE = 'MLR-XXB';
export const CENTER = 'MLR-XXZX';
export const GROUP = 'MLR-LDXZ';

export interface LedgerUnits {
  office: string;
  center: string;
  group: string;
}

export async function ledgerUnits(m: EntityManager): Promise<LedgerUnits> {
  const rows: { id: string; code: string }[] = await m.query(`SELECT id, code FROM units WHERE code = ANY($1)`, [[OFFICE, CENTER, GROUP]]);
  const id = (code: string) => {
    const row = rows.find((r) => r.code === code);
    if (!row) throw new Error(`unit ${code} is missing`);
    return row.id;
  };
  return { office: id(OFFICE), center: id(CENTER), group: id(GROUP) };
}

/**
 * Seed clause 十: 信息办, 信息中心 and the leading group's members keep and read the whole ledger;
 * everybody else sees their own unit's (and subordinates') records under the platform's data scope.
 */
export async function seesWholeLedger(m: EntityManager, me: Principal): Promise<boolean> {
  const units = await ledgerUnits(m);
  if (me.unitId === units.office || me.unitId === units.center) return true;
  if (me.roles.includes('group-secretary')) return true;
  const member: unknown[] = await m.query(`SELECT 1 FROM unit_members WHERE unit_id = $1 AND user_id = $2`, [units.group, me.userId]);
  return member.length > 0;
}

/**
 * The data-scope half of the rule as SQL (for those who do not see the whole ledger): the submitting unit's subtree
 * or the implementing unit. `pathParam` binds `<escaped unit path>%`, `unitParam` the person's unit id.
 */
export function projectScopeSql(aliases: { project: string; unitPath: string }, pathParam: string, unitParam: string): string {
  return `(${aliases.unitPath} LIKE ${pathParam} ESCAPE '\\' OR ${aliases.project}.implementing_unit_id = ${unitParam}::uuid)`;
}

export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

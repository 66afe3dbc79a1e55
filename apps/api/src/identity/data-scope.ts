import { EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { NotFoundError } from '../platform/errors';
import type { Principal } from './principal';

export interface ScopeColumns {
  /** Column (with alias) holding the unit that owns the record. */
  unitColumn: string;
  /** Optional uuid[] column of units the record is explicitly addressed to. */
  addressedColumn?: string;
}

/**
 * The one data-scope rule of the platform (DESIGN.md §7): a person sees records of their own unit
 * and of the units below it, plus records addressed to their unit; never a sibling's.
 * Every feature applies it through these two functions.
 */
export function applyDataScope<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  principal: Principal,
  columns: ScopeColumns,
): SelectQueryBuilder<T> {
  return qb.andWhere(dataScopeSql(columns, ':zwScopePath', ':zwScopeUnit'), dataScopeParams(principal));
}

/**
 * The same rule as SQL text, for raw queries (search): `pathParam` binds dataScopeParams().zwScopePath and
 * `unitParam` its zwScopeUnit (e.g. `$1`, `$2::uuid`).
 */
export function dataScopeSql(columns: ScopeColumns, pathParam: string, unitParam: string): string {
  const subtree = `${columns.unitColumn} IN (SELECT su.id FROM units su WHERE su.path LIKE ${pathParam})`;
  const addressed = columns.addressedColumn ? ` OR ${unitParam} = ANY(${columns.addressedColumn})` : '';
  return `(${subtree}${addressed})`;
}

/**
 * The same rule as dataScopeSql, written so the owning-unit and addressed-unit indexes answer it (the subtree's unit
 * ids bound as an array, so the planner sees how many records they own; array containment): search reads a narrow
 * scope's records through it, and still applies dataScopeSql to every one. `subtreeParam` binds
 * subtreeUnitIds() of the same person (a uuid[]), `unitParam` as in dataScopeSql.
 */
export function dataScopeIndexedSql(columns: ScopeColumns, subtreeParam: string, unitParam: string): string {
  const subtree = `${columns.unitColumn} = ANY(${subtreeParam}::uuid[])`;
  const addressed = columns.addressedColumn ? ` OR ${columns.addressedColumn} @> ARRAY[${unitParam}]` : '';
  return `(${subtree}${addressed})`;
}

/** The ids of the units whose path dataScopeSql's `pathParam` (dataScopeParams().zwScopePath) matches: the person's subtree. */
export async function subtreeUnitIds(m: EntityManager, principal: Pick<Principal, 'unitPath' | 'unitId'>): Promise<string[]> {
  const rows: { id: string }[] = await m.query(`SELECT su.id FROM units su WHERE su.path LIKE $1`, [
    dataScopeParams(principal).zwScopePath,
  ]);
  return rows.map((r) => r.id);
}

export function dataScopeParams(principal: Pick<Principal, 'unitPath' | 'unitId'>): { zwScopePath: string; zwScopeUnit: string } {
  return { zwScopePath: `${escapeLike(principal.unitPath)}%`, zwScopeUnit: principal.unitId };
}

/** For a record already loaded: invisible records answer 404, so their existence does not leak. */
export function assertVisible(principal: Principal, record: { unitPath: string; addressedUnitIds?: string[] }, what: string): void {
  if (isVisible(principal, record)) return;
  throw new NotFoundError(what);
}

export function isVisible(principal: Principal, record: { unitPath: string; addressedUnitIds?: string[] }): boolean {
  return record.unitPath.startsWith(principal.unitPath) || (record.addressedUnitIds ?? []).includes(principal.unitId);
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

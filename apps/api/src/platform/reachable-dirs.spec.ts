import { canTraverse, pathAndParents } from './reachable-dirs';

describe('whether the postgres account can pass through a directory', () => {
  const postgres = { uid: 999, gid: 999 };

  it('reads the owner bits for its own directory, the group bits for its group, else the others bits', () => {
    expect(canTraverse({ path: '/d', mode: 0o700, uid: 999, gid: 0 }, postgres)).toBe(true);
    expect(canTraverse({ path: '/d', mode: 0o070, uid: 999, gid: 999 }, postgres)).toBe(false);
    expect(canTraverse({ path: '/d', mode: 0o710, uid: 0, gid: 999 }, postgres)).toBe(true);
    expect(canTraverse({ path: '/d', mode: 0o701, uid: 0, gid: 999 }, postgres)).toBe(false);
    expect(canTraverse({ path: '/d', mode: 0o700, uid: 0, gid: 0 }, postgres)).toBe(false);
    expect(canTraverse({ path: '/d', mode: 0o711, uid: 0, gid: 0 }, postgres)).toBe(true);
  });

  it('counts only the others bits for an account not made yet', () => {
    expect(canTraverse({ path: '/d', mode: 0o770, uid: 0, gid: 0 }, {})).toBe(false);
    expect(canTraverse({ path: '/d', mode: 0o701, uid: 0, gid: 0 }, {})).toBe(true);
  });

  it('walks a path and every directory above it, outermost first', () => {
    expect(pathAndParents('/srv/zhengwu/.data/pg')).toEqual(['/', '/srv', '/srv/zhengwu', '/srv/zhengwu/.data', '/srv/zhengwu/.data/pg']);
  });
});

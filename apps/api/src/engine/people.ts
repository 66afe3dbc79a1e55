import { ROLES, ROLE_LABELS } from '@zhengwu/contracts';
import { splitOutsideExpressions, type CompiledDefinition, type DefinitionWarning } from '@zhengwu/engine';
import type { EntityManager } from 'typeorm';

/**
 * People in diagrams. Ours pass user ids through variables (`${drafter}`); diagrams written for Camunda 7 name
 * people by user name (`camunda:assignee="demo"`, `candidateUsers="john,mary"`) and groups by id
 * (`candidateGroups="management"`). Here a user is found by id or by username, and a group is a role code; task
 * rows hold user ids, so the inbox has one rule whatever wrote the diagram.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Query = Pick<EntityManager, 'query'>;

/** A task's people as the rows hold them: user names become user ids; a name nobody has stays as written. */
export async function resolvePeople(
  m: Query,
  assignee: string | undefined,
  candidateUsers: readonly string[],
): Promise<{ assignee: string | null; candidateUsers: string[] }> {
  const names = [assignee, ...candidateUsers].filter((n): n is string => !!n && !UUID.test(n));
  if (names.length === 0) return { assignee: assignee ?? null, candidateUsers: [...candidateUsers] };
  const rows: { id: string; username: string }[] = await m.query(`SELECT id::text AS id, username FROM users WHERE username = ANY($1)`, [
    names,
  ]);
  const idOf = (name: string) => rows.find((r) => r.username === name)?.id ?? name;
  return { assignee: assignee ? idOf(assignee) : null, candidateUsers: [...new Set(candidateUsers.map(idOf))] };
}

/** The literal entries of an attribute (`a, ${f(b, c)}, d` → a, d); expressions can only be checked when they run. */
export function literalEntries(text: string | undefined): string[] {
  return text ? splitOutsideExpressions(text).filter((p) => !/[$#]\{/.test(p)) : [];
}

/**
 * Deployment warnings for the people a diagram names literally: a user nobody is (or who is deactivated), a group
 * that is no role. Camunda deploys such diagrams and so do we; the modeller learns that the task will reach nobody
 * (an administrator then assigns it from 无人办理的任务).
 */
export async function peopleWarnings(m: Query, compiled: CompiledDefinition): Promise<DefinitionWarning[]> {
  const users = new Map<string, string[]>();
  const groups: { elementId: string; label: string; group: string }[] = [];
  for (const element of compiled.elements.values()) {
    if (element.type !== 'bpmn:UserTask') continue;
    const label = element.name ? `${element.id}（${element.name}）` : element.id;
    for (const [what, text] of [
      ['办理人', element.assignee],
      ['候选人', element.candidateUsers],
    ] as const) {
      for (const name of literalEntries(text)) users.set(`${element.id}\u0000${what}\u0000${name}`, [element.id, label, what, name]);
    }
    for (const group of literalEntries(element.candidateGroups)) groups.push({ elementId: element.id, label, group });
  }
  const warnings: DefinitionWarning[] = [];
  const names = [...new Set([...users.values()].map(([, , , name]) => name))];
  const found: { id: string; username: string; is_active: boolean }[] = names.length
    ? await m.query(`SELECT id::text AS id, username, is_active FROM users WHERE username = ANY($1) OR id::text = ANY($1)`, [names])
    : [];
  for (const [elementId, label, what, name] of users.values()) {
    const user = found.find((u) => u.username === name || u.id === name);
    if (user?.is_active) continue;
    warnings.push({
      rule: 'unknown-user',
      elementId,
      message: user
        ? `用户任务 ${label}的${what}“${name}”已停用：该任务将无人办理，须由系统管理员在“无人办理的任务”中指派`
        : `用户任务 ${label}的${what}“${name}”不是本平台的用户（按用户名或人员编号查找）：该任务将无人办理，须由系统管理员在“无人办理的任务”中指派`,
    });
  }
  for (const { elementId, label, group } of groups) {
    if ((ROLES as readonly string[]).includes(group)) continue;
    warnings.push({
      rule: 'unknown-group',
      elementId,
      message: `用户任务 ${label}的候选组“${group}”不是本平台的角色代码（候选组按角色代码匹配，如 ${ROLES.slice(0, 3)
        .map((r) => `${r}（${ROLE_LABELS[r]}）`)
        .join('、')}）：该任务将无人办理，须由系统管理员在“无人办理的任务”中指派`,
    });
  }
  return warnings;
}

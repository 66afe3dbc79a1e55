import type { EntityManager } from 'typeorm';
import { formatTime, layOut, type MailContent } from './mail-templates';

/** One outbox row as the renderer reads it. */
export interface OutboxRow {
  id: string;
  topic: string;
  payload: Record<string, unknown>;
  created_at: Date;
}

/** The message as the worker sends it (stored on the row so every retry sends the same mail). */
export interface RenderedMail {
  to: string[];
  subject: string;
  text: string;
  html: string;
}

/** Either a mail, or the reason nobody is mailed (kept on the row as its note). */
export type RenderResult = { mail: RenderedMail; note?: string } | { mail?: undefined; note: string };

/** Who a notification is for: people by id, and holders of roles in units. */
interface Audience {
  userIds: string[];
  units: { unitId: string; roles: string[] }[];
  /** The person who caused it needs no mail about their own act. */
  exclude?: string[];
}

interface Draft {
  audience: Audience;
  content: MailContent;
}

interface TaskInfo {
  id: string;
  name: string;
  status: string;
  assignee: string | null;
  candidate_users: string[];
  candidate_groups: string[];
  candidate_units: string[];
  owner_unit_id: string | null;
  due_at: Date | null;
  title: string | null;
  process_name: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Who acts on a unit's 审批 (three-level approval) when a notice names only the unit. */
const APPROVAL_ROLES = ['reviewer', 'dept-approver', 'signer'];

const TASK_NOTICES: Record<string, { tag: string; line: (by: string) => string; toOwner?: boolean }> = {
  'task.urged': { tag: '催办', line: (by) => `${by}催您尽快办理以下事项。` },
  'task.transferred': { tag: '转办', line: (by) => `${by}将以下事项转交您办理。` },
  'task.assigned': { tag: '指派', line: (by) => `系统管理员${by}指派您办理以下事项（原定办理人不在本平台）。` },
  'task.delegated': { tag: '委派', line: (by) => `${by}委派您办理以下事项，办理后将交回委派人。` },
  'task.resolved': { tag: '委派已办理', line: (by) => `${by}已办理您委派的事项，请您继续处理。` },
  'task.sign-requested': { tag: '加签', line: (by) => `${by}请您对以下事项签署意见。` },
  'task.sign-returned': { tag: '加签退回', line: (by) => `${by}退回了加签，请您继续处理。` },
  'task.sign-completed': { tag: '加签完成', line: (by) => `${by}已完成加签，请您继续处理。` },
};

/** 督办 notices (apps/api/src/supervision): the tag of the subject and the first line of the mail. */
const SUPERVISION_NOTICES: Record<string, { tag: string; line: (by: string, deadline: string) => string; whileOpen?: boolean }> = {
  'supervision.created': { tag: '督办', line: (by, deadline) => `${by}对以下事项督办，请于${deadline}前办结并报告办结情况。` },
  'supervision.due-soon': {
    tag: '督办临期',
    line: (_by, deadline) => `以下督办事项将于${deadline}到期，请抓紧办理并报告办结情况。`,
    whileOpen: true,
  },
  'supervision.overdue': {
    tag: '督办逾期',
    line: (_by, deadline) => `以下督办事项已超过办结期限（${deadline}）仍未办结，请督促承办单位尽快办理。`,
    whileOpen: true,
  },
  'supervision.reported': { tag: '督办报结', line: (by) => `${by}报告以下督办事项已办结，请确认办结或退回。` },
  'supervision.closed': { tag: '督办办结', line: (by) => `${by}已确认以下督办事项办结。` },
  'supervision.returned': { tag: '督办退回', line: (by) => `${by}退回了以下督办事项的办结报告，请继续办理。` },
};

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function ids(...values: unknown[]): string[] {
  const out: string[] = [];
  for (const value of values) {
    for (const item of Array.isArray(value) ? value : [value]) if (typeof item === 'string' && UUID.test(item)) out.push(item);
  }
  return out;
}

/**
 * Turns an outbox row into a mail: who receives it (resolved to e-mail addresses now, so retries go to
 * the same people) and what it says. Each topic's payload shape is the one its feature writes.
 */
export class OutboxRenderer {
  constructor(
    private readonly m: EntityManager,
    private readonly publicUrl: string,
  ) {}

  async render(row: OutboxRow): Promise<RenderResult> {
    const draft = await this.draft(row);
    if (typeof draft === 'string') return { note: draft };
    // The same kind the bell shows (one SQL function for both), so a person's mail choice names what they see.
    const [{ kind }]: { kind: string }[] = await this.m.query(`SELECT notice_kind($1, $2::jsonb) AS kind`, [
      row.topic,
      JSON.stringify(row.payload ?? {}),
    ]);
    return this.address(draft, kind);
  }

  private async draft(row: OutboxRow): Promise<Draft | string> {
    const p = row.payload ?? {};
    const topic = row.topic;
    if (topic === 'task.created') return this.taskCreated(p);
    if (topic === 'task.overdue') return this.taskOverdue(p);
    if (TASK_NOTICES[topic]) return this.taskNotice(topic, p);
    if (topic === 'instance.terminated') return this.instanceTerminated(row);
    if (topic === 'document.receipt.overdue') return this.receiptOverdue(p);
    if (topic.startsWith('document.')) return this.documentNotice(topic, p);
    if (topic.startsWith('approval.')) return this.approvalNotice(p);
    if (SUPERVISION_NOTICES[topic]) return this.supervisionNotice(topic, p);
    const link = this.recordLink(p);
    const to = ids(p.to, p.recipients);
    const subject = str(p.subject);
    if (!subject || to.length === 0) return `该类通知（${topic}）不发送邮件：未指明收件人或标题`;
    const reason = str(p.reason) ?? str(p.opinion);
    return {
      audience: { userIds: to, units: [], exclude: ids(p.by) },
      content: { subject, lines: [subject + '。', ...(reason ? [`意见：${reason}`] : [])], link },
    };
  }

  // ---- tasks -------------------------------------------------------------------------------

  private async task(id: unknown): Promise<TaskInfo | undefined> {
    if (typeof id !== 'string' || !UUID.test(id)) return undefined;
    const rows: TaskInfo[] = await this.m.query(
      `SELECT t.id, t.name, t.status, t.assignee, t.candidate_users, t.candidate_groups, t.candidate_units, t.owner_unit_id, t.due_at,
              i.variables->>'title' AS title, i.process_name
         FROM tasks t JOIN cases i ON i.id = t.instance_id
        WHERE t.id = $1`,
      [id],
    );
    return rows[0];
  }

  /** The people a task is for now: its assignee, else the named candidates and the role holders in its units. */
  private taskAudience(task: TaskInfo): Audience {
    if (task.assignee) return { userIds: ids(task.assignee), units: [] };
    const units = task.candidate_units.length > 0 ? task.candidate_units : task.owner_unit_id ? [task.owner_unit_id] : [];
    return {
      userIds: ids(task.candidate_users),
      units: task.candidate_groups.length > 0 ? units.map((unitId) => ({ unitId, roles: task.candidate_groups })) : [],
    };
  }

  private taskLines(task: TaskInfo): string[] {
    return [
      `事项：${task.title ?? task.process_name ?? task.name}`,
      `流程：${task.process_name ?? '—'}`,
      `当前环节：${task.name}`,
      ...(task.due_at ? [`办理时限：${formatTime(task.due_at)}`] : []),
    ];
  }

  private taskLink(task: TaskInfo): MailContent['link'] {
    return { label: '点击办理', url: `${this.publicUrl}/tasks/${task.id}` };
  }

  private taskSubject(tag: string, task: TaskInfo): string {
    return `【${tag}】${task.title ?? task.process_name ?? '待办事项'}——${task.name}`;
  }

  private async taskCreated(p: Record<string, unknown>): Promise<Draft | string> {
    const task = await this.task(p.taskId);
    if (!task) return '任务不存在，不发送邮件';
    if (task.status !== 'open') return '任务在发送前已办结，不再提醒';
    return {
      audience: { ...this.taskAudience(task), exclude: ids(p.by) },
      content: {
        subject: this.taskSubject('待办', task),
        lines: ['您有一项新的待办事项，请及时办理。', ...this.taskLines(task)],
        link: this.taskLink(task),
      },
    };
  }

  private async taskOverdue(p: Record<string, unknown>): Promise<Draft | string> {
    const task = await this.task(p.taskId);
    if (!task) return '任务不存在，不发送邮件';
    if (task.status !== 'open') return '任务在发送前已办结，不再提醒';
    return {
      audience: this.taskAudience(task),
      content: {
        subject: this.taskSubject('超期提醒', task),
        lines: [`以下事项已超过办理时限（${formatTime(task.due_at)}），请尽快办理。`, ...this.taskLines(task)],
        link: this.taskLink(task),
      },
    };
  }

  private async taskNotice(topic: string, p: Record<string, unknown>): Promise<Draft | string> {
    const notice = TASK_NOTICES[topic];
    const task = await this.task(p.taskId);
    if (!task) return '任务不存在，不发送邮件';
    if (task.status !== 'open') return '任务在发送前已办结，不再提醒';
    const to = ids(p.to);
    const audience = to.length > 0 ? { userIds: to, units: [] } : this.taskAudience(task);
    return {
      audience: { ...audience, exclude: ids(p.by) },
      content: {
        subject: this.taskSubject(notice.tag, task),
        lines: [notice.line(await this.nameOf(p.by)), ...this.taskLines(task)],
        link: this.taskLink(task),
      },
    };
  }

  /**
   * The starter learns that their case was ended by someone else — unless a feature already wrote its
   * own result notice in the same transaction (rows of one transaction share created_at = now()).
   */
  private async instanceTerminated(row: OutboxRow): Promise<Draft | string> {
    const p = row.payload;
    const instanceId = ids(p.instanceId)[0];
    if (!instanceId) return '流程不存在，不发送邮件';
    const sibling: unknown[] = await this.m.query(
      `SELECT 1 FROM outbox WHERE created_at = $1 AND id <> $2 AND topic NOT LIKE 'task.%' AND topic <> 'instance.terminated' LIMIT 1`,
      [row.created_at, row.id],
    );
    if (sibling.length > 0) return '业务结果通知已另行发送';
    const [instance]: { started_by: string | null; title: string | null; process_name: string | null }[] = await this.m.query(
      `SELECT i.started_by, i.variables->>'title' AS title, i.process_name FROM cases i WHERE i.id = $1`,
      [instanceId],
    );
    if (!instance?.started_by) return '流程无发起人，不发送邮件';
    const what = instance.title ?? instance.process_name ?? '流程';
    const reason = str(p.reason);
    return {
      audience: { userIds: [instance.started_by], units: [], exclude: ids(p.by) },
      content: {
        subject: `【流程终止】${what}`,
        lines: [`您发起的“${what}”已被${await this.nameOf(p.by)}终止办理。`, ...(reason ? [`原因：${reason}`] : [])],
        link: { label: '查看已发事项', url: `${this.publicUrl}/tasks?view=started` },
      },
    };
  }

  // ---- features ----------------------------------------------------------------------------

  private async documentNotice(topic: string, p: Record<string, unknown>): Promise<Draft | string> {
    const documentId = ids(p.documentId)[0];
    const to = ids(p.to);
    if (!documentId || to.length === 0) return '公文通知未指明收件人，不发送邮件';
    const title = `《${str(p.title) ?? '公文'}》${str(p.docNumber) ? `（${String(p.docNumber)}）` : ''}`;
    let subject: string;
    let line: string;
    if (topic === 'document.distributed') {
      const count = Array.isArray(p.recipients) ? p.recipients.length : 0;
      subject = `【公文分发】${title}已分发`;
      line = `您起草的公文${title}已分发至${count}个单位。`;
    } else if (topic === 'document.refused') {
      const unit = await this.unitName(p.unitId);
      subject = `【退文】${title}被${unit}退回`;
      line = `您起草的公文${title}被${unit}退文，请查看退文理由并处理。`;
    } else if (topic === 'document.result') {
      subject = `【公文办理结果】${title}：${str(p.result) ?? '已办结'}`;
      line = `您起草的公文${title}办理结果：${str(p.result) ?? '已办结'}。`;
    } else {
      subject = `【公文】${title}`;
      line = `您起草的公文${title}有新的进展。`;
    }
    return {
      audience: { userIds: to, units: [] },
      content: { subject, lines: [line], link: { label: '查看公文', url: `${this.publicUrl}/documents/${documentId}` } },
    };
  }

  private async receiptOverdue(p: Record<string, unknown>): Promise<Draft | string> {
    const unitId = ids(p.toUnit)[0];
    const role = str(p.toRole);
    if (!unitId || !role) return '签收催办未指明单位或角色，不发送邮件';
    const receiptId = ids(p.receiptId)[0];
    const open: { id: string }[] = receiptId
      ? await this.m.query(
          `SELECT t.id FROM document_receipts r JOIN tasks t ON t.instance_id = r.instance_id AND t.status = 'open' WHERE r.id = $1 LIMIT 1`,
          [receiptId],
        )
      : [];
    const subject = str(p.subject) ?? '催办：公文尚未签收';
    return {
      audience: { userIds: [], units: [{ unitId, roles: [role] }] },
      content: {
        subject: `【催办】${subject.replace(/^催办：/, '')}`,
        lines: [`${subject}。请尽快签收办理。`],
        link: open[0]
          ? { label: '点击签收', url: `${this.publicUrl}/tasks/${open[0].id}` }
          : { label: '查看公文', url: `${this.publicUrl}/documents/${String(p.documentId)}` },
      },
    };
  }

  private approvalNotice(p: Record<string, unknown>): Draft | string {
    const subject = str(p.subject);
    const approvalId = ids(p.approvalId)[0];
    if (!subject || !approvalId) return '审批通知缺少标题，不发送邮件';
    const to = ids(p.to);
    const unitId = ids(p.unitId)[0];
    const audience: Audience =
      to.length > 0 ? { userIds: to, units: [] } : { userIds: [], units: unitId ? [{ unitId, roles: APPROVAL_ROLES }] : [] };
    return {
      audience,
      content: { subject, lines: [subject + '。'], link: { label: '查看审批事项', url: `${this.publicUrl}/approvals/${approvalId}` } },
    };
  }

  /** 督办: people by id (the creator, the leaders) and the handling roles of the responsible unit. */
  private async supervisionNotice(topic: string, p: Record<string, unknown>): Promise<Draft | string> {
    const notice = SUPERVISION_NOTICES[topic];
    const itemId = ids(p.itemId)[0];
    if (!itemId) return '督办通知未指明督办事项，不发送邮件';
    const [item]: { title: string; opinion: string; deadline: string; stage: string; unit_name: string }[] = await this.m.query(
      `SELECT s.title, s.opinion, to_char(s.deadline, 'YYYY-MM-DD') AS deadline, s.stage, u.name AS unit_name
         FROM supervision_items s JOIN units u ON u.id = s.unit_id WHERE s.id = $1`,
      [itemId],
    );
    if (!item) return '督办事项不存在，不发送邮件';
    if (notice.whileOpen && item.stage !== 'open') return '督办事项在发送前已报告办结，不再提醒';
    const unitId = ids(p.unitId)[0];
    const roles = Array.isArray(p.roles) ? p.roles.filter((r): r is string => typeof r === 'string') : [];
    const reason = str(p.reason) ?? str(p.opinion);
    return {
      audience: { userIds: ids(p.to), units: unitId && roles.length > 0 ? [{ unitId, roles }] : [], exclude: ids(p.by) },
      content: {
        subject: `【${notice.tag}】${item.title}`,
        lines: [
          notice.line(await this.nameOf(p.by), item.deadline),
          `督办事项：${item.title}`,
          `承办单位：${item.unit_name}`,
          `办结期限：${item.deadline}`,
          `督办意见：${item.opinion}`,
          ...(reason ? [`${topic === 'supervision.returned' ? '退回理由' : '办结情况'}：${reason}`] : []),
        ],
        link: { label: '查看督办事项', url: `${this.publicUrl}/supervision/${itemId}` },
      },
    };
  }

  /** Filing, data request and project notices name their record; the link opens it. */
  private recordLink(p: Record<string, unknown>): MailContent['link'] {
    const kinds: [string, string][] = [
      ['filingId', 'filings'],
      ['requestId', 'data-requests'],
      ['projectId', 'projects'],
      ['approvalId', 'approvals'],
      ['documentId', 'documents'],
    ];
    for (const [key, path] of kinds) {
      const id = ids(p[key])[0];
      if (id) return { label: '查看详情', url: `${this.publicUrl}/${path}/${id}` };
    }
    return { label: '进入政务办公平台', url: `${this.publicUrl}/tasks` };
  }

  // ---- people ------------------------------------------------------------------------------

  private async nameOf(userId: unknown): Promise<string> {
    const id = ids(userId)[0];
    if (!id) return '系统';
    const rows: { display_name: string }[] = await this.m.query(`SELECT display_name FROM users WHERE id = $1`, [id]);
    return rows[0]?.display_name ?? '系统';
  }

  private async unitName(unitId: unknown): Promise<string> {
    const id = ids(unitId)[0];
    if (!id) return '收文单位';
    const rows: { name: string }[] = await this.m.query(`SELECT name FROM units WHERE id = $1`, [id]);
    return rows[0]?.name ?? '收文单位';
  }

  /** Resolves the audience to active people with an address; the others are named in the note. */
  private async address(draft: Draft, kind: string): Promise<RenderResult> {
    const { audience } = draft;
    const everyone: { id: string; display_name: string; email: string | null; mail_off: boolean }[] = await this.m.query(
      `SELECT u.id, u.display_name, u.email,
              EXISTS (SELECT 1 FROM notification_preferences np
                       WHERE np.user_id = u.id AND (NOT np.mail_enabled OR $4 = ANY(np.mail_off_kinds))) AS mail_off
         FROM users u
        WHERE u.is_active AND (u.id = ANY($1::uuid[]) OR EXISTS (
              SELECT 1 FROM jsonb_to_recordset($2::jsonb) AS a("unitId" uuid, roles text[])
                JOIN user_roles r ON r.user_id = u.id AND r.role = ANY(a.roles)
               WHERE u.unit_id = a."unitId"))
          AND NOT (u.id = ANY($3::uuid[]))
        ORDER BY u.username`,
      [audience.userIds, JSON.stringify(audience.units), audience.exclude ?? [], kind],
    );
    // People who turned this mail off still get the bell notice (written with the outbox row); they get no mail.
    const people = everyone.filter((person) => !person.mail_off);
    const muted = everyone.filter((person) => person.mail_off).map((person) => person.display_name);
    const reachable = people.filter((person) => person.email && person.email.includes('@'));
    const missing = people.filter((person) => !reachable.includes(person)).map((person) => person.display_name);
    const notes = [
      ...(missing.length > 0 ? [`未登记电子邮箱：${missing.join('、')}`] : []),
      ...(muted.length > 0 ? [`本人已关闭此类邮件：${muted.join('、')}`] : []),
    ];
    const note = notes.length > 0 ? notes.join('；') : undefined;
    if (reachable.length === 0) return { note: note ?? '没有需要通知的人员' };
    const names = reachable.map((person) => person.display_name);
    const greeting = names.length <= 3 ? `${names.join('、')}：您好！` : '各位同事：您好！';
    const laidOut = layOut(draft.content, greeting);
    const to = [...new Set(reachable.map((person) => person.email!.trim()))];
    return { mail: { to, ...laidOut }, note };
  }
}

/** What the diagram highlights, from GET /api/tasks/:id/diagram. No Angular; tested in diagram.logic.spec.ts. */

/** A timer, message or signal the case waits for now. */
export interface DiagramWait {
  activityId: string;
  kind: 'timer' | 'message' | 'signal';
  /** When a timer fires (ISO). */
  dueAt: string | null;
  /** The message's or signal's name. */
  name: string | null;
}

export interface DiagramData {
  xml: string;
  /**
   * How often each activity ran to completion (completed), runs now (active) and was passed over (skipped: a
   * branch not taken, a boundary timer whose task finished first); counts or flags. Older answers lack skipped.
   */
  activities: {
    activityId: string;
    active: number | boolean;
    completed: number | boolean;
    skipped?: number | boolean;
  }[];
  holders: { activityId: string; name: string }[];
  /** Older answers lack waits. */
  waits?: DiagramWait[];
}

export interface DiagramMarks {
  /** Steps done and not running now (green). */
  completed: string[];
  /** Steps running now (blue), a waiting timer or message catch among them. */
  active: string[];
  /** Armed and not running: a boundary timer or message on a current step (blue, dotted). */
  waiting: string[];
  /** Steps the case passed over and never ran (grey, dashed). */
  skipped: string[];
  /** Who holds each current step. */
  holders: Record<string, string[]>;
  /** What each waiting element waits for, in words (到期 12-10 09:00, 等待消息 …). */
  waitLabels: Record<string, string>;
  /** The same in words, for screen readers. */
  description: string;
}

const count = (v: number | boolean): number => (typeof v === 'boolean' ? Number(v) : v);

const pad = (n: number) => String(n).padStart(2, '0');

/** A due time as the office reads it, in the browser's time zone: 12-10 09:00 (with the year when not this year). */
export function dueText(iso: string, now: Date = new Date()): string {
  const due = new Date(iso);
  const day = `${pad(due.getMonth() + 1)}-${pad(due.getDate())} ${pad(due.getHours())}:${pad(due.getMinutes())}`;
  return due.getFullYear() === now.getFullYear() ? day : `${due.getFullYear()}-${day}`;
}

/** One wait in words. */
export function waitText(wait: DiagramWait, now: Date = new Date()): string {
  if (wait.kind === 'timer')
    return wait.dueAt ? `定时 ${dueText(wait.dueAt, now)} 到期` : '定时等待';
  const what = wait.kind === 'message' ? '消息' : '信号';
  return wait.name ? `等待${what}“${wait.name}”` : `等待${what}`;
}

export function diagramMarks(
  data: Pick<DiagramData, 'activities' | 'holders' | 'waits'>,
  now: Date = new Date(),
): DiagramMarks {
  const active = data.activities.filter((a) => count(a.active) > 0).map((a) => a.activityId);
  const completed = data.activities
    .filter((a) => count(a.completed) > 0 && count(a.active) === 0)
    .map((a) => a.activityId);
  // A step that ran once and was passed over on a later round (退回 loops) still counts as done.
  const skippedOnce = data.activities
    .filter((a) => count(a.skipped ?? 0) > 0 && count(a.completed) === 0 && count(a.active) === 0)
    .map((a) => a.activityId);
  const holders: Record<string, string[]> = {};
  for (const h of data.holders) {
    const names = (holders[h.activityId] ??= []);
    if (!names.includes(h.name)) names.push(h.name);
  }
  const waitLabels: Record<string, string> = {};
  for (const w of data.waits ?? []) {
    const text = waitText(w, now);
    waitLabels[w.activityId] = waitLabels[w.activityId]
      ? `${waitLabels[w.activityId]}；${text}`
      : text;
  }
  // A boundary event that waits is armed, not running: drawn apart from the step it sits on.
  const waiting = Object.keys(waitLabels).filter(
    (id) => !active.includes(id) && !completed.includes(id),
  );
  // A timer passed over on an earlier round (退回) and armed again waits now.
  const skipped = skippedOnce.filter((id) => !waiting.includes(id));
  const current = active.map((id) => {
    const who = [...(holders[id] ?? []), ...(waitLabels[id] ? [waitLabels[id]] : [])];
    return who.length ? `${id}（${who.join('、')}）` : id;
  });
  const description =
    `流程图：已完成 ${completed.length} 个环节` +
    (current.length ? `，当前环节 ${current.join('，')}` : '，流程已无待办环节') +
    (waiting.length
      ? `，等待 ${waiting.map((id) => `${id}（${waitLabels[id]}）`).join('，')}`
      : '') +
    (skipped.length ? `，未经过 ${skipped.length} 个环节` : '');
  return { completed, active, waiting, skipped, holders, waitLabels, description };
}

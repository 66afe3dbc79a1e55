/** What the diagram highlights, from GET /api/tasks/:id/diagram. No Angular; tested in diagram.logic.spec.ts. */

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
}

export interface DiagramMarks {
  /** Steps done and not running now (green). */
  completed: string[];
  /** Steps running now (blue). */
  active: string[];
  /** Steps the case passed over and never ran (grey, dashed). */
  skipped: string[];
  /** Who holds each current step. */
  holders: Record<string, string[]>;
  /** The same in words, for screen readers. */
  description: string;
}

const count = (v: number | boolean): number => (typeof v === 'boolean' ? Number(v) : v);

export function diagramMarks(data: Pick<DiagramData, 'activities' | 'holders'>): DiagramMarks {
  const active = data.activities.filter((a) => count(a.active) > 0).map((a) => a.activityId);
  const completed = data.activities
    .filter((a) => count(a.completed) > 0 && count(a.active) === 0)
    .map((a) => a.activityId);
  // A step that ran once and was passed over on a later round (退回 loops) still counts as done.
  const skipped = data.activities
    .filter((a) => count(a.skipped ?? 0) > 0 && count(a.completed) === 0 && count(a.active) === 0)
    .map((a) => a.activityId);
  const holders: Record<string, string[]> = {};
  for (const h of data.holders) {
    const names = (holders[h.activityId] ??= []);
    if (!names.includes(h.name)) names.push(h.name);
  }
  const current = active.map((id) =>
    holders[id]?.length ? `${id}（${holders[id].join('、')}）` : id,
  );
  const description =
    `流程图：已完成 ${completed.length} 个环节` +
    (current.length ? `，当前环节 ${current.join('，')}` : '，流程已无待办环节') +
    (skipped.length ? `，未经过 ${skipped.length} 个环节` : '');
  return { completed, active, skipped, holders, description };
}

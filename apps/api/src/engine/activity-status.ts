import type { ProcessModel } from '@zhengwu/engine';
import type { ActivityStatus } from './engine.port';

/** One element's history rows, counted by event. */
export interface HistoryCounts {
  activity_id: string;
  started: number;
  ended: number;
  discarded: number;
}

/**
 * What an element's history says of it: completed only when it ran to completion (an `end` row), skipped when it
 * was discarded (a branch not taken, a boundary timer whose task completed, a task its boundary event interrupted),
 * active while it started and has neither. On a case that has ended nothing is active: a start without an outcome
 * there was cancelled with the case (终止) or predates the runtime recording cancellations, so it counts as skipped.
 */
export function activityStatus(counts: HistoryCounts, isRunning: boolean): ActivityStatus {
  const open = Math.max(0, counts.started - counts.ended - counts.discarded);
  return {
    activityId: counts.activity_id,
    active: isRunning ? open : 0,
    completed: counts.ended,
    skipped: counts.discarded + (isRunning ? 0 : open),
  };
}

/**
 * The elements a case has passed over (未经过): never reached, and no longer reachable from where it stands — along
 * the flows from every running element, its boundary events, the content and continuation of a sub-process, links
 * and the event sub-processes of the scopes still running. On an ended case that is everything it never reached.
 */
export function passedOver(model: ProcessModel, activities: readonly ActivityStatus[]): string[] {
  const seen = new Set(activities.filter((a) => a.active > 0 || a.completed > 0 || a.skipped > 0).map((a) => a.activityId));
  const reachable = new Set<string>();
  const done = new Set<string>();
  // [element, entered]: an element entered anew runs its content; one running now, or a scope being left, does not.
  const queue: [string, boolean][] = activities.filter((a) => a.active > 0).map((a) => [a.activityId, false]);
  if (queue.length > 0) queue.push([model.id, false]);
  const visit = (id: string | undefined, entered = true) => {
    if (id && !done.has(`${id}:${entered}`)) queue.push([id, entered]);
  };
  while (queue.length > 0) {
    const [id, entered] = queue.pop()!;
    if (done.has(`${id}:${entered}`)) continue;
    done.add(`${id}:${entered}`);
    const node = model.nodes.get(id);
    if (!node) continue;
    reachable.add(id);
    for (const flowId of node.outgoing) visit(model.flows.get(flowId)?.target);
    node.boundary.forEach((b) => visit(b));
    for (const sub of node.eventSubProcesses ?? []) model.nodes.get(sub)?.starts?.forEach((s) => visit(s));
    if (entered && node.type === 'bpmn:SubProcess' && !node.triggeredByEvent) node.starts?.forEach((s) => visit(s));
    const parent = node.scope ? model.nodes.get(node.scope) : undefined;
    if (parent?.type === 'bpmn:SubProcess') visit(parent.id, false);
    if (node.event?.kind === 'link' && node.type === 'bpmn:IntermediateThrowEvent')
      visit(model.linkTarget(node.scope, node.event.linkName));
  }
  return [...model.nodes.values()].filter((n) => n.type !== 'bpmn:Process' && !seen.has(n.id) && !reachable.has(n.id)).map((n) => n.id);
}

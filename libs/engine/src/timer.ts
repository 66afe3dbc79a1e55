import { Cron } from 'croner';

/** A timer definition the runtime cannot schedule: the text and why. */
export class TimerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimerError';
  }
}

const DURATION =
  /^P(?!$)(?:(\d+(?:[.,]\d+)?)Y)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?(?:T(?=\d)(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/;

/** Adds an ISO 8601 duration (PnYnMnWnDTnHnMnS) to a moment; years and months are calendar months. */
export function addDuration(from: Date, text: string): Date {
  const m = DURATION.exec(text.trim());
  if (!m) throw new TimerError(`“${text}” 不是 ISO 8601 时长（如 PT30M、P3D、P1DT12H）`);
  const n = (i: number) => Number((m[i] ?? '0').replace(',', '.'));
  const out = new Date(from.getTime());
  if (n(1) || n(2)) out.setUTCMonth(out.getUTCMonth() + Math.trunc(n(1) * 12 + n(2)));
  const ms = (((n(3) * 7 + n(4)) * 24 + n(5)) * 60 + n(6)) * 60_000 + n(7) * 1000;
  return new Date(out.getTime() + ms);
}

export function parseDate(text: string): Date {
  const date = new Date(text.trim());
  if (!/^\d{4}-\d{2}-\d{2}/.test(text.trim()) || Number.isNaN(date.getTime()))
    throw new TimerError(`“${text}” 不是 ISO 8601 时间（如 2027-01-01T08:00:00+08:00）`);
  return date;
}

/** Quartz cron as Camunda 7 writes it (seconds first, `?`, Sunday = 1) into croner's dialect. */
function cronOf(text: string, timezone: string): Cron {
  const fields = text.trim().split(/\s+/);
  if (fields.length === 7) {
    if (fields[6] !== '*' && fields[6] !== '?') throw new TimerError(`cron 表达式 “${text}” 的年份字段只支持 *`);
    fields.pop();
  }
  const ranges = [59, 59, 23, 31, 12, 7];
  const converted = fields.map((field, i) => {
    let f = field === '?' ? '*' : field;
    // Quartz allows a numeric start before a step (0/5); croner wants a range.
    f = f.replace(/^(\d+)\/(\d+)$/, (_all, start: string, step: string) => `${start}-${ranges[i]}/${step}`);
    if (i === 5) f = f.replace(/(^|[,-])(\d+)/g, (_all, lead: string, d: string) => `${lead}${(Number(d) + 6) % 7}`);
    return f;
  });
  try {
    return new Cron(converted.join(' '), { paused: true, timezone, domAndDow: true });
  } catch (error) {
    throw new TimerError(`cron 表达式 “${text}” 无效：${error instanceof Error ? error.message : String(error)}`);
  }
}

export function isCron(text: string): boolean {
  return /^\S+(\s+\S+){5,6}$/.test(text.trim());
}

/** A repeating timer: fires at `next`, then `remaining` more times (undefined: without end). */
export interface Cycle {
  next: Date;
  remaining?: number;
  /** What schedules the following firing: an interval, or a cron. */
  every: { duration: string } | { cron: string };
  end?: string;
}

/** The first firing of a `timeCycle`: `R[n]/[start/]duration[/end]` or a Quartz cron. */
export function startCycle(text: string, now: Date, timezone: string): Cycle | undefined {
  const body = text.trim();
  if (isCron(body)) {
    const next = cronOf(body, timezone).nextRun(now);
    return next ? { next, every: { cron: body } } : undefined;
  }
  const parts = body.split('/');
  const repeat = /^R(\d*)$/.exec(parts[0]);
  if (!repeat || parts.length < 2 || parts.length > 3)
    throw new TimerError(`定时器周期 “${text}” 须是 ISO 8601 重复周期（如 R3/PT10M、R/2027-01-01T08:00:00+08:00/P1D）或 cron 表达式`);
  const count = repeat[1] === '' ? undefined : Number(repeat[1]);
  let start: Date | undefined;
  let duration: string;
  let end: string | undefined;
  if (parts.length === 3 && parts[1].startsWith('P')) {
    duration = parts[1];
    end = parts[2];
    parseDate(end);
  } else if (parts.length === 3) {
    start = parseDate(parts[1]);
    duration = parts[2];
  } else duration = parts[1];
  addDuration(now, duration);
  if (count === 0) return undefined;
  let next = start ?? addDuration(now, duration);
  let remaining = count === undefined ? undefined : count - 1;
  // A start in the past: the next firing still to come, as a schedule would have it.
  while (start && next.getTime() < now.getTime() && (remaining === undefined || remaining > 0)) {
    next = addDuration(next, duration);
    if (remaining !== undefined) remaining--;
  }
  if (end && next.getTime() > parseDate(end).getTime()) return undefined;
  return { next, remaining, every: { duration }, end };
}

/** The firing after `cycle.next`, or undefined when the cycle is spent. */
export function nextCycle(cycle: Cycle, timezone: string): Cycle | undefined {
  if (cycle.remaining !== undefined && cycle.remaining <= 0) return undefined;
  const next =
    'cron' in cycle.every ? cronOf(cycle.every.cron, timezone).nextRun(cycle.next) : addDuration(cycle.next, cycle.every.duration);
  if (!next) return undefined;
  if (cycle.end && next.getTime() > parseDate(cycle.end).getTime()) return undefined;
  return { ...cycle, next, remaining: cycle.remaining === undefined ? undefined : cycle.remaining - 1 };
}

/** Checks a literal timer at deployment exactly as the runtime will read it. */
export function checkTimerText(kind: 'timeDate' | 'timeDuration' | 'timeCycle', text: string, timezone = 'Asia/Shanghai'): void {
  if (kind === 'timeDate') parseDate(text);
  else if (kind === 'timeDuration') addDuration(new Date(0), text);
  else startCycle(text, new Date(), timezone);
}

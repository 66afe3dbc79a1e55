/**
 * Chinese working days (法定工作日): Monday to Friday, minus the statutory holidays, plus the
 * adjusted weekend workdays (调休上班). Days are counted in China Standard Time (UTC+8, no DST).
 */
export type CalendarDayKind = 'holiday' | 'workday';

export interface CalendarDay {
  /** YYYY-MM-DD in China Standard Time. */
  day: string;
  kind: CalendarDayKind;
  name?: string;
}

const CST_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export class WorkingCalendar {
  private readonly days = new Map<string, CalendarDayKind>();

  constructor(days: readonly CalendarDay[] = []) {
    for (const d of days) this.days.set(d.day, d.kind);
  }

  /** The CST calendar day of an instant, as YYYY-MM-DD. */
  static dayOf(at: Date): string {
    return new Date(at.getTime() + CST_OFFSET_MS).toISOString().slice(0, 10);
  }

  isWorkingDay(day: string): boolean {
    const kind = this.days.get(day);
    if (kind === 'holiday') return false;
    if (kind === 'workday') return true;
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
    return weekday !== 0 && weekday !== 6;
  }

  /**
   * The instant `count` working days after `from`, at the same CST time of day: a case received on
   * Friday 15:00 with 3 working days is due Wednesday 15:00 (or later across a holiday).
   */
  addWorkingDays(from: Date, count: number): Date {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`工作日数须为非负整数，收到 ${count}`);
    let at = from.getTime();
    let left = count;
    while (left > 0) {
      at += DAY_MS;
      if (this.isWorkingDay(WorkingCalendar.dayOf(new Date(at)))) left--;
    }
    return new Date(at);
  }

  /** Working days strictly after `from`'s day up to and including `to`'s day (negative when overdue). */
  workingDaysBetween(from: Date, to: Date): number {
    const sign = to >= from ? 1 : -1;
    const [a, b] = sign > 0 ? [from, to] : [to, from];
    let count = 0;
    for (let t = a.getTime() + DAY_MS; WorkingCalendar.dayOf(new Date(t)) <= WorkingCalendar.dayOf(b); t += DAY_MS) {
      if (this.isWorkingDay(WorkingCalendar.dayOf(new Date(t)))) count++;
    }
    return sign * count;
  }
}

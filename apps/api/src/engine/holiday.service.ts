import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { WorkingCalendar } from '@zhengwu/engine';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';

export interface HolidayEntry {
  day: string;
  kind: 'holiday' | 'workday';
  name: string;
}

const CACHE_MS = 60_000;

/** 法定节假日 and 调休 workdays; the calendar is cached briefly and rebuilt after every edit. */
@Injectable()
export class HolidayService {
  private cached?: { at: number; calendar: Promise<WorkingCalendar> };

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  calendar(): Promise<WorkingCalendar> {
    if (this.cached && Date.now() - this.cached.at < CACHE_MS) return this.cached.calendar;
    const calendar = this.list().then((entries) => new WorkingCalendar(entries.map((e) => ({ day: e.day, kind: e.kind }))));
    this.cached = { at: Date.now(), calendar };
    calendar.catch(() => (this.cached = undefined));
    return calendar;
  }

  async list(year?: number): Promise<HolidayEntry[]> {
    const rows: HolidayEntry[] = year
      ? await this.dataSource.query(
          `SELECT to_char(day, 'YYYY-MM-DD') AS day, kind, name FROM holidays WHERE extract(year FROM day) = $1 ORDER BY day`,
          [year],
        )
      : await this.dataSource.query(`SELECT to_char(day, 'YYYY-MM-DD') AS day, kind, name FROM holidays ORDER BY day`);
    return rows;
  }

  async put(entry: HolidayEntry): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await m.query(
        `INSERT INTO holidays (day, kind, name) VALUES ($1, $2, $3) ON CONFLICT (day) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name, updated_at = now()`,
        [entry.day, entry.kind, entry.name],
      );
      await this.audit.record(
        { action: 'engine.holiday.put', objectType: 'holiday', objectId: entry.day, detail: { kind: entry.kind, name: entry.name } },
        m,
      );
    });
    this.cached = undefined;
  }

  async remove(day: string): Promise<boolean> {
    const removed = await this.dataSource.transaction(async (m) => {
      const rows: { day: string }[] = await m.query(`SELECT day FROM holidays WHERE day = $1`, [day]);
      if (rows.length === 0) return false;
      await m.query(`DELETE FROM holidays WHERE day = $1`, [day]);
      await this.audit.record({ action: 'engine.holiday.delete', objectType: 'holiday', objectId: day }, m);
      return true;
    });
    this.cached = undefined;
    return removed;
  }
}

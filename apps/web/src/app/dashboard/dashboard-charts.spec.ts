import {
  avgHandlingOption,
  openByUnitOption,
  overdueRateOption,
  percent,
  totals,
  weekLabel,
  weeklyOption,
} from './dashboard-charts';
import type { DashboardFigures } from './dashboard.types';

const figures: DashboardFigures = {
  openByUnit: [
    { unit: '规划司', open: 5, overdue: 2 },
    { unit: '江苏省', open: 3, overdue: 0 },
  ],
  overdueRate: 0.25,
  avgHandlingHoursByStep: [
    { process: '公文交换', step: '核稿', hours: 2.5, count: 4 },
    { process: '公文交换', step: '签发', hours: 30, count: 2 },
  ],
  weekly: [
    { week: '2026-11-16', started: 3, finished: 1 },
    { week: '2026-11-23', started: 2, finished: 4 },
  ],
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- reading into loose chart options
type Loose = any;

describe('工作台 chart options', () => {
  it('splits each unit into on-time and overdue open tasks', () => {
    const o: Loose = openByUnitOption(figures.openByUnit);
    expect(o.xAxis.data).toEqual(['规划司', '江苏省']);
    expect(o.series[0].data).toEqual([3, 3]);
    expect(o.series[1].data).toEqual([2, 0]);
  });

  it('shows the overdue rate as a percentage', () => {
    const o: Loose = overdueRateOption(0.25);
    expect(o.series[0].data[0].value).toBe(25);
    expect(percent(0.1234)).toBe('12.3%');
    expect(percent(Number.NaN)).toBe('0%');
  });

  it('puts the slowest step on top of the handling-time bars', () => {
    const o: Loose = avgHandlingOption(figures.avgHandlingHoursByStep);
    expect(o.yAxis.data).toEqual(['公文交换 · 核稿', '公文交换 · 签发']);
    expect(o.series[0].data.map((d: { value: number }) => d.value)).toEqual([2.5, 30]);
  });

  it('draws started and finished cases per week', () => {
    const o: Loose = weeklyOption(figures.weekly);
    expect(o.xAxis.data).toEqual(['11-16 周', '11-23 周']);
    expect(o.series[0].data).toEqual([3, 2]);
    expect(o.series[1].data).toEqual([1, 4]);
    expect(weekLabel('第1周')).toBe('第1周');
  });

  it('puts the legends under the plot, clear of the axis name and the rotated unit names', () => {
    for (const o of [
      openByUnitOption(figures.openByUnit),
      weeklyOption(figures.weekly),
    ] as Loose[]) {
      expect(o.legend.top).toBeUndefined();
      expect(o.legend.bottom).toBe(0);
      expect(o.grid.bottom).toBeGreaterThanOrEqual(28);
      expect(o.grid.top).toBeGreaterThanOrEqual(28);
    }
    const narrow: Loose = openByUnitOption(
      ['甲', '乙', '丙', '丁'].map((unit) => ({ unit, open: 1, overdue: 0 })),
      true,
    );
    expect(narrow.xAxis.axisLabel.rotate).toBe(30);
    expect(
      (avgHandlingOption(figures.avgHandlingHoursByStep, 12, true) as Loose).yAxis.axisLabel.width,
    ).toBeLessThan(150);
  });

  it('adds up the headline numbers', () => {
    expect(totals(figures)).toEqual({ open: 8, overdue: 2, started: 5, finished: 5 });
  });
});

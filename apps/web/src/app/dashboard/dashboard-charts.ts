/** ECharts options built from the 工作台 figures: pure functions, tested in dashboard-charts.spec.ts. */
import type { DashboardFigures } from './dashboard.types';

// Loose option objects: echarts' own types would pull the library into the spec.
export type ChartOption = Record<string, unknown>;

const RED = '#cf1322';
const BLUE = '#0958d9';
const GREEN = '#52c41a';

/**
 * Legends sit under the plot and the grid leaves room for them and for the y-axis name above: a legend at the top
 * drew over the axis name "件", and rotated unit names ran into it.
 */
const LEGEND = { bottom: 0, left: 'center', itemGap: 16 };
const GRID_WITH_LEGEND = { left: 8, right: 16, top: 32, bottom: 32, containLabel: true };

/** 0.1234 → "12.3%". */
export function percent(rate: number): string {
  if (!Number.isFinite(rate)) return '0%';
  return `${(Math.round(rate * 1000) / 10).toString()}%`;
}

/** Stacked bars: on-time and overdue open tasks per unit. */
export function openByUnitOption(
  rows: DashboardFigures['openByUnit'],
  narrow = false,
): ChartOption {
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { ...LEGEND, data: ['未超期', '已超期'] },
    grid: GRID_WITH_LEGEND,
    xAxis: {
      type: 'category',
      data: rows.map((r) => r.unit),
      axisLabel: {
        interval: 0,
        rotate: rows.length > (narrow ? 3 : 5) ? 30 : 0,
        width: narrow ? 64 : 96,
        overflow: 'truncate',
      },
    },
    yAxis: { type: 'value', minInterval: 1, name: '件' },
    series: [
      {
        name: '未超期',
        type: 'bar',
        stack: 'open',
        data: rows.map((r) => r.open - r.overdue),
        itemStyle: { color: BLUE },
      },
      {
        name: '已超期',
        type: 'bar',
        stack: 'open',
        data: rows.map((r) => r.overdue),
        itemStyle: { color: RED },
      },
    ],
  };
}

/** A gauge of the overdue share of open tasks. */
export function overdueRateOption(rate: number): ChartOption {
  const value = Math.round((Number.isFinite(rate) ? rate : 0) * 1000) / 10;
  return {
    series: [
      {
        type: 'gauge',
        min: 0,
        max: 100,
        progress: {
          show: true,
          width: 14,
          itemStyle: { color: value > 20 ? RED : value > 5 ? '#fa8c16' : GREEN },
        },
        axisLine: { lineStyle: { width: 14 } },
        detail: { valueAnimation: true, formatter: '{value}%', fontSize: 22 },
        data: [{ value, name: '超期率' }],
      },
    ],
  };
}

/** Horizontal bars of average hours per step, labelled "流程 · 环节", slowest on top. */
export function avgHandlingOption(
  rows: DashboardFigures['avgHandlingHoursByStep'],
  limit = 12,
  narrow = false,
): ChartOption {
  const top = [...rows]
    .sort((a, b) => b.hours - a.hours)
    .slice(0, limit)
    .reverse();
  return {
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
    },
    grid: { left: 8, right: 40, bottom: 8, top: 16, containLabel: true },
    xAxis: { type: 'value', name: '小时' },
    yAxis: {
      type: 'category',
      data: top.map((r) => `${r.process} · ${r.step}`),
      axisLabel: { width: narrow ? 110 : 220, overflow: 'truncate' },
    },
    series: [
      {
        name: '平均办理时长（小时）',
        type: 'bar',
        data: top.map((r) => ({ value: r.hours, count: r.count })),
        label: { show: true, position: 'right' },
        itemStyle: { color: BLUE },
      },
    ],
  };
}

/** "2026-11-23" → "11-23". */
export function weekLabel(week: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(week) ? week.slice(5) : week;
}

/** Lines of cases started and finished per week. */
export function weeklyOption(rows: DashboardFigures['weekly']): ChartOption {
  return {
    tooltip: { trigger: 'axis' },
    legend: { ...LEGEND, data: ['发起', '办结'] },
    grid: GRID_WITH_LEGEND,
    xAxis: {
      type: 'category',
      data: rows.map((r) => `${weekLabel(r.week)} 周`),
      boundaryGap: false,
    },
    yAxis: { type: 'value', minInterval: 1, name: '件' },
    series: [
      {
        name: '发起',
        type: 'line',
        data: rows.map((r) => r.started),
        smooth: true,
        itemStyle: { color: BLUE },
      },
      {
        name: '办结',
        type: 'line',
        data: rows.map((r) => r.finished),
        smooth: true,
        itemStyle: { color: GREEN },
      },
    ],
  };
}

/** Headline numbers above the charts. */
export function totals(f: DashboardFigures): {
  open: number;
  overdue: number;
  started: number;
  finished: number;
} {
  return {
    open: f.openByUnit.reduce((n, r) => n + r.open, 0),
    overdue: f.openByUnit.reduce((n, r) => n + r.overdue, 0),
    started: f.weekly.reduce((n, r) => n + r.started, 0),
    finished: f.weekly.reduce((n, r) => n + r.finished, 0),
  };
}

import type { PlanRow, ItemRow } from './work-plans.repository';
import { classify, EVALUATION_LABELS, type EvaluationClass } from './work-plan-rules';

/** The 年度评估: every item's verdict with its unit's own summary, counts, and a roll-up per unit. */
export interface Evaluation {
  planId: string;
  year: number;
  title: string;
  conclusion: string | null;
  assembledAt: string;
  counts: { total: number; onTime: number; late: number; notDone: number; escalated: number };
  items: {
    itemId: string;
    seq: number;
    title: string;
    unitId: string;
    unitName: string;
    deadline: string;
    result: EvaluationClass;
    resultLabel: string;
    /** When the unit reported 办结 (null when it did not). */
    reportedAt: string | null;
    /** The 督办 escalated it to the unit's leader for being overdue. */
    escalated: boolean;
    latestPercent: number | null;
    summary: string | null;
  }[];
  units: { unitId: string; unitName: string; total: number; onTime: number; late: number; notDone: number }[];
}

/** Assembles the 年度评估 from the items as they stand (pure: the caller read them). */
export function assembleEvaluation(plan: PlanRow, items: ItemRow[], conclusion: string | null, now: Date = new Date()): Evaluation {
  const rows = items.map((item) => {
    const result = classify({ stage: item.stage, dueAt: item.due_at, reportedAt: item.reported_at });
    return {
      itemId: item.id,
      seq: item.seq,
      title: item.title,
      unitId: item.unit_id,
      unitName: item.unit_name,
      deadline: item.deadline,
      result,
      resultLabel: EVALUATION_LABELS[result],
      reportedAt: item.reported_at ? item.reported_at.toISOString() : null,
      escalated: item.escalated,
      latestPercent: item.stage === 'closed' ? 100 : item.latest_percent,
      summary: item.summary,
    };
  });
  const units = new Map<string, Evaluation['units'][number]>();
  for (const row of rows) {
    const unit = units.get(row.unitId) ?? { unitId: row.unitId, unitName: row.unitName, total: 0, onTime: 0, late: 0, notDone: 0 };
    unit.total += 1;
    if (row.result === 'on-time') unit.onTime += 1;
    else if (row.result === 'late') unit.late += 1;
    else unit.notDone += 1;
    units.set(row.unitId, unit);
  }
  return {
    planId: plan.id,
    year: plan.year,
    title: plan.title,
    conclusion,
    assembledAt: now.toISOString(),
    counts: {
      total: rows.length,
      onTime: rows.filter((r) => r.result === 'on-time').length,
      late: rows.filter((r) => r.result === 'late').length,
      notDone: rows.filter((r) => r.result === 'not-done').length,
      escalated: rows.filter((r) => r.escalated).length,
    },
    items: rows,
    units: [...units.values()],
  };
}

/** The 通报's 正文: the 年度评估 in prose, first-level headings as GB/T 9704 numbers them. */
export function bulletinBody(plan: Pick<PlanRow, 'year'>, evaluation: Evaluation): string {
  const c = evaluation.counts;
  const lines = [
    `经信息化领导小组审议通过，${plan.year}年度信息化工作要点共${c.total}项，已按项转督办并由各责任单位定期报送进展。现将年度落实情况通报如下。`,
    '一、总体情况',
    `按期完成${c.onTime}项，逾期完成${c.late}项，未完成${c.notDone}项；逾期未办结经督办提醒单位负责人${c.escalated}项。${evaluation.conclusion ?? ''}`,
    '二、各项要点落实情况',
    ...evaluation.items.map(
      (i) =>
        `（${i.seq}）${i.title}（责任单位：${i.unitName}，完成时限：${i.deadline}）：${i.resultLabel}。${i.summary ? `单位自评：${i.summary}` : '单位未报送年度总结。'}`,
    ),
    '三、工作要求',
    '请逾期完成和未完成工作要点的单位认真分析原因，落实整改措施，于下一年度第一季度内报信息办。',
  ];
  return lines.join('\n');
}

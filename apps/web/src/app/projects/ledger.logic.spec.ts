import { UTF8_BOM, toCsv } from './csv';
import {
  PROJECT_CSV_COLUMNS,
  caseEntries,
  emptyProjectFilters,
  fetchAll,
  formatBudget,
  mayChangeStatus,
  maySubmit,
  nextLifecycleStatus,
  openStepsText,
  projectQuery,
  returnedOpinion,
  systemChangesText,
  systemQuery,
  yearsText,
} from './ledger.logic';
import type { ProjectDetail, ProjectSummary } from './project.model';

const summary: ProjectSummary = {
  id: 'p1',
  projectNo: 'XXH-2026-001',
  name: '部机关电子公文交换系统运行维护',
  category: '系统开发和运行维护',
  budget: 180,
  startYear: 2026,
  endYear: 2027,
  isGovernmentAffairs: true,
  status: '已立项',
  stage: null,
  unitId: 'u-ghs',
  unitName: '规划司',
  implementingUnitId: 'u-center',
  implementingUnitName: '国土资源部信息中心',
  submittedBy: 'lina',
  submitterName: '李娜',
  decision: '领导小组表决通过：同意 5 票，不同意 0 票',
  decidedAt: '2026-03-05T06:08:00.000Z',
  createdAt: '2026-03-01T01:00:00.000Z',
};

describe('the ledger query', () => {
  it('leaves out empty filters, which the api would refuse', () => {
    expect(projectQuery(emptyProjectFilters(), 20, 0)).toEqual({ limit: 20, offset: 0 });
    expect(
      projectQuery(
        { keyword: '  一张图 ', category: '网络建设', status: '在建', unitId: 'u1', year: 2026 },
        20,
        40,
      ),
    ).toEqual({
      keyword: '一张图',
      category: '网络建设',
      status: '在建',
      unitId: 'u1',
      year: 2026,
      limit: 20,
      offset: 40,
    });
    expect(systemQuery({ keyword: '', level: '省级', status: null, unitId: null }, 200, 0)).toEqual(
      { level: '省级', limit: 200, offset: 0 },
    );
  });
});

describe('fetchAll for 导出', () => {
  it('reads every page, not only the one on screen', async () => {
    const all = Array.from({ length: 450 }, (_, i) => i);
    const calls: [number, number][] = [];
    const rows = await fetchAll(async (limit, offset) => {
      calls.push([limit, offset]);
      return { items: all.slice(offset, offset + limit), total: all.length };
    });
    expect(rows).toEqual(all);
    expect(calls).toEqual([
      [200, 0],
      [200, 200],
      [200, 400],
    ]);
  });

  it('stops at an exact multiple of the page size without an extra empty call', async () => {
    let calls = 0;
    const rows = await fetchAll(async (limit, offset) => {
      calls++;
      return {
        items: Array.from({ length: Math.max(0, Math.min(limit, 400 - offset)) }, () => 1),
        total: 400,
      };
    });
    expect(rows).toHaveLength(400);
    expect(calls).toBe(2);
  });
});

describe('the ledger CSV', () => {
  it('has the BOM, Chinese headers and the row as Excel should show it', () => {
    const csv = toCsv([summary], PROJECT_CSV_COLUMNS);
    expect(csv.startsWith(UTF8_BOM)).toBe(true);
    const [header, row] = csv.slice(1).split('\r\n');
    expect(header.split(',')).toEqual([
      '项目编号',
      '项目名称',
      '项目类别',
      '申报单位',
      '实施单位',
      '预算（万元）',
      '起始年度',
      '结束年度',
      '政务管理类',
      '状态',
      '当前环节',
      '申报人',
      '申报时间',
      '决定',
      '决定时间',
    ]);
    expect(row).toContain(
      'XXH-2026-001,部机关电子公文交换系统运行维护,系统开发和运行维护,规划司,国土资源部信息中心,180,2026,2027,是,已立项,,李娜,',
    );
  });
});

describe('display helpers', () => {
  it('formats budgets in 万元 and years', () => {
    expect(formatBudget(1800)).toBe('1,800');
    expect(formatBudget(120.5)).toBe('120.5');
    expect(formatBudget(null)).toBe('—');
    expect(yearsText(2026, 2026)).toBe('2026');
    expect(yearsText(2026, 2028)).toBe('2026—2028');
  });

  it('describes a system ledger change', () => {
    expect(
      systemChangesText({
        version: { from: 'V1.0', to: 'V1.1' },
        status: { from: '运行', to: '停用' },
      }),
    ).toBe('版本号 V1.0 → V1.1；运行状态 运行 → 停用');
    expect(systemChangesText({ projectId: { from: null, to: 'x' } })).toBe('来源项目已变更');
  });
});

describe('who may do what', () => {
  it('moves 已立项 → 在建 → 已建成 and no further', () => {
    expect(nextLifecycleStatus('已立项')).toBe('在建');
    expect(nextLifecycleStatus('在建')).toBe('已建成');
    expect(nextLifecycleStatus('已建成')).toBeNull();
    expect(nextLifecycleStatus('申报中')).toBeNull();
  });

  it('lets 信息办 and the implementing unit change the status', () => {
    expect(mayChangeStatus(summary, { unitId: 'u-xxb', roles: ['office-reviewer'] })).toBe(true);
    expect(mayChangeStatus(summary, { unitId: 'u-center', roles: ['data-admin'] })).toBe(true);
    expect(mayChangeStatus(summary, { unitId: 'u-ghs', roles: ['drafter'] })).toBe(false);
    expect(
      mayChangeStatus(
        { ...summary, status: '申报中' },
        { unitId: 'u-xxb', roles: ['office-reviewer'] },
      ),
    ).toBe(false);
  });

  it('offers 新建立项申请 to the submitting roles of a proposing unit', () => {
    expect(maySubmit(['drafter'], 'department')).toBe(true);
    expect(maySubmit(['drafter'], undefined)).toBe(true);
    expect(maySubmit(['drafter'], 'province')).toBe(false);
    expect(maySubmit(['office-reviewer'], 'office')).toBe(false);
  });
});

describe('the case history', () => {
  const detail: Pick<ProjectDetail, 'history' | 'opinions' | 'votes' | 'openTasks'> = {
    history: [
      {
        action: 'submit',
        fromStatus: null,
        toStatus: '申报中',
        changes: null,
        reason: null,
        at: '2026-03-01T01:00:00Z',
        userName: '李娜',
        unitName: '规划司',
      },
      {
        action: 'correct',
        fromStatus: null,
        toStatus: null,
        changes: { budget: { from: 200, to: 180 } },
        reason: '已压缩预算',
        at: '2026-03-02T01:00:00Z',
        userName: '李娜',
        unitName: '规划司',
      },
      {
        action: 'decide',
        fromStatus: '申报中',
        toStatus: '已立项',
        changes: null,
        reason: '领导小组表决通过',
        at: '2026-03-04T01:00:00Z',
        userName: '王建国',
        unitName: null,
      },
    ],
    opinions: [
      {
        step: 'leader',
        outcome: 'return',
        opinion: '请压缩预算',
        duplicates: null,
        at: '2026-03-01T02:00:00Z',
        userName: '张伟',
        unitName: '规划司',
      },
      {
        step: 'revise',
        outcome: 'approve',
        opinion: '已压缩预算',
        duplicates: null,
        at: '2026-03-02T01:00:00Z',
        userName: '李娜',
        unitName: '规划司',
      },
      {
        step: 'office',
        outcome: 'approve',
        opinion: '建议立项',
        duplicates: [],
        at: '2026-03-03T01:00:00Z',
        userName: '陈静',
        unitName: '信息办',
      },
    ],
    votes: [
      {
        vote: 'approve',
        opinion: '同意',
        referToSecretary: false,
        votedAt: '2026-03-04T01:00:00Z',
        voterName: '王建国',
      },
    ],
    openTasks: [],
  };

  it('merges history, opinions and votes in time order, the decision after the last vote', () => {
    const entries = caseEntries(detail);
    expect(entries.map((e) => `${e.taskName}:${e.action}`)).toEqual([
      '立项申报:提交申报',
      '单位领导审批:退回修改',
      '修改申报:修改了预算',
      '修改申报:重新提交',
      '信息办审查:建议立项',
      '领导小组表决:同意',
      '立项决定:申报中 → 已立项',
    ]);
  });

  it('gives the latest 退回 opinion to the submitter', () => {
    expect(returnedOpinion(detail)).toBe('单位领导审批（张伟）：请压缩预算');
    expect(returnedOpinion({ opinions: [] })).toBeNull();
  });

  it('shows the vote as one open step with the count', () => {
    const steps = openStepsText({
      votes: detail.votes,
      openTasks: [
        {
          id: 't1',
          activityId: 'vote',
          name: '领导小组表决',
          assignee: 'a',
          dueAt: '2026-03-20T00:00:00Z',
        },
        {
          id: 't2',
          activityId: 'vote',
          name: '领导小组表决',
          assignee: 'b',
          dueAt: '2026-03-20T00:00:00Z',
        },
      ],
    });
    expect(steps).toEqual([
      { name: '领导小组表决', detail: '已表决 1 人，待表决 2 人', dueAt: '2026-03-20T00:00:00Z' },
    ]);
  });
});

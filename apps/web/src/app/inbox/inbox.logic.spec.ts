import {
  activeFilters,
  batchReport,
  emptyText,
  formSummary,
  holderText,
  inboxLink,
  isOverdue,
  isoDay,
  listQuery,
  ministryToday,
  outcomeText,
  paramsOfState,
  parseDay,
  recordOf,
  stateFromParams,
  urgencyColor,
  type InboxState,
} from './inbox.logic';

const params = (query: Record<string, string>) => (name: string) => query[name] ?? null;

describe('the list query of GET /api/tasks', () => {
  it('pages by offset and sends only the filters that are set', () => {
    expect(listQuery('todo', {}, { index: 3, size: 20 })).toEqual({
      view: 'todo',
      sort: 'created',
      limit: 20,
      offset: 40,
    });
    expect(
      listQuery(
        'done',
        { process: 'plan-filing', urgency: '特急', overdue: 'true', q: '  耕地  ', sort: 'due' },
        { index: 1, size: 10 },
      ),
    ).toEqual({
      view: 'done',
      sort: 'due',
      limit: 10,
      offset: 0,
      process: 'plan-filing',
      urgency: '特急',
      overdue: 'true',
      q: '耕地',
    });
  });

  it('includes the last picked day by sending the next day as the exclusive end', () => {
    const query = listQuery(
      'todo',
      { range: [new Date(2026, 0, 31), new Date(2026, 1, 28)] },
      { index: 1, size: 20 },
    );
    expect([query['from'], query['to']]).toEqual(['2026-01-31', '2026-03-01']);
  });
});

describe('the list state in the URL', () => {
  it('reads defaults from an empty URL and leaves them out when written back', () => {
    const state = stateFromParams(params({}));
    expect(state).toEqual({
      view: 'todo',
      filters: { process: null, urgency: null, overdue: '', q: '', range: null, sort: 'created' },
      page: 1,
      size: 20,
    });
    expect(Object.values(paramsOfState(state)).every((v) => v === null)).toBe(true);
  });

  it('survives a round trip through the query parameters', () => {
    const state: InboxState = {
      view: 'cc',
      filters: {
        process: 'data-request',
        urgency: '加急',
        overdue: 'false',
        q: '数据',
        range: [new Date(2026, 2, 1), null],
        sort: 'priority',
      },
      page: 3,
      size: 50,
    };
    const written = paramsOfState(state);
    expect(written).toEqual({
      view: 'cc',
      process: 'data-request',
      urgency: '加急',
      overdue: 'false',
      q: '数据',
      from: '2026-03-01',
      to: null,
      sort: 'priority',
      page: '3',
      size: '50',
    });
    const read = stateFromParams((name) => written[name] ?? null);
    expect(read.view).toBe('cc');
    expect(read.filters.range?.[0] && isoDay(read.filters.range[0])).toBe('2026-03-01');
    expect(read.filters.range?.[1]).toBeNull();
    expect({ ...read, filters: { ...read.filters, range: null } }).toEqual({
      ...state,
      filters: { ...state.filters, range: null },
    });
  });

  it('ignores what it does not know instead of sending it to the api', () => {
    const state = stateFromParams(
      params({
        view: 'all',
        process: 'x',
        urgency: '很急',
        overdue: 'yes',
        sort: 'name',
        page: '-2',
        size: '7',
        from: '2026-02-30',
      }),
    );
    expect(state.view).toBe('todo');
    expect(state.filters).toMatchObject({
      process: null,
      urgency: null,
      overdue: '',
      sort: 'created',
      range: null,
    });
    expect([state.page, state.size]).toEqual([1, 20]);
  });

  it('parses only real days', () => {
    expect(parseDay('2026-02-28')?.getDate()).toBe(28);
    expect(parseDay('2026-02-29')).toBeNull();
    expect(parseDay('tomorrow')).toBeNull();
  });

  it('counts the filters that narrow the list and says so when it is empty', () => {
    expect(activeFilters({ sort: 'due' })).toBe(0);
    expect(activeFilters({ process: 'plan-filing', q: ' ', range: [null, new Date()] })).toBe(2);
    expect(emptyText('todo', false)).toBe('暂无待办事项');
    expect(emptyText('done', true)).toContain('重置');
  });

  it('goes back to the list as last seen, never elsewhere', () => {
    expect(inboxLink('/inbox?view=done&page=2')).toBe('/inbox?view=done&page=2');
    expect(inboxLink('/tasks')).toBe('/tasks');
    expect(inboxLink('https://evil.example/inbox')).toBe('/inbox');
    expect(inboxLink('/inboxes')).toBe('/inbox');
    expect(inboxLink(null)).toBe('/inbox');
  });
});

describe('the record behind a case', () => {
  it('links each process to its record page and attachments', () => {
    expect(recordOf('document-exchange', null, { documentId: 'd1' })).toEqual({
      link: '/documents/d1',
      label: '查看公文',
      ownerKind: 'document',
      ownerId: 'd1',
    });
    // A 收文 from a partner deployment has no local document: its receipt page, and the receipt owns the papers.
    expect(
      recordOf('document-receipt', 'r9', { receiptId: 'r9', exchangePackageId: 'p9', title: 'x' }),
    ).toEqual({
      link: '/documents/received/r9',
      label: '查看来文',
      ownerKind: 'document-receipt',
      ownerId: 'r9',
    });
    expect(recordOf('document-receipt', 'r1', { receiptId: 'r1', documentId: 'd1' })?.link).toBe(
      '/documents/d1',
    );
    expect(recordOf('plan-filing', 'f1', {})?.link).toBe('/filings/f1');
    expect(recordOf('project-initiation', null, { projectId: 'p1' })?.ownerKind).toBe('project');
    expect(recordOf('data-request', 'r1', {})?.link).toBe('/data-requests/r1');
    expect(recordOf('data-collection-submission', 's1', {})?.link).toBe(
      '/data-collection/submissions/s1',
    );
    expect(recordOf('data-collection-list', 'l1', {})?.ownerKind).toBe('data-collection-list');
    expect(recordOf('three-level-approval', 'x', { approvalId: 'a1' })?.link).toBe('/approvals/a1');
    expect(recordOf('three-level-approval', 'x', {})).toBeNull();
    expect(recordOf('three-step-approval', 'x', {})).toBeNull();
  });
});

describe('the form summary', () => {
  it('shows known fields in order with Chinese labels and words for booleans', () => {
    expect(
      formSummary({
        budget: 300,
        title: '项目',
        isGovernmentAffairs: false,
        voters: ['a'],
        drafter: 'u1',
      }),
    ).toEqual([
      { label: '标题', value: '项目' },
      { label: '预算（万元）', value: '300' },
      { label: '政务管理项目', value: '否' },
    ]);
  });

  it('calls a receipt’s kind 收文类别', () => {
    expect(formSummary({ kind: '主送', receiptId: 'r' })).toEqual([
      { label: '收文类别', value: '主送' },
    ]);
    expect(formSummary({ kind: 'cc', receiptId: 'r' })).toEqual([
      { label: '收文类别', value: '抄送' },
    ]);
    expect(formSummary({ kind: '规划' })).toEqual([{ label: '类别', value: '规划' }]);
  });
});

describe('the batch outcome', () => {
  it('names each failed task with the api’s reason', () => {
    const report = batchReport(
      {
        results: [
          { taskId: 't1', ok: true },
          { taskId: 't2', ok: false, code: 'OPINION_REQUIRED', message: '请填写信息办审查意见' },
          { taskId: 't3', ok: false },
        ],
        succeeded: 1,
        failed: 2,
      },
      { t1: '甲', t2: '乙' },
    );
    expect(report.summary).toBe('成功 1 项，失败 2 项');
    expect(report.failures).toEqual([
      { title: '乙', message: '请填写信息办审查意见' },
      { title: 't3', message: '办理失败，请打开该任务查看' },
    ]);
    expect(
      batchReport({ results: [{ taskId: 't1', ok: true }], succeeded: 1, failed: 0 }, {}).summary,
    ).toBe('已批量同意 1 项');
  });
});

describe('marks', () => {
  it('uses the api’s overdue flag, else the due time of an open task', () => {
    const now = new Date('2026-03-02T00:00:00Z');
    expect(
      isOverdue({ isOverdue: false, dueAt: '2000-01-01T00:00:00Z', status: 'open' }, now),
    ).toBe(false);
    expect(isOverdue({ dueAt: '2026-03-01T00:00:00Z', status: 'open' }, now)).toBe(true);
    expect(isOverdue({ dueAt: '2026-03-01T00:00:00Z', status: 'completed' }, now)).toBe(false);
    expect(isOverdue({ dueAt: null, status: 'open' }, now)).toBe(false);
  });

  it('colours 特急 and 加急 only', () => {
    expect([
      urgencyColor('特急'),
      urgencyColor('加急'),
      urgencyColor('平急'),
      urgencyColor(null),
    ]).toEqual(['red', 'orange', null, null]);
  });

  it('words a finished task’s outcome', () => {
    expect([
      outcomeText('approve'),
      outcomeText('return'),
      outcomeText('reject'),
      outcomeText(null),
    ]).toEqual(['同意', '退回', '驳回', '—']);
  });
});

describe('who holds the task', () => {
  const me = { id: 'me', displayName: '杨帆' };
  it('says 待认领, oneself, the person one stands in for, or a known name', () => {
    expect(holderText({ status: 'open', assignee: null }, me, {})).toBe('待认领');
    expect(holderText({ status: 'open', assignee: 'me' }, me, {})).toBe('杨帆（本人）');
    expect(
      holderText(
        { status: 'open', assignee: 'x', onBehalfOf: { userId: 'x', displayName: '王建国' } },
        me,
        {},
      ),
    ).toBe('王建国（由您代理）');
    expect(holderText({ status: 'open', assignee: 'x' }, me, { x: '李娜' })).toBe('李娜');
    expect(holderText({ status: 'open', assignee: 'x', assigneeName: '张伟' }, me, {})).toBe(
      '张伟',
    );
    expect(holderText({ status: 'open', assignee: 'x' }, me, {})).toBe('他人办理中');
    expect(holderText({ status: 'completed', assignee: 'me' }, me, {})).toBe('—');
  });
});

describe('the outcome in the step’s words', () => {
  it('prefers the step’s label', () => {
    expect(outcomeText('reject', { reject: '不同意' })).toBe('不同意');
    expect(outcomeText('approve', { reject: '不同意' })).toBe('同意');
  });
});

describe('today at the ministry', () => {
  it('is Beijing time’s date, whatever the browser’s zone', () => {
    expect(ministryToday(new Date('2026-11-29T15:59:00Z'))).toBe('2026-11-29');
    expect(ministryToday(new Date('2026-11-29T16:00:00Z'))).toBe('2026-11-30');
  });
});

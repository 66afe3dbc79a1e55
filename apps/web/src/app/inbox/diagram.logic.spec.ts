import { diagramMarks, dueText, waitText } from './diagram.logic';

describe('the diagram marks', () => {
  it('marks steps that ran and are not running now as done, and the running ones as current with their holders', () => {
    const marks = diagramMarks({
      activities: [
        { activityId: 'draft', active: 0, completed: 2 },
        { activityId: 'review', active: 1, completed: 1 },
        { activityId: 'start', active: false, completed: true },
        { activityId: 'sign', active: 0, completed: 0 },
      ],
      holders: [
        { activityId: 'review', name: '杨帆' },
        { activityId: 'review', name: '杨帆' },
        { activityId: 'review', name: '高原' },
      ],
    });
    expect(marks.completed).toEqual(['draft', 'start']);
    expect(marks.active).toEqual(['review']);
    expect(marks.skipped).toEqual([]);
    expect(marks.holders).toEqual({ review: ['杨帆', '高原'] });
    expect(marks.description).toBe('流程图：已完成 2 个环节，当前环节 review（杨帆、高原）');
  });

  it('says when the case has no open step', () => {
    const marks = diagramMarks({
      activities: [{ activityId: 'end', active: 0, completed: 1 }],
      holders: [],
    });
    expect(marks.active).toEqual([]);
    expect(marks.description).toBe('流程图：已完成 1 个环节，流程已无待办环节');
  });

  it('draws the steps the case passed over as not taken, apart from done and current ones', () => {
    // A request refused at 信息办: the refusal ran, 提供数据 and 确认接收 and the other ends were passed over.
    const marks = diagramMarks({
      activities: [
        { activityId: 'review', active: 0, completed: 1, skipped: 2 },
        { activityId: 'refusedByOffice', active: 0, completed: 1, skipped: 0 },
        { activityId: 'provide', active: 0, completed: 0, skipped: 1 },
        { activityId: 'confirm', active: 0, completed: 0, skipped: 1 },
        { activityId: 'done', active: 0, completed: 0, skipped: 1 },
        { activityId: 'late', active: 0, completed: 0, skipped: 1 },
      ],
      holders: [],
    });
    expect(marks.completed).toEqual(['review', 'refusedByOffice']);
    expect(marks.active).toEqual([]);
    expect(marks.skipped).toEqual(['provide', 'confirm', 'done', 'late']);
    expect(marks.description).toBe('流程图：已完成 2 个环节，流程已无待办环节，未经过 4 个环节');
  });

  it('keeps a step current while it also has a passed-over round, and reads answers without skipped', () => {
    const marks = diagramMarks({
      activities: [
        { activityId: 'apply', active: 1, completed: 0, skipped: 1 },
        { activityId: 'start', active: 0, completed: 1 },
      ],
      holders: [],
    });
    expect(marks.active).toEqual(['apply']);
    expect(marks.completed).toEqual(['start']);
    expect(marks.skipped).toEqual([]);
  });

  it('draws a waiting timer catch as current with its due time, and an armed boundary timer apart as waiting', () => {
    // Local times, so the test reads the same in any time zone.
    const due = new Date(2026, 11, 10, 9, 0).toISOString();
    const remind = new Date(2026, 11, 9, 17, 30).toISOString();
    const marks = diagramMarks(
      {
        activities: [
          { activityId: 'start', active: 0, completed: 1, skipped: 0 },
          { activityId: 'coolingOff', active: 1, completed: 0, skipped: 0 },
          { activityId: 'review', active: 1, completed: 0, skipped: 0 },
          // Passed over on an earlier round (退回) and armed again now.
          { activityId: 'remind', active: 0, completed: 0, skipped: 1 },
          { activityId: 'refused', active: 0, completed: 0, skipped: 1 },
        ],
        holders: [{ activityId: 'review', name: '杨帆' }],
        waits: [
          { activityId: 'coolingOff', kind: 'timer', dueAt: due, name: null },
          { activityId: 'remind', kind: 'timer', dueAt: remind, name: null },
          { activityId: 'reply', kind: 'message', dueAt: null, name: '来函回复' },
        ],
      },
      new Date(2026, 11, 7),
    );
    expect(marks.active).toEqual(['coolingOff', 'review']);
    expect(marks.waiting).toEqual(['remind', 'reply']);
    expect(marks.skipped).toEqual(['refused']);
    expect(marks.waitLabels).toEqual({
      coolingOff: '定时 12-10 09:00 到期',
      remind: '定时 12-09 17:30 到期',
      reply: '等待消息“来函回复”',
    });
    expect(marks.description).toBe(
      '流程图：已完成 1 个环节，当前环节 coolingOff（定时 12-10 09:00 到期），review（杨帆），' +
        '等待 remind（定时 12-09 17:30 到期），reply（等待消息“来函回复”），未经过 1 个环节',
    );
  });

  it('says a due time with its year when it is not this year, and names signals', () => {
    expect(dueText(new Date(2027, 0, 4, 8, 5).toISOString(), new Date(2026, 11, 7))).toBe(
      '2027-01-04 08:05',
    );
    expect(waitText({ activityId: 's', kind: 'signal', dueAt: null, name: '停办' })).toBe(
      '等待信号“停办”',
    );
    expect(waitText({ activityId: 'm', kind: 'message', dueAt: null, name: null })).toBe(
      '等待消息',
    );
  });
});

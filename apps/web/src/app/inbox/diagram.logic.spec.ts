import { diagramMarks } from './diagram.logic';

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
});

import { activityStatus } from './activity-status';

describe('an element’s status from its history', () => {
  it('counts only ends as completed and discards as skipped', () => {
    expect(activityStatus({ activity_id: 'provide', started: 0, ended: 0, discarded: 1 }, true)).toEqual({
      activityId: 'provide',
      active: 0,
      completed: 0,
      skipped: 1,
    });
    expect(activityStatus({ activity_id: 'review', started: 2, ended: 1, discarded: 0 }, true)).toEqual({
      activityId: 'review',
      active: 1,
      completed: 1,
      skipped: 0,
    });
  });

  it('shows nothing as active on an ended case: a start without an outcome was cancelled with it', () => {
    expect(activityStatus({ activity_id: 'late', started: 1, ended: 0, discarded: 0 }, false)).toEqual({
      activityId: 'late',
      active: 0,
      completed: 0,
      skipped: 1,
    });
  });
});

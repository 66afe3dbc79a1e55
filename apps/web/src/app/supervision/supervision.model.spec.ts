import {
  eventActor,
  eventLabel,
  supervisionStatusColor,
  type SupervisionEvent,
} from './supervision.model';

describe('督办 in the pages’ words', () => {
  const event = (
    kind: SupervisionEvent['kind'],
    extra: Partial<SupervisionEvent> = {},
  ): SupervisionEvent => ({
    id: '1',
    kind,
    userName: '张伟',
    note: null,
    at: '2026-12-07T04:00:00Z',
    recipients: null,
    ...extra,
  });

  it('colours the ledger’s statuses so overdue stands out from 临期 and from done', () => {
    expect(['督办中', '临期', '已逾期', '已报办结', '已办结'].map(supervisionStatusColor)).toEqual([
      'blue',
      'orange',
      'red',
      'purple',
      'green',
    ]);
  });

  it('names each step of the timeline, and the scanner’s as the system’s with whom it told', () => {
    expect(
      ['created', 'reminded', 'escalated', 'reported', 'returned', 'closed'].map((k) =>
        eventLabel(event(k as SupervisionEvent['kind'])),
      ),
    ).toEqual(['督办', '临期提醒', '逾期升级', '报告办结', '退回', '确认办结']);
    expect(eventActor(event('reminded', { userName: null }))).toBe('系统（提醒承办单位）');
    expect(eventActor(event('escalated', { userName: null, recipients: '蒋文华' }))).toBe(
      '系统（通报蒋文华及督办人）',
    );
    expect(eventActor(event('escalated', { userName: null }))).toBe('系统（通报督办人）');
    expect(eventActor(event('reported', { userName: '李娜' }))).toBe('李娜');
  });
});

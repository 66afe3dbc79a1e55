import { announcementState, type Announcement } from './announcements.model';

const base: Announcement = {
  id: '1',
  title: '通知',
  body: '正文',
  pinned: false,
  expiresOn: null,
  publishedAt: '2026-12-07T01:00:00Z',
  updatedAt: '2026-12-07T01:00:00Z',
  withdrawnAt: null,
  unitName: '办公厅',
  publishedByName: '赵磊',
  expired: false,
  readAt: null,
};

describe('公告 state tag', () => {
  it('says withdrawn before expired before pinned, and nothing for an ordinary one', () => {
    expect(announcementState(base)).toBeNull();
    expect(announcementState({ ...base, pinned: true })?.text).toBe('置顶');
    expect(announcementState({ ...base, pinned: true, expired: true })?.text).toBe('已过期');
    expect(announcementState({ ...base, expired: true, withdrawnAt: '2026-12-07' })?.text).toBe(
      '已撤回',
    );
  });
});

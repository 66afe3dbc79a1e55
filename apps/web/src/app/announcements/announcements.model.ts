/** 公告 as GET /api/announcements returns them. */
export interface Announcement {
  id: string;
  title: string;
  body: string;
  pinned: boolean;
  expiresOn: string | null;
  publishedAt: string;
  updatedAt: string;
  withdrawnAt: string | null;
  unitName: string;
  publishedByName: string;
  expired: boolean;
  readAt: string | null;
}

export interface AnnouncementList {
  items: Announcement[];
  total: number;
  unread: number;
}

/** What a 公告 shows beside its title: withdrawn and expired ones only ever reach 办公厅's full list. */
export function announcementState(a: Announcement): { text: string; color: string } | null {
  if (a.withdrawnAt) return { text: '已撤回', color: 'default' };
  if (a.expired) return { text: '已过期', color: 'default' };
  if (a.pinned) return { text: '置顶', color: 'red' };
  return null;
}

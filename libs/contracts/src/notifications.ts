/** What a bell notice is about; a person may turn mail off per kind (the bell notice is always written). */
export const NOTIFICATION_KINDS = ['assigned', 'returned', 'urged', 'overdue', 'result', 'cc'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const NOTIFICATION_KIND_LABELS: Record<NotificationKind, string> = {
  assigned: '待办',
  returned: '退回',
  urged: '催办',
  overdue: '超期',
  result: '办理结果',
  cc: '抄送阅知',
};

/** One notice in a person's bell. `link` is a route of the web app (`/tasks/<id>`, `/documents/<id>` …). */
export interface InAppNotification {
  id: string;
  kind: NotificationKind;
  title: string;
  link: string;
  createdAt: string;
  readAt: string | null;
}

export interface NotificationPage {
  items: InAppNotification[];
  total: number;
  unread: number;
  limit: number;
  offset: number;
}

export interface NotificationPreferences {
  /** Mail at all; when false no notice is mailed to the person. */
  mailEnabled: boolean;
  /** Kinds the person receives no mail for (the bell still shows them). */
  mailOffKinds: NotificationKind[];
}

/** What the live stream sends: `notification` (one new notice and the new count) and `unread` (the count alone). */
export interface NotificationStreamEvent {
  unread: number;
  notification?: InAppNotification;
}

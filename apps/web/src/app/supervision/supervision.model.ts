/** 督办 as the api answers it (apps/api/src/supervision). */
export const SUPERVISION_STATUSES = ['督办中', '临期', '已逾期', '已报办结', '已办结'] as const;
export type SupervisionStatus = (typeof SUPERVISION_STATUSES)[number];

export interface SupervisionSummary {
  id: string;
  targetKind: 'case' | 'document' | 'work-plan';
  targetId: string;
  /** A 'work-plan' item stands for a 工作要点 item (sourceId). */
  sourceKind?: string | null;
  sourceId?: string | null;
  instanceId: string | null;
  documentId: string | null;
  title: string;
  unitId: string;
  unitName: string;
  createdByName: string;
  creatorUnitName: string;
  deadline: string;
  status: SupervisionStatus;
  stage: 'open' | 'reported' | 'closed';
  createdAt: string;
}

export interface SupervisionEvent {
  id: string;
  kind: 'created' | 'reminded' | 'escalated' | 'reported' | 'closed' | 'returned';
  userName: string | null;
  note: string | null;
  at: string;
  recipients: string | null;
}

export interface SupervisionDetail extends SupervisionSummary {
  opinion: string;
  case: {
    instanceId: string;
    status: string | null;
    processName: string | null;
    steps: { taskId: string; name: string; holders: string; dueAt: string | null }[];
  } | null;
  document: { id: string; status: string | null; docNumber: string | null } | null;
  timeline: SupervisionEvent[];
  allowedActions: ('report' | 'close' | 'return')[];
}

export interface SupervisionCapabilities {
  canCreate: boolean;
  isOffice: boolean;
  units: { id: string; name: string; depth: number }[];
}

export function supervisionStatusColor(status: string): string {
  switch (status) {
    case '临期':
      return 'orange';
    case '已逾期':
      return 'red';
    case '已报办结':
      return 'purple';
    case '已办结':
      return 'green';
    default:
      return 'blue';
  }
}

const EVENT_LABELS: Record<SupervisionEvent['kind'], string> = {
  created: '督办',
  reminded: '临期提醒',
  escalated: '逾期升级',
  reported: '报告办结',
  closed: '确认办结',
  returned: '退回',
};

/** One line of the timeline, in the words of the office. */
export function eventLabel(event: SupervisionEvent): string {
  return EVENT_LABELS[event.kind] ?? event.kind;
}

/** Who the timeline says acted: a person, or the system for the scanner's reminders. */
export function eventActor(event: SupervisionEvent): string {
  if (event.kind === 'reminded') return '系统（提醒承办单位）';
  if (event.kind === 'escalated')
    return `系统（通报${event.recipients ? event.recipients + '及' : ''}督办人）`;
  return event.userName ?? '系统';
}

export function targetKindLabel(kind: SupervisionSummary['targetKind']): string {
  return kind === 'document' ? '公文' : kind === 'work-plan' ? '工作要点' : '流程事项';
}

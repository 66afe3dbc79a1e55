/** The figures of the 工作台 (GET /api/dashboard), all within the caller's unit tree. */
export interface DashboardFigures {
  /** Open tasks per handling unit, with how many of them are past due. */
  openByUnit: { unit: string; open: number; overdue: number }[];
  /** Overdue open tasks / open tasks (0 when there are none), 0..1. */
  overdueRate: number;
  /** Average handling time of completed steps, in hours. */
  avgHandlingHoursByStep: { process: string; step: string; hours: number; count: number }[];
  /** Cases started and finished per week (Monday, YYYY-MM-DD, Beijing time), the last 8 weeks. */
  weekly: { week: string; started: number; finished: number }[];
}

/** The person's own 工作台 (GET /api/dashboard/mine). */
export interface MyDesk {
  /** 待办 (the inbox badge), of them past due, and 督办 items not yet 办结 within the person's scope. */
  counts: { todo: number; overdue: number; supervision: number };
  /** The top 待办 by due date: overdue first, undated last. */
  todo: {
    id: string;
    name: string;
    title: string | null;
    processName: string | null;
    urgency: string | null;
    createdAt: string;
    dueAt: string | null;
    isOverdue: boolean;
  }[];
  /** 督办 items not yet 办结, nearest deadline first. */
  supervision: { id: string; title: string; unitName: string; deadline: string; status: string }[];
}

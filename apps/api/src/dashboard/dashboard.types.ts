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

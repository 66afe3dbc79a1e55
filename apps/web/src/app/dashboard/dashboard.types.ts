/** GET /api/dashboard */
export interface DashboardFigures {
  openByUnit: { unit: string; open: number; overdue: number }[];
  overdueRate: number;
  avgHandlingHoursByStep: { process: string; step: string; hours: number; count: number }[];
  weekly: { week: string; started: number; finished: number }[];
}

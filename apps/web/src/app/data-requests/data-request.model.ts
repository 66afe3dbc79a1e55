import type { HistoryEntry } from '../documents/case-history';
import type { CurrentTask } from './data-request-form.logic';

/** One row of GET /api/data-requests. */
export interface DataRequestRow {
  id: string;
  title: string;
  status: string;
  regionName: string;
  periodFrom: string;
  periodTo: string;
  format: string;
  unitId: string;
  unitName: string;
  createdAt: string;
  updatedAt: string;
  datasetNames: string[] | null;
}

/** GET /api/data-requests/:id. */
export interface DataRequestDetail {
  id: string;
  instanceId: string | null;
  title: string;
  status: string;
  unitId: string;
  unitName: string;
  applicantId: string;
  regionCode: string | null;
  regionName: string;
  purpose: string;
  periodFrom: string;
  periodTo: string;
  format: string;
  contactName: string;
  contactPhone: string;
  lastOpinion: string | null;
  datasets: {
    id: string;
    code: string;
    name: string;
    secrecy: string;
    ownerUnitId: string;
    ownerUnitName: string;
  }[];
  provision: {
    fileName: string | null;
    link: string | null;
    expiresAt: string | null;
    providedAt: string;
    receivedAt: string | null;
  } | null;
  handoverAttachmentId: string | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  history: HistoryEntry[];
  currentTasks: CurrentTask[];
}

/** One task of GET /api/tasks (only what these pages read). */
export interface TaskSummary {
  id: string;
  businessKey: string | null;
  name: string;
}

import type { HistoryEntry } from '../documents/case-history';

/** What /api/data-release answers (apps/api/src/data-release). */

export interface OpenTask {
  id: string;
  name: string;
  activityId: string;
  dueAt: string | null;
  candidateUnits: string[];
  unitNames: string | null;
  assigneeName: string | null;
}

export interface ReleaseRecord {
  id: string;
  requestId: string;
  datasetId: string;
  datasetCode: string;
  datasetName: string;
  category: string;
  audienceType: string;
  audience: string;
  scope: string;
  channel: string;
  link: string | null;
  releaseUnitName: string;
  releasedByName: string;
  approvedByName: string;
  releasedAt: string;
}

export interface ReleaseRequestRow {
  id: string;
  status: string;
  audienceType: string;
  audience: string;
  scope: string;
  datasetName: string;
  datasetCode: string;
  category: string;
  unitName: string;
  ownerUnitName: string;
  releaseUnitName: string;
  createdAt: string;
}

export interface ReleaseRequestDetail extends ReleaseRequestRow {
  instanceId: string;
  requesterId: string;
  requesterName: string;
  purpose: string;
  lastOpinion: string | null;
  secrecy: string;
  reviewedByName: string | null;
  approvedByName: string | null;
  closedAt: string | null;
  release: ReleaseRecord | null;
  history: HistoryEntry[];
  currentTasks: OpenTask[];
}

export interface OutsideRequestRow {
  id: string;
  organName: string;
  organKind: string;
  letterRef: string;
  receivedOn: string;
  status: string;
  replyChannel: string | null;
  createdAt: string;
  datasetNames: string[] | null;
}

export interface OutsideRequestDetail {
  id: string;
  instanceId: string;
  status: string;
  organName: string;
  organKind: string;
  contactName: string;
  contactPhone: string;
  letterRef: string;
  receivedOn: string;
  purpose: string;
  partnerOrganCode: string | null;
  partnerUnitCode: string | null;
  registeredBy: string;
  registeredByName: string | null;
  reply: {
    documentId: string;
    channel: string;
    repliedAt: string | null;
    title: string | null;
    docNumber: string | null;
    status: string | null;
    signedAt: string | null;
  } | null;
  createdAt: string;
  closedAt: string | null;
  datasets: {
    id: string;
    code: string;
    name: string;
    category: string;
    secrecy: string;
    ownerUnitName: string;
  }[];
  opinions: {
    unitId: string;
    unitName: string;
    opinion: string;
    comment: string | null;
    at: string;
    userName: string;
  }[];
  history: HistoryEntry[];
  currentTasks: OpenTask[];
}

export interface TaskSummary {
  id: string;
  businessKey: string | null;
}

import type { Retention } from './archive.logic';

export interface ArchivePackage {
  id: string;
  instanceId: string;
  archiveNumber: string;
  year: number;
  retention: Retention;
  retentionLabel: string;
  unitCode: string;
  unitName: string;
  title: string;
  docNumber: string | null;
  responsible: string;
  date: string;
  docType: string;
  secrecy: string;
  urgency: string;
  archivedAt: string;
  lastCheckOk: boolean | null;
  lastCheckedAt: string | null;
}

export interface CheckItem {
  name: string;
  ok: boolean;
  detail: string;
  /** DA/T 70 item number with the stage (GD-1-1 …); absent in reports recorded before issue 17. */
  code?: string;
  status?: 'pass' | 'fail' | 'na';
}

export interface CheckReport {
  ok: boolean;
  checks: CheckItem[];
  /** GD 归档, YJ 移交与接收, BC 长期保存. */
  stage?: 'GD' | 'YJ' | 'BC';
  stageLabel?: string;
  standard?: string;
}

export interface ArchiveEvent {
  action: string;
  step: string;
  person: string;
  unit: string;
  at: string;
  description?: string;
}

export interface ArchiveFile {
  name: string;
  role: string;
  mime: string;
  size: number;
  sha256: string;
  sm3: string;
}

export interface ArchivePackageDetail extends ArchivePackage {
  secrecyTerm: string | null;
  mainTo: string | null;
  cc: string | null;
  events: ArchiveEvent[];
  files: ArchiveFile[];
  lastCheck: { kind: string; ok: boolean; report: CheckReport; checkedAt: string } | null;
}

export interface ArchiveAlert {
  id: string;
  message: string;
  createdAt: string;
  packageId: string;
  archiveNumber: string;
}

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
}

export interface CheckReport {
  ok: boolean;
  checks: CheckItem[];
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

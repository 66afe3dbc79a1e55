import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPackage } from './archive-check';
import { safeName } from './archive-format';
import type { CheckReport } from './archive.types';
import { EepFormatError, readEep, type EepSignatureCheck, type TransferListEntry } from './eep';

export interface TransferPackageResult {
  archiveNumber: string;
  title: string;
  ok: boolean;
  /** Files whose bytes do not match their 电子属性 in the EEP. */
  problems: string[];
  /** 移交与接收 (YJ-) 四性检测 of the package as received. */
  report: CheckReport;
}

export interface TransferVerification {
  ok: boolean;
  transferId: string;
  creator: string;
  createdAt: string;
  signatures: EepSignatureCheck[];
  list: TransferListEntry[];
  listProblems: string[];
  packages: TransferPackageResult[];
  /** Every reason the transfer is refused, one line each (empty when accepted). */
  reasons: string[];
}

const ARCHIVE_NUMBER = /^[A-Z0-9]{1,12}-\d{4}-(Y|D30|D10)-[A-Z0-9]{1,12}-\d{4,6}$/;

/**
 * Receiving a transfer (接收): the EEP's signatures and certificate chain, every file's digest, the
 * 移交清单, and the 移交与接收 (YJ-) 四性检测 of each archival package, run on the packages as they come out
 * of the EEP (each written into a folder of a scratch directory, removed afterwards).
 */
export async function verifyTransfer(xml: string, trustedCas: Buffer[]): Promise<TransferVerification> {
  let read;
  try {
    read = readEep(xml, trustedCas);
  } catch (error) {
    if (error instanceof EepFormatError) {
      return {
        ok: false,
        transferId: '',
        creator: '',
        createdAt: '',
        signatures: [],
        list: [],
        listProblems: [],
        packages: [],
        reasons: [error.message],
      };
    }
    throw error;
  }
  const scratch = await mkdtemp(join(tmpdir(), 'zhengwu-transfer-'));
  const packages: TransferPackageResult[] = [];
  try {
    for (const p of read.packages) {
      // The folder is named by the 档号 (YJ-1-13 checks it); a name that is not one cannot escape the scratch dir.
      const dirName = ARCHIVE_NUMBER.test(p.archiveNumber) ? p.archiveNumber : safeName(p.archiveNumber || 'package');
      const dir = join(scratch, `${packages.length}`, dirName);
      await mkdir(dir, { recursive: true, mode: 0o750 });
      const problems = [...p.problems];
      for (const f of p.files) {
        if (safeName(f.name) !== f.name) {
          problems.push(`文件名“${f.name}”不合规`);
          continue;
        }
        await writeFile(join(dir, f.name), f.body, { mode: 0o640 });
      }
      const report = await checkPackage(dir, undefined, { stage: 'YJ', trustedCas });
      packages.push({ archiveNumber: p.archiveNumber, title: p.title, ok: report.ok && problems.length === 0, problems, report });
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  const reasons = [
    ...read.signatures.filter((s) => !s.ok).map((s) => s.detail),
    ...read.listProblems,
    ...packages.flatMap((p) => [
      ...p.problems,
      ...p.report.checks.filter((c) => !c.ok).map((c) => `${p.archiveNumber}：${c.name}未通过（${c.detail}）`),
    ]),
  ];
  if (read.packages.length === 0) reasons.push('封装包中没有归档信息包');
  return {
    ok: reasons.length === 0,
    transferId: read.transferId,
    creator: read.creator,
    createdAt: read.createdAt,
    signatures: read.signatures,
    list: read.list,
    listProblems: read.listProblems,
    packages,
    reasons,
  };
}

import { createHash } from 'node:crypto';

/** What the api says about a submission: the list's requirements and the unit's statement. */
export interface CheckInput {
  id: string;
  format: string;
  maxSizeMb: number;
  fileName: string | null;
  fileSize: number | null;
  sha256: string | null;
  responsibleUnit: string | null;
  contactName: string | null;
  contactPhone: string | null;
  version: string | null;
  areaCode: string | null;
  areaName: string | null;
  divisionCode: string | null;
  unitName: string;
  hasFile: boolean;
}

/** What was read of the file: its size, digest, and its first and last 64 KiB (enough for magic and a zip's directory). */
export interface FileFacts {
  size: number;
  sha256: string;
  head: Buffer;
  tail: Buffer;
}

const WINDOW = 64 * 1024;

/** Reads a stream once, never holding more than two windows of it. */
export async function factsOf(body: AsyncIterable<Uint8Array>): Promise<FileFacts> {
  const hash = createHash('sha256');
  let size = 0;
  let head = Buffer.alloc(0);
  let tail = Buffer.alloc(0);
  for await (const piece of body) {
    const chunk = Buffer.from(piece);
    hash.update(chunk);
    size += chunk.length;
    if (head.length < WINDOW) head = Buffer.concat([head, chunk.subarray(0, WINDOW - head.length)]);
    tail = Buffer.concat([tail, chunk]);
    if (tail.length > WINDOW) tail = tail.subarray(tail.length - WINDOW);
  }
  return { size, sha256: hash.digest('hex'), head, tail };
}

const isZip = (b: Buffer) => b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;
const ext = (name: string) => name.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1] ?? '';

/** Why the file is not in the listed format, or null when it is. */
export function formatProblem(format: string, name: string, f: FileFacts): string | null {
  const e = ext(name);
  const text = f.head.toString('utf8');
  const names = Buffer.concat([f.head, f.tail]).toString('latin1').toLowerCase();
  switch (format) {
    case 'GeoJSON':
      if (!['geojson', 'json'].includes(e)) return `清单要求 GeoJSON 格式，提交的文件扩展名为“.${e || '无'}”`;
      if (!/^\s*\{/.test(text) || !/"type"\s*:\s*"(FeatureCollection|Feature)"/.test(text))
        return '文件内容不是 GeoJSON（开头须为含 "type": "FeatureCollection" 的 JSON 对象）';
      return null;
    case 'CSV':
      if (e !== 'csv') return `清单要求 CSV 格式，提交的文件扩展名为“.${e || '无'}”`;
      if (f.head.includes(0)) return '文件内容不是文本 CSV（含二进制数据）';
      if (!/[,\t]/.test(text.split(/\r?\n/)[0] ?? '')) return 'CSV 文件首行不是以逗号分隔的字段名';
      return null;
    case 'Shapefile':
      if (e !== 'zip' || !isZip(f.head)) return '清单要求 Shapefile，须以 ZIP 压缩包提交（含 .shp、.shx、.dbf、.prj）';
      if (!names.includes('.shp')) return 'ZIP 压缩包中没有 .shp 文件';
      return null;
    case 'FileGDB':
      if (e !== 'zip' || !isZip(f.head)) return '清单要求 FileGDB，须将 .gdb 文件夹以 ZIP 压缩包提交';
      if (!names.includes('.gdb/')) return 'ZIP 压缩包中没有 .gdb 文件夹';
      return null;
    default:
      return `清单的数据格式“${format}”无法自动检查`;
  }
}

/** Every problem of a submission (empty when it passes), in the order a person fixes them. */
export function checkSubmission(input: CheckInput, f: FileFacts | null): string[] {
  const problems: string[] = [];
  if (!f || !input.hasFile) return ['文件无法读取：服务器上没有找到已上传完成的文件'];
  if (f.size === 0) problems.push('文件是空的');
  if (input.fileSize !== null && f.size !== Number(input.fileSize))
    problems.push(`文件大小与登记不符（登记 ${input.fileSize} 字节，实际 ${f.size} 字节）`);
  if (!input.sha256 || input.sha256 !== f.sha256) problems.push('文件摘要（SHA-256）与上传时登记的不一致，文件可能已损坏');
  const format = formatProblem(input.format, input.fileName ?? '', f);
  if (format) problems.push(format);
  const limit = input.maxSizeMb * 1024 * 1024;
  if (f.size > limit) problems.push(`文件大小 ${(f.size / 1024 / 1024).toFixed(1)} MB 超过清单规定的 ${input.maxSizeMb} MB`);
  const missing = [
    !input.responsibleUnit && '责任单位',
    !input.contactName && '联系人',
    !input.contactPhone && '联系电话',
    !input.version && '数据版本',
    !input.areaCode && '覆盖范围行政区划代码',
    !input.areaName && '覆盖范围名称',
  ].filter(Boolean);
  if (missing.length > 0) problems.push(`缺少必填元数据：${missing.join('、')}`);
  if (input.areaCode && input.areaCode !== input.divisionCode)
    problems.push(`覆盖范围的行政区划代码 ${input.areaCode} 与汇交单位（${input.unitName}，${input.divisionCode ?? '无代码'}）不一致`);
  return problems;
}

import { unzipSync, zipSync, type Zippable } from 'fflate';

/**
 * An OFD package is a ZIP container (GB/T 33190-2016 §7.1) whose entries are addressed by absolute
 * paths from the package root ("/OFD.xml", "/Doc_0/Document.xml"). Here the entries are kept without
 * the leading slash, in the order they are written.
 */
export type OfdFiles = Map<string, Uint8Array>;

/** Fixed entry time so the same document packs to the same bytes (ZIP stores DOS times, 1980 at the earliest). */
const ENTRY_TIME = new Date('2000-01-01T00:00:00Z');

export function packOfd(files: OfdFiles): Buffer {
  const zippable: Zippable = {};
  for (const [path, data] of files) {
    // Fonts and images are compressed already or barely shrink; XML shrinks well.
    const level = /\.(png|jpe?g)$/i.test(path) ? 0 : 6;
    zippable[path] = [data, { level, mtime: ENTRY_TIME }];
  }
  return Buffer.from(zipSync(zippable));
}

export function unpackOfd(ofd: Uint8Array): OfdFiles {
  const entries = unzipSync(ofd);
  const files: OfdFiles = new Map();
  for (const [path, data] of Object.entries(entries)) {
    if (path.endsWith('/')) continue; // directory entries carry no content
    files.set(path.replace(/^\/+/, ''), data);
  }
  return files;
}

/** Resolves an ST_Loc written in `base` (a package path of an XML file) to a package path. */
export function resolveLoc(base: string, loc: string): string {
  if (loc.startsWith('/')) return loc.replace(/^\/+/, '');
  const dir = base.includes('/') ? base.slice(0, base.lastIndexOf('/') + 1) : '';
  const parts: string[] = [];
  for (const part of `${dir}${loc}`.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}

import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { mkdir, open, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { APP_CONFIG, type AppConfig } from '../platform/config';
import { AppError, ConflictError } from '../platform/errors';

/** The running digest of an upload as far as its bytes reached (kept between the requests that carry them). */
interface Running {
  hash: Hash;
  offset: number;
}

/**
 * The bytes of resumable uploads (DATA_DIR/collection): a `.part` file per upload that each PATCH appends to at the
 * offset the database records, the SHA-256 computed as the bytes arrive, and the finished file renamed into place.
 * Nothing holds a whole file in memory: each chunk of the request is written and hashed, then dropped. A dropped
 * connection keeps every chunk written before it; the next PATCH continues from there. Should the process lose its
 * running digest (a restart, another replica), it is rebuilt by reading the part file once.
 */
@Injectable()
export class UploadStore {
  private readonly running = new Map<string, Running>();
  private readonly busy = new Set<string>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /**
   * Appends `body` at `offset` (the recorded offset: the caller checked the client's Upload-Offset against it) up to
   * `length` bytes in all. Returns the new offset, and the digest when the file is complete. A body cut short is not an
   * error here: what arrived is kept and the offset says how far it got.
   */
  async append(
    id: string,
    offset: number,
    length: number,
    body: Readable,
  ): Promise<{ offset: number; sha256: string | null; cut: boolean }> {
    if (this.busy.has(id)) throw new ConflictError('UPLOAD_BUSY', '该文件正在另一连接中上传，请稍后再试');
    this.busy.add(id);
    try {
      await mkdir(this.dir('uploads'), { recursive: true });
      const running = await this.digestUpTo(id, offset);
      const file = await open(this.partPath(id), 'a+');
      let at = offset;
      let cut = false;
      let tooLong = false;
      try {
        // Bytes beyond the recorded offset (a crash between writing and recording) are not trusted.
        await file.truncate(offset);
        try {
          for await (const chunk of body as AsyncIterable<Buffer>) {
            if (at + chunk.length > length) {
              tooLong = true;
              break;
            }
            await file.write(chunk, 0, chunk.length, at);
            running.hash.update(chunk);
            at += chunk.length;
            running.offset = at;
          }
        } catch {
          cut = true; // the connection dropped: keep what arrived
        }
        await file.sync();
      } finally {
        await file.close();
      }
      if (tooLong) {
        this.running.delete(id);
        throw new AppError('UPLOAD_TOO_LONG', `上传内容超过申报的文件大小（${length} 字节）`, HttpStatus.PAYLOAD_TOO_LARGE);
      }
      if (at < length) return { offset: at, sha256: null, cut };
      const sha256 = running.hash.digest('hex');
      this.running.delete(id);
      await mkdir(this.dir('files'), { recursive: true });
      await rename(this.partPath(id), this.filePath(id));
      return { offset: at, sha256, cut };
    } finally {
      this.busy.delete(id);
    }
  }

  /** The finished file, for the checking worker and the reviewers. */
  read(id: string): ReadStream {
    return createReadStream(this.filePath(id));
  }

  async size(id: string): Promise<number> {
    return (await stat(this.filePath(id))).size;
  }

  private async digestUpTo(id: string, offset: number): Promise<Running> {
    const known = this.running.get(id);
    if (known && known.offset === offset) return known;
    const hash = createHash('sha256');
    if (offset > 0) {
      const stream = createReadStream(this.partPath(id), { start: 0, end: offset - 1 });
      let read = 0;
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        hash.update(chunk);
        read += chunk.length;
      }
      if (read !== offset) throw new ConflictError('UPLOAD_STATE_LOST', '已上传的部分在服务器上不完整，请重新开始上传');
    }
    const fresh = { hash, offset };
    this.running.set(id, fresh);
    return fresh;
  }

  private dir(kind: 'uploads' | 'files'): string {
    return join(this.config.dataDir, 'collection', kind);
  }

  private partPath(id: string): string {
    return join(this.dir('uploads'), `${id}.part`);
  }

  private filePath(id: string): string {
    return join(this.dir('files'), id);
  }
}

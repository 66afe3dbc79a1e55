import { HttpClient, HttpEventType, HttpHeaders, HttpRequest } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { firstValueFrom, filter, tap } from 'rxjs';
import { toApiError } from '../core/api';
import { nextChunk, percentOf } from './data-collection.model';

const CHUNK = 4 * 1024 * 1024;
const RETRIES = 8;

/**
 * The browser side of the upload protocol (docs/data-collection.md): create the upload, then PATCH 4 MB chunks at the
 * server's Upload-Offset. A dropped connection is not a failure: it asks the server how far it got and goes on from
 * there, waiting a little longer each time. Only the chunk in flight is read from the file.
 */
@Injectable({ providedIn: 'root' })
export class ResumableUpload {
  private readonly http = inject(HttpClient);

  async send(
    submissionId: string,
    file: File,
    progress: (percent: number) => void,
    uploadId?: string,
  ): Promise<string> {
    let id = uploadId;
    if (!id) {
      const created = await this.call(
        this.http.post<{ id: string }>(`/api/data-collection/submissions/${submissionId}/uploads`, {
          name: file.name,
          length: file.size,
        }),
      );
      id = created.id;
    }
    let offset = await this.offset(id);
    let failures = 0;
    for (
      let chunk = nextChunk(offset, file.size, CHUNK);
      chunk;
      chunk = nextChunk(offset, file.size, CHUNK)
    ) {
      try {
        const request = new HttpRequest(
          'PATCH',
          `/api/data-collection/uploads/${id}`,
          file.slice(chunk.start, chunk.end),
          {
            headers: new HttpHeaders({
              'Content-Type': 'application/offset+octet-stream',
              'Upload-Offset': String(chunk.start),
            }),
            reportProgress: true,
          },
        );
        const at = offset;
        const done = await firstValueFrom(
          this.http.request<{ offset: number }>(request).pipe(
            tap((e) => {
              if (e.type === HttpEventType.UploadProgress)
                progress(percentOf(at, e.loaded, file.size));
            }),
            filter((e) => e.type === HttpEventType.Response),
          ),
        );
        offset = (done as { body: { offset: number } }).body.offset;
        failures = 0;
        progress(percentOf(offset, 0, file.size));
      } catch (error) {
        const status = (error as { status?: number }).status ?? 0;
        // 4xx other than a stale offset or a busy upload is an answer, not a dropped connection.
        if (status >= 400 && status < 500 && status !== 409) throw toApiError(error);
        if ((failures += 1) > RETRIES) throw toApiError(error);
        await new Promise((r) => setTimeout(r, Math.min(8000, 500 * 2 ** failures)));
        offset = await this.offset(id);
      }
    }
    return id;
  }

  private async offset(id: string): Promise<number> {
    const state = await this.call(
      this.http.get<{ offset: number }>(`/api/data-collection/uploads/${id}`),
    );
    return state.offset;
  }

  private async call<T>(o: import('rxjs').Observable<T>): Promise<T> {
    try {
      return await firstValueFrom(o);
    } catch (error) {
      throw toApiError(error);
    }
  }
}

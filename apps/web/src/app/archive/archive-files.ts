import { HttpClient, HttpErrorResponse } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { ApiError, toApiError } from '../core/api';

/** Archive files as blobs (core Api has no blob call); a JSON error body inside a Blob is read back. */
@Injectable({ providedIn: 'root' })
export class ArchiveFiles {
  private readonly http = inject(HttpClient);

  /** The printable 四性检测 report (PDF) of the package's latest check. */
  async report(packageId: string): Promise<Blob> {
    try {
      return await firstValueFrom(
        this.http.get(`/api/archive/${encodeURIComponent(packageId)}/report.pdf`, {
          responseType: 'blob',
        }),
      );
    } catch (error) {
      throw await readBlobError(error);
    }
  }

  async get(packageId: string, name: string): Promise<Blob> {
    try {
      return await firstValueFrom(
        this.http.get(
          `/api/archive/${encodeURIComponent(packageId)}/files/${encodeURIComponent(name)}`,
          { responseType: 'blob' },
        ),
      );
    } catch (error) {
      throw await readBlobError(error);
    }
  }
}

async function readBlobError(error: unknown): Promise<ApiError> {
  if (error instanceof HttpErrorResponse && error.error instanceof Blob) {
    try {
      const body: unknown = JSON.parse(await error.error.text());
      return toApiError(
        new HttpErrorResponse({
          error: body,
          status: error.status,
          statusText: error.statusText,
          url: error.url ?? undefined,
        }),
      );
    } catch {
      // not JSON: fall through to the generic message
    }
  }
  return toApiError(error);
}

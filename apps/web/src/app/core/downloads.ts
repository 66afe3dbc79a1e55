import { HttpClient, HttpResponse } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { toApiError } from './api';
import { fileNameOf } from './downloads.logic';

export { fileNameOf };

/** Saves files in the browser: attachments fetched with the session's token, CSV built here, any api download. */
@Injectable({ providedIn: 'root' })
export class Downloads {
  private readonly http = inject(HttpClient);

  /** GET /api/attachments/:id/content as a blob, saved under the name the server gives. */
  async attachment(id: string, fallbackName: string): Promise<void> {
    let response: HttpResponse<Blob>;
    try {
      response = await firstValueFrom(
        this.http.get(`/api/attachments/${encodeURIComponent(id)}/content`, {
          responseType: 'blob',
          observe: 'response',
        }),
      );
    } catch (error) {
      throw toApiError(await readBlobError(error));
    }
    const name = fileNameOf(response.headers.get('Content-Disposition')) ?? fallbackName;
    saveBlob(response.body ?? new Blob([]), name);
  }

  /** Any api download (GET, or POST with a body), saved under the name the server gives; errors carry the api's message. */
  async fetch(path: string, fallbackName: string, body?: unknown): Promise<void> {
    let response: HttpResponse<Blob>;
    try {
      response = await firstValueFrom(
        body === undefined
          ? this.http.get(path, { responseType: 'blob', observe: 'response' })
          : this.http.post(path, body, { responseType: 'blob', observe: 'response' }),
      );
    } catch (error) {
      throw toApiError(await readBlobError(error));
    }
    saveBlob(
      response.body ?? new Blob([]),
      fileNameOf(response.headers.get('Content-Disposition')) ?? fallbackName,
    );
  }

  text(text: string, fileName: string, type = 'text/csv;charset=utf-8'): void {
    saveBlob(new Blob([text], { type }), fileName);
  }
}

/** Hands a blob to the browser as a download under `fileName`. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Give the browser time to start the download before the URL goes away.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** An error body requested as a blob is JSON inside a Blob: read it so the api's message reaches the person. */
export async function readBlobError(error: unknown): Promise<unknown> {
  const body = (error as { error?: unknown })?.error;
  if (!(body instanceof Blob)) return error;
  try {
    const parsed: unknown = JSON.parse(await body.text());
    Object.defineProperty(error, 'error', { value: parsed });
  } catch {
    // not JSON: keep the generic message
  }
  return error;
}

import { HttpClient, HttpResponse } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { toApiError } from '../core/api';

/** Saves files in the browser: attachments fetched with the session's token, and CSV built here. */
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
    save(response.body ?? new Blob([]), name);
  }

  text(text: string, fileName: string, type = 'text/csv;charset=utf-8'): void {
    save(new Blob([text], { type }), fileName);
  }
}

function save(blob: Blob, fileName: string): void {
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

/** `attachment; filename*=UTF-8''%E7%AB%8B…` → the decoded name. */
function fileNameOf(disposition: string | null): string | undefined {
  if (!disposition) return undefined;
  const encoded = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1];
  if (encoded) {
    try {
      return decodeURIComponent(encoded);
    } catch {
      return undefined;
    }
  }
  return /filename="?([^";]+)"?/i.exec(disposition)?.[1];
}

/** An error body requested as a blob is JSON inside a Blob: read it so the api's message reaches the person. */
async function readBlobError(error: unknown): Promise<unknown> {
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

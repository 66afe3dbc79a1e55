import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { type Api, toApiError } from '../core/api';

/** An attachment as the api lists it. */
export interface Attachment {
  id: string;
  name: string;
  mime: string;
  size: number;
  uploadedAt: string;
  uploadedBy: string;
  isGenerated: boolean;
}

/**
 * Attachment contents come as downloads with the token (the interceptor adds it), so they are fetched
 * as blobs and handed to the browser through object URLs — never by a plain link.
 */
@Injectable({ providedIn: 'root' })
export class Files {
  private readonly http = inject(HttpClient);

  async blob(id: string): Promise<Blob> {
    try {
      return await firstValueFrom(
        this.http.get(`/api/attachments/${id}/content`, { responseType: 'blob' }),
      );
    } catch (error) {
      throw toApiError(error);
    }
  }

  /** Saves the attachment under its name. */
  async download(id: string, name: string): Promise<void> {
    const url = URL.createObjectURL(await this.blob(id));
    try {
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      document.body.appendChild(a);
      a.click();
      a.remove();
    } finally {
      // Give the browser a moment to start the download before the URL goes away.
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    }
  }

  /** An object URL of the attachment as a PDF, for an <iframe>; the caller revokes it. */
  async pdfUrl(id: string): Promise<string> {
    const blob = await this.blob(id);
    return URL.createObjectURL(new Blob([blob], { type: 'application/pdf' }));
  }
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * Files picked on a form before its record existed, uploaded one after another once it does; returns the names that
 * failed, so the page can say which to upload again.
 */
export async function uploadEach(
  api: Api,
  files: readonly File[],
  owner: { ownerKind: string; ownerId: string },
): Promise<string[]> {
  const failed: string[] = [];
  for (const file of files) {
    try {
      await api.upload('/attachments', file, owner);
    } catch {
      failed.push(file.name);
    }
  }
  return failed;
}

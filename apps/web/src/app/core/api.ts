import { HttpClient, HttpErrorResponse, HttpParams } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { firstValueFrom } from 'rxjs';

/** An error the api explained: a stable code for programs and a Chinese message for people. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: { field: string; message: string }[],
  ) {
    super(message);
  }

  /** The message of one form field, for showing it at the field. */
  fieldMessage(field: string): string | undefined {
    return this.details?.find((d) => d.field === field || d.field.startsWith(`${field}.`))?.message;
  }

  /** The messages of a form's fields, each to show at its field; fields without one are left out. */
  fieldErrors<F extends string>(fields: readonly F[]): Partial<Record<F, string>> {
    const errors: Partial<Record<F, string>> = {};
    for (const field of fields) {
      const message = this.fieldMessage(field);
      if (message) errors[field] = message;
    }
    return errors;
  }
}

export type Query = Record<string, string | number | boolean | null | undefined>;

/** The api over HTTP; every call returns a promise and fails with an ApiError. */
@Injectable({ providedIn: 'root' })
export class Api {
  private readonly http = inject(HttpClient);

  get<T>(path: string, query?: Query): Promise<T> {
    return this.call(this.http.get<T>(`/api${path}`, { params: params(query) }));
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.call(this.http.post<T>(`/api${path}`, body));
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.call(this.http.put<T>(`/api${path}`, body));
  }

  delete<T>(path: string): Promise<T> {
    return this.call(this.http.delete<T>(`/api${path}`));
  }

  upload<T>(path: string, file: File, query?: Query): Promise<T> {
    const form = new FormData();
    form.append('file', file, file.name);
    return this.call(this.http.post<T>(`/api${path}`, form, { params: params(query) }));
  }

  /** Text bodies (BPMN XML uploads). */
  postText<T>(path: string, text: string, contentType: string): Promise<T> {
    return this.call(
      this.http.post<T>(`/api${path}`, text, { headers: { 'Content-Type': contentType } }),
    );
  }

  getText(path: string): Promise<string> {
    return this.call(this.http.get(`/api${path}`, { responseType: 'text' }));
  }

  private async call<T>(request: import('rxjs').Observable<T>): Promise<T> {
    try {
      return await firstValueFrom(request);
    } catch (error) {
      throw toApiError(error);
    }
  }
}

export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof HttpErrorResponse) {
    const body = (typeof error.error === 'object' && error.error) || {};
    const { code, message, details } = body as {
      code?: string;
      message?: string;
      details?: unknown;
    };
    if (error.status === 0) return new ApiError(0, 'NETWORK', '无法连接服务器，请检查网络后重试');
    return new ApiError(
      error.status,
      code ?? 'HTTP_ERROR',
      message ?? `请求失败（${error.status}），请稍后重试`,
      Array.isArray(details) ? (details as { field: string; message: string }[]) : undefined,
    );
  }
  return new ApiError(0, 'UNKNOWN', error instanceof Error ? error.message : String(error));
}

function params(query?: Query): HttpParams {
  let result = new HttpParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '')
      result = result.set(key, String(value));
  }
  return result;
}

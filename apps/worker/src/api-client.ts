/** The worker's HTTP calls to the api: always with the worker token, errors with the api's code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly workerToken: string,
  ) {}

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.send(method, path, body === undefined ? undefined : JSON.stringify(body), 'application/json');
    return (await response.json()) as T;
  }

  async bytes(method: string, path: string, body: Buffer, contentType: string): Promise<unknown> {
    const response = await this.send(method, path, body, contentType);
    return response.json();
  }

  private async send(method: string, path: string, body: string | Buffer | undefined, contentType: string): Promise<Response> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${this.workerToken}`, ...(body === undefined ? {} : { 'Content-Type': contentType }) },
      body,
    });
    if (!response.ok) {
      const error = (await response.json().catch(() => ({}))) as { code?: string; message?: string };
      throw new ApiError(response.status, error.code ?? 'HTTP_ERROR', error.message ?? `${method} ${path} → ${response.status}`);
    }
    return response;
  }
}

const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

/**
 * Whether a call failed on the way rather than being answered: the connection refused or cut (an api
 * process restarting, or killed while it held the request), or the api saying it is unavailable.
 * Such a call may be tried again when repeating it is harmless; an answer such as 400 or 404 may not.
 */
export function isTransient(error: unknown): boolean {
  if (error instanceof ApiError) return error.status === 502 || error.status === 503 || error.status === 504;
  // fetch (undici) puts the socket's code on the cause; got (the Camunda client) on the error itself.
  const codes = [error, (error as { cause?: unknown } | undefined)?.cause].map((e) => (e as { code?: unknown } | undefined)?.code);
  if (codes.some((code) => typeof code === 'string' && TRANSIENT_CODES.has(code))) return true;
  const status = (error as { response?: { statusCode?: number } } | undefined)?.response?.statusCode;
  return status === 502 || status === 503 || status === 504;
}

/** Runs `call` again after 0.5, 1, 2 s while it fails transiently; the last failure is thrown. */
export async function retryTransient<T>(call: () => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1, wait = 500; ; attempt += 1, wait *= 2) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= attempts || !isTransient(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

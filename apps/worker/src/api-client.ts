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

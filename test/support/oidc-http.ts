/**
 * A browser reduced to what a redirect-based login needs: cookies per origin and redirects followed
 * one hop at a time (so a test can stop at, inspect or tamper with any hop).
 */
export class HttpBrowser {
  private readonly jar = new Map<string, Map<string, string>>();

  cookie(url: string, name: string): string | undefined {
    return this.jar.get(new URL(url).origin)?.get(name);
  }

  setCookie(url: string, name: string, value: string): void {
    const origin = new URL(url).origin;
    if (!this.jar.has(origin)) this.jar.set(origin, new Map());
    this.jar.get(origin)?.set(name, value);
  }

  /** One request, no redirect followed; Set-Cookie headers land in the jar (an empty or expired value removes the cookie). */
  async request(
    url: string,
    init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const origin = new URL(url).origin;
    const cookies = [...(this.jar.get(origin) ?? new Map<string, string>())].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      redirect: 'manual',
      headers: { ...(cookies ? { cookie: cookies } : {}), ...(init.headers ?? {}) },
      body: init.form ? new URLSearchParams(init.form) : undefined,
    });
    for (const header of res.headers.getSetCookie()) {
      const [pair, ...attributes] = header.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*expires=/i.test(a) && new Date(a.split('=')[1]).getTime() < Date.now());
      if (!this.jar.has(origin)) this.jar.set(origin, new Map());
      const jar = this.jar.get(origin) as Map<string, string>;
      if (value === '' || expired) jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  }

  /** Follows redirects from `url` until an answer that is not one, or until `stopAt` matches the next location (returned unvisited). */
  async follow(
    url: string,
    stopAt?: (location: string) => boolean,
    init?: { form?: Record<string, string> },
  ): Promise<{ url: string; res?: Response }> {
    let current = url;
    let res = await this.request(current, init);
    for (let hops = 0; res.status >= 300 && res.status < 400; hops++) {
      if (hops > 20) throw new Error(`too many redirects from ${url}`);
      const location = new URL(res.headers.get('location') ?? '', current).href;
      await res.arrayBuffer();
      if (stopAt?.(location)) return { url: location };
      current = location;
      res = await this.request(current);
    }
    return { url: current, res };
  }
}

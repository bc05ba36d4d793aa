/**
 * @module test/browser
 * A browser for sign-in flows across origins (the server, an organization's IdP): one cookie jar
 * per origin, redirects followed by hand, every URL visited kept.
 */
export class Browser {
  private readonly jars = new Map<string, Map<string, string>>();
  visited: string[] = [];

  jar(origin: string): Map<string, string> {
    let jar = this.jars.get(origin);
    if (!jar) this.jars.set(origin, (jar = new Map()));
    return jar;
  }

  async raw(url: string, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url);
    const jar = this.jar(target.origin);
    const headers = new Headers(init.headers);
    if (jar.size) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetch(target, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    return response;
  }

  async follow(url: string, init: RequestInit = {}): Promise<Response> {
    this.visited = [url];
    let response = await this.raw(url, init);
    let at = url;
    for (let i = 0; i < 20 && response.status >= 300 && response.status < 400; i++) {
      at = new URL(response.headers.get('location')!, at).href;
      this.visited.push(at);
      response = await this.raw(at);
    }
    return response;
  }
}

/**
 * Follows `url`'s redirects up to, not into, the first address `stop` accepts, and returns it
 * (a flow held just before it comes back, to be resumed later or replayed).
 */
export async function followUntil(browser: Browser, url: string, stop: (at: string) => boolean): Promise<string> {
  let at = url;
  let response = await browser.raw(at);
  while (response.status >= 300 && response.status < 400) {
    at = new URL(response.headers.get('location')!, at).href;
    if (stop(at)) return at;
    response = await browser.raw(at);
  }
  throw new Error(`no redirect to the address asked for; stopped at ${at} (${response.status})`);
}

/**
 * @module testing/windowClient
 * The agent window as tests see it: opens the one-time launch URL, keeps the cookie,
 * reads the CSRF token and the window key from the page and talks to the UI server like
 * `static/app.js` (the key in a header on every request).
 */
import type { UiCommand, UiState } from '../ui/model.js';
import { CSRF_HEADER, UI_COOKIE, WINDOW_HEADER } from '../ui/uiAccess.js';

/** A signed-in agent window. */
export class WindowClient {
  private constructor(
    readonly origin: string,
    readonly cookie: string,
    readonly csrf: string,
    readonly windowKey: string,
  ) {}

  /** Opens the launch URL: keeps the cookie and reads the CSRF token and the window key from the page. */
  static async open(launchUrl: string): Promise<WindowClient> {
    const launch = await fetch(launchUrl, { redirect: 'manual' });
    if (launch.status !== 200) throw new Error(`the launch URL answered ${launch.status}`);
    const cookie = (launch.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    if (!cookie.startsWith(`${UI_COOKIE}=`)) throw new Error('no window cookie');
    const origin = new URL(launchUrl).origin;
    const page = await launch.text();
    const csrf = /name="rh-csrf" content="([^"]+)"/.exec(page)?.[1];
    if (!csrf) throw new Error('no CSRF token in the page');
    const windowKey = /name="rh-window" content="([^"]+)"/.exec(page)?.[1];
    if (!windowKey) throw new Error('no window key in the page');
    return new WindowClient(origin, cookie, csrf, windowKey);
  }

  /** The headers the page sends on every request (cookie and window key). */
  get headers(): Record<string, string> {
    return { cookie: this.cookie, [WINDOW_HEADER]: this.windowKey };
  }

  get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${this.origin}${path}`, { headers: { ...this.headers, ...headers } });
  }

  async state(): Promise<UiState> {
    return (await (await this.get('/api/state')).json()) as UiState;
  }

  /** Posts a command like the page does; throws unless the server accepted it. */
  async command(command: UiCommand | Record<string, unknown>): Promise<UiState> {
    const response = await this.post(command);
    if (response.status !== 200) throw new Error(`command refused: ${response.status} ${await response.text()}`);
    return ((await response.json()) as { state: UiState }).state;
  }

  /** Posts raw JSON with the cookie and CSRF header (override either for negative tests). */
  post(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${this.origin}/api/command`, {
      method: 'POST',
      headers: { ...this.headers, [CSRF_HEADER]: this.csrf, 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  /** Polls the state until `predicate` holds. */
  async waitFor(predicate: (state: UiState) => boolean, what: string, timeoutMs = 10_000): Promise<UiState> {
    const deadline = Date.now() + timeoutMs;
    let last: UiState | null = null;
    while (Date.now() < deadline) {
      last = await this.state();
      if (predicate(last)) return last;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`Timed out waiting for ${what}; last state: ${JSON.stringify(last)}`);
  }
}

/**
 * @module auth/loopback
 * The loopback redirect of OAuth for native apps (RFC 8252 §7.3): a one-shot HTTP
 * listener on 127.0.0.1 and a free port, waiting for the IdP to send the browser to
 * `/callback?code=…&state=…`. Requests with another path or state are refused and the
 * listener keeps waiting; the first matching callback wins and the listener closes.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AgentError } from '../errors.js';

/** The redirect listener of one sign-in. */
export interface LoopbackRedirect {
  /** `http://127.0.0.1:<port>/callback` */
  readonly redirectUri: string;
  /**
   * Resolves with the full callback URL once the browser arrives with `expectedState`;
   * rejects on an IdP error, after `timeoutMs`, or with `signin_cancelled` when `signal` aborts.
   */
  wait(expectedState: string, timeoutMs: number, signal?: AbortSignal): Promise<URL>;
  close(): void;
}

const PAGE = (title: string, text: string): string =>
  `<!doctype html><html lang="en"><meta charset="utf-8"><title>${title}</title>` +
  `<body style="font-family:'Segoe UI',system-ui,sans-serif;margin:3rem;color:#242424">` +
  `<h1 style="font-weight:600;font-size:1.5rem">${title}</h1><p>${text}</p></body></html>`;

/** Starts listening on 127.0.0.1 (port 0 = any free port). */
export async function listenForRedirect(port = 0): Promise<LoopbackRedirect> {
  let expected: string | null = null;
  let deliver: ((url: URL) => void) | null = null;
  let failWith: ((error: AgentError) => void) | null = null;

  const reply = (res: ServerResponse, status: number, title: string, text: string): void => {
    res.writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
      'referrer-policy': 'no-referrer',
    });
    res.end(PAGE(title, text));
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', redirectUri);
    if (req.method !== 'GET' || url.pathname !== '/callback') return reply(res, 404, 'Not found', '');
    const state = url.searchParams.get('state');
    if (!expected || state !== expected) {
      return reply(res, 400, 'Sign-in not recognised', 'This sign-in was not started by the Remote Help app.');
    }
    const error = url.searchParams.get('error');
    if (error) {
      reply(res, 200, 'Sign-in did not complete', 'Go back to the Remote Help app and try again.');
      failWith?.(
        new AgentError(error === 'access_denied' ? 'signin_cancelled' : 'signin_failed', `Sign-in failed: ${error}`, {
          error: error.slice(0, 64),
        }),
      );
      return;
    }
    reply(res, 200, 'You are signed in', 'You can close this tab and go back to the Remote Help app.');
    deliver?.(url);
  });
  server.keepAliveTimeout = 1000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  const redirectUri = `http://127.0.0.1:${bound}/callback`;
  const close = (): void => {
    server.close();
    server.closeAllConnections();
  };

  return {
    redirectUri,
    close,
    wait(expectedState, timeoutMs, signal) {
      expected = expectedState;
      return new Promise<URL>((resolve, reject) => {
        const timer = setTimeout(
          () => failWith?.(new AgentError('signin_failed', 'Sign-in timed out: the browser did not come back.')),
          timeoutMs,
        );
        const onAbort = (): void => failWith?.(new AgentError('signin_cancelled', 'Sign-in was cancelled.'));
        signal?.addEventListener('abort', onAbort, { once: true });
        const settle = (): void => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          deliver = null;
          failWith = null;
          // Let the page reach the browser before the socket goes away.
          setTimeout(close, 200).unref();
        };
        deliver = (url) => {
          settle();
          resolve(url);
        };
        failWith = (error) => {
          settle();
          reject(error);
        };
        if (signal?.aborted) onAbort();
      });
    },
  };
}

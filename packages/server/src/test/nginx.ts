/**
 * @module test/nginx
 * Runs the example reverse-proxy configuration, docs/deploy/nginx.conf, with Debian's nginx
 * (`scripts/ensure-system-deps.mjs` installs it) as a child process: the file as it is, with
 * only the ports, paths and host name substituted (each substitution must match exactly, so a
 * changed example fails loudly instead of being tested half-way). IPv6 listeners are dropped
 * (a CI container may have no ::1); everything else nginx writes goes into `dir`.
 */
import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const NGINX = '/usr/sbin/nginx';
export const NGINX_EXAMPLE = fileURLToPath(new URL('../../../../docs/deploy/nginx.conf', import.meta.url));

export interface NginxOptions {
  /** A fresh directory for the configuration, logs and temp files (made readable to nginx's workers). */
  dir: string;
  /** `PUBLIC_URL`'s host name, e.g. `rh.test`. */
  host: string;
  /** Where nginx listens on 127.0.0.1: HTTPS (the example's 443) and plain HTTP (its 80). */
  httpsPort: number;
  httpPort: number;
  /** The remote-help server nginx proxies to, on 127.0.0.1 (the example's 8080). */
  upstreamPort: number;
  certFile: string;
  keyFile: string;
}

export interface RunningNginx {
  /** `https://host:httpsPort`: the `PUBLIC_URL` the server behind must have. */
  publicUrl: string;
  stop(): Promise<void>;
}

/** Replaces `from` by `to`, demanding exactly `count` occurrences. */
function substitute(text: string, from: string, to: string, count: number): string {
  const found = text.split(from).length - 1;
  if (found !== count) throw new Error(`docs/deploy/nginx.conf: expected ${count}× "${from}", found ${found}`);
  return text.split(from).join(to);
}

/** The example with the test's ports, paths and host name. */
export function renderNginxExample(o: NginxOptions): string {
  const publicHost = `${o.host}:${o.httpsPort}`;
  let conf = readFileSync(NGINX_EXAMPLE, 'utf8');
  conf = substitute(conf, 'server 127.0.0.1:8080;', `server 127.0.0.1:${o.upstreamPort};`, 1);
  conf = substitute(conf, 'listen 80;', `listen 127.0.0.1:${o.httpPort};`, 1);
  conf = substitute(conf, 'listen 443 ssl;', `listen 127.0.0.1:${o.httpsPort} ssl;`, 1);
  conf = substitute(conf, '/etc/letsencrypt/live/help.example.com/fullchain.pem', o.certFile, 1);
  conf = substitute(conf, '/etc/letsencrypt/live/help.example.com/privkey.pem', o.keyFile, 1);
  conf = substitute(conf, 'root /var/www/letsencrypt;', `root ${join(o.dir, 'acme')};`, 1);
  conf = substitute(
    conf,
    'return 308 https://help.example.com$request_uri;',
    `return 308 https://${publicHost}$request_uri;`,
    1,
  );
  conf = substitute(conf, 'server_name help.example.com;', `server_name ${o.host};`, 2);
  conf = substitute(conf, 'Host              help.example.com;', `Host ${publicHost};`, 1);
  conf = substitute(conf, 'X-Forwarded-Host  help.example.com;', `X-Forwarded-Host ${publicHost};`, 1);
  const lines = conf.split('\n');
  const left = lines.filter((line) => !line.trim().startsWith('#') && line.includes('example.com'));
  if (left.length) throw new Error(`docs/deploy/nginx.conf: not substituted: ${left.join(' | ')}`);
  const ipv6 = (line: string) => line.trim().startsWith('listen [::]:');
  if (lines.filter(ipv6).length !== 2) throw new Error('docs/deploy/nginx.conf: expected 2 IPv6 listeners');
  return lines.filter((line) => !ipv6(line)).join('\n');
}

/** A minimal nginx.conf around the site file (Debian's own lives in /etc/nginx). */
function mainConfig(dir: string, site: string): string {
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
    (kind) => `  ${kind}_temp_path ${join(dir, `${kind}_temp`)};`,
  );
  return [
    'worker_processes 1;',
    `error_log ${join(dir, 'error.log')} info;`,
    'events { worker_connections 256; }',
    'http {',
    `  access_log ${join(dir, 'access.log')};`,
    ...temp,
    `  include ${site};`,
    '}',
    '',
  ].join('\n');
}

function isOpen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(() => done(true)));
    socket.on('error', () => done(false));
  });
}

/** Checks the rendered configuration (`nginx -t`), starts nginx and resolves once both ports accept. */
export async function startNginx(o: NginxOptions): Promise<RunningNginx> {
  // nginx's workers drop root's privileges; they write request bodies under this directory.
  chmodSync(o.dir, 0o755);
  const site = join(o.dir, 'remote-help.conf');
  writeFileSync(site, renderNginxExample(o));
  const main = join(o.dir, 'nginx.conf');
  writeFileSync(main, mainConfig(o.dir, site));
  const args = ['-c', main, '-p', `${o.dir}/`, '-g', `daemon off; pid ${join(o.dir, 'nginx.pid')};`];
  execFileSync(NGINX, ['-t', ...args], { stdio: 'pipe' });
  const child: ChildProcess = spawn(NGINX, args, { stdio: 'ignore' });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const log = join(o.dir, 'error.log');
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${existsSync(log) ? readFileSync(log, 'utf8') : ''}`);
    if ((await isOpen(o.httpsPort)) && (await isOpen(o.httpPort))) break;
    if (attempt === 100) {
      await stop();
      throw new Error(`nginx did not listen on ${o.httpsPort} and ${o.httpPort}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { publicUrl: `https://${o.host}:${o.httpsPort}`, stop };
}

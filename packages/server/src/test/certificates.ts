/**
 * @module test/certificates
 * What a real deployment has, made with Debian's openssl in a temporary directory: a CA and a
 * leaf certificate it issued for a public host name (not for 127.0.0.1). A client that trusts
 * only `ca` and sends that name (SNI) verifies the chain like a browser would.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCertificates {
  /** The CA's certificate (PEM) for a client's `ca` option. */
  ca: Buffer;
  /** Paths of the leaf's certificate and key (PEM), e.g. for `TLS_CERT`/`TLS_KEY` or nginx. */
  certFile: string;
  keyFile: string;
}

/** Issues a P-256 CA and a one-day `serverAuth` leaf for `host` into `dir`. */
export function makeCertificates(dir: string, host: string): TestCertificates {
  const openssl = (args: string[]): void => {
    execFileSync('openssl', args, { stdio: 'ignore', cwd: dir });
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl([
    'req',
    '-x509',
    ...ec,
    '-days',
    '1',
    '-subj',
    '/CN=Remote Help Test CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  ]);
  openssl(['req', ...ec, '-subj', `/CN=${host}`, '-keyout', 'leaf.key', '-out', 'leaf.csr']);
  writeFileSync(join(dir, 'leaf.ext'), `subjectAltName=DNS:${host}\nextendedKeyUsage=serverAuth\n`);
  openssl([
    'x509',
    '-req',
    '-in',
    'leaf.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    'leaf.ext',
    '-out',
    'leaf.pem',
  ]);
  return { ca: readFileSync(join(dir, 'ca.pem')), certFile: join(dir, 'leaf.pem'), keyFile: join(dir, 'leaf.key') };
}

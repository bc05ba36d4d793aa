/**
 * `ops/lazyLogger`: a request's logger costs nothing until it writes, then writes what pino's
 * own child would have (every binding, in order, redaction and serializers of the root).
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { lazyChild } from './lazyLogger.js';

function capture(level = 'warn') {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const root = pino({ level, redact: { paths: ['secret'], censor: '[redacted]' } }, stream);
  return { root, lines };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('lazyChild', () => {
  it('makes no pino child for lines below the level', async () => {
    const { root, lines } = capture('warn');
    const spy = vi.spyOn(root, 'child');
    const request = lazyChild(root, { reqId: 'r1' }).child({ tenantId: 't1' });
    request.info('not written');
    request.debug({ a: 1 }, 'not written');
    await flush();
    expect(spy).not.toHaveBeenCalled();
    expect(lines).toEqual([]);
  });

  it('writes an enabled line with every binding, as a pino child would', async () => {
    const { root, lines } = capture('warn');
    const request = lazyChild(root, { reqId: 'r1' }).child({ tenantId: 't1', userId: 'u1' });
    request.warn({ secret: 'pw', n: 2 }, 'refused');
    request.error('again');
    await flush();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 40, reqId: 'r1', tenantId: 't1', userId: 'u1', n: 2, msg: 'refused' });
    expect(lines[0]?.secret).toBe('[redacted]');
    expect(lines[1]).toMatchObject({ level: 50, reqId: 'r1', tenantId: 't1', msg: 'again' });
  });

  it('keeps the level it was made with, and follows a level set on it', async () => {
    const { root, lines } = capture('warn');
    const request = lazyChild(root, { reqId: 'r2' });
    expect(request.level).toBe('warn');
    request.level = 'debug';
    request.debug('now written');
    await flush();
    expect(lines).toEqual([expect.objectContaining({ level: 20, reqId: 'r2', msg: 'now written' })]);
  });
});

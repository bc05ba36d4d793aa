/**
 * The open-file limit and count, read from this process's real `/proc`, and the watch's
 * warnings against a limit set just above what is open now.
 */
import { execFileSync } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OpenFilesWatch, headroom, parseOpenFileLimit, processOpenFiles, warnAt } from './openFiles.js';

const linux = process.platform === 'linux';

/** Opens `n` real descriptors (/dev/null); returns a function closing them. */
function openMany(n: number): () => void {
  const fds = Array.from({ length: n }, () => openSync('/dev/null', 'r'));
  return () => fds.forEach((fd) => closeSync(fd));
}

describe('the open-file limit', () => {
  it.skipIf(!linux)("is this process's soft limit, as the shell reports it", async () => {
    const shell = Number(
      execFileSync('prlimit', ['--pid', String(process.pid), '--nofile', '--raw', '--noheadings', '--output', 'SOFT'], {
        encoding: 'utf8',
      }).trim(),
    );
    expect(await processOpenFiles.limit()).toBe(shell);
  });

  it('reads the soft column of `Max open files`; unlimited or absent is unknown', () => {
    const head = 'Limit                     Soft Limit           Hard Limit           Units     \n';
    expect(
      parseOpenFileLimit(`${head}Max open files            1024                 524288               files     \n`),
    ).toBe(1024);
    expect(
      parseOpenFileLimit(`${head}Max open files            unlimited            unlimited            files     \n`),
    ).toBeNull();
    expect(
      parseOpenFileLimit(`${head}Max processes             63304                63304                processes \n`),
    ).toBeNull();
  });

  it('keeps 5 % (at least 64) free and warns at 90 %, never after the node is full', () => {
    expect([headroom(20_000), warnAt(20_000)]).toEqual([1_000, 18_000]);
    expect([headroom(1_024), warnAt(1_024)]).toEqual([64, 921]);
    // A tiny limit: 90 % would be past the point where `/readyz` already says full.
    expect([headroom(100), warnAt(100)]).toEqual([64, 36]);
  });
});

describe('the open-file count', () => {
  it.skipIf(!linux)('follows descriptors as they open and close', async () => {
    const before = (await processOpenFiles.count())!;
    const close = openMany(25);
    expect((await processOpenFiles.count())! - before).toBeGreaterThanOrEqual(25);
    close();
    expect(Math.abs((await processOpenFiles.count())! - before)).toBeLessThan(5);
  });
});

describe('the watch', () => {
  it.skipIf(!linux)(
    'warns once as the count crosses 90 % of the limit and says when it is back under 80 %',
    async () => {
      const lines: { level: string; fields: object; message: string }[] = [];
      const log = {
        warn: (fields: object, message: string) => lines.push({ level: 'warn', fields, message }),
        info: (fields: object, message: string) => lines.push({ level: 'info', fields, message }),
      };
      // A limit of 1,000 with the real count: 90 % is 900, 80 % is 800.
      const base = (await processOpenFiles.count())!;
      const files = { limit: async () => 1_000, count: async () => (await processOpenFiles.count())! - base + 700 };
      const watch = new OpenFilesWatch({ files, log });
      await watch.look();
      expect(lines).toEqual([]);
      const close = openMany(220);
      await watch.look();
      await watch.look();
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ level: 'warn', fields: { limit: 1_000 } });
      expect(lines[0]!.message).toMatch(/of 1000 open files: at the limit new connections are reset.*LimitNOFILE/);
      close();
      await watch.look();
      expect(lines).toHaveLength(2);
      expect(lines[1]).toMatchObject({ level: 'info' });
      expect(lines[1]!.message).toMatch(/back under 80 %/);
    },
  );
});

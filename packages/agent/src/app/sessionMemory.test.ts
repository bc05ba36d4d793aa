import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SESSION_FILE, SessionMemory } from './sessionMemory.js';

describe('SessionMemory', () => {
  const dirs: string[] = [];
  const fresh = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'rh-memory-'));
    dirs.push(dir);
    return join(dir, 'state');
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('remembers the session of one server in a 0600 file in a 0700 directory, and forgets it', async () => {
    const dir = fresh();
    const memory = new SessionMemory(dir);
    expect(await memory.read('https://help.example')).toBeNull();
    await memory.remember('https://help.example', 'abc123');
    expect(await memory.read('https://help.example')).toEqual({ sessionId: 'abc123', allowedHelperId: null });
    expect(await memory.read('https://other.example')).toBeNull();
    expect(statSync(join(dir, SESSION_FILE)).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    await memory.forget();
    expect(await memory.read('https://help.example')).toBeNull();
    await memory.forget(); // nothing to forget: fine
  });

  it('treats a damaged or foreign file as nothing remembered', async () => {
    const dir = fresh();
    const memory = new SessionMemory(dir);
    await memory.remember('https://help.example', 'abc123');
    for (const text of ['not json', '{}', '{"server":"https://help.example","sessionId":""}', '[]']) {
      writeFileSync(join(dir, SESSION_FILE), text);
      expect(await memory.read('https://help.example')).toBeNull();
    }
  });

  it('runs writes in order: the last one wins', async () => {
    const memory = new SessionMemory(fresh());
    await Promise.all([
      memory.remember('https://help.example', 'one'),
      memory.forget(),
      memory.remember('https://help.example', 'two'),
    ]);
    expect(await memory.read('https://help.example')).toEqual({ sessionId: 'two', allowedHelperId: null });
  });

  it('remembers the Allow to share with the session, for its helper; a file without it (older agent) has none', async () => {
    const dir = fresh();
    const memory = new SessionMemory(dir);
    await memory.remember('https://help.example', 'abc123', 'helper-7');
    expect(await memory.read('https://help.example')).toEqual({ sessionId: 'abc123', allowedHelperId: 'helper-7' });
    expect(statSync(join(dir, SESSION_FILE)).mode & 0o777).toBe(0o600);
    // The next session: the Allow of the last one is not carried over.
    await memory.remember('https://help.example', 'def456');
    expect(await memory.read('https://help.example')).toEqual({ sessionId: 'def456', allowedHelperId: null });
    writeFileSync(join(dir, SESSION_FILE), JSON.stringify({ server: 'https://help.example', sessionId: 'abc123' }));
    expect(await memory.read('https://help.example')).toEqual({ sessionId: 'abc123', allowedHelperId: null });
    for (const allowed of [{}, { helperId: '' }, { helperId: 'h', extra: 1 }, 'helper-7', true]) {
      const text = JSON.stringify({ server: 'https://help.example', sessionId: 'abc123', allowed });
      writeFileSync(join(dir, SESSION_FILE), text);
      expect(await memory.read('https://help.example')).toBeNull();
    }
  });
});

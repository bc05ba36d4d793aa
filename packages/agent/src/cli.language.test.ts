/**
 * The command line speaks the user's language (issue 10): `remote-help-agent` run as a child
 * process with the system locale, `REMOTE_HELP_LANGUAGE` and `--language` prints its help and
 * its errors in the chosen language, and refuses a language it does not ship.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CATALOGS } from './i18n/catalogs.js';
import { REPO_ROOT } from './testing/serverProcess.js';

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));

/** Runs the CLI with only the given locale variables set. */
function run(
  args: string[],
  locale: Record<string, string>,
): Promise<{ code: number | null; out: string; err: string }> {
  const localeVars = new Set(['LC_ALL', 'LC_MESSAGES', 'LANG', 'LANGUAGE', 'REMOTE_HELP_LANGUAGE']);
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !localeVars.has(name)));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      cwd: REPO_ROOT,
      env: { ...env, ...locale },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, out, err }));
  });
}

describe('remote-help-agent in the user’s language', { timeout: 120_000 }, () => {
  it('prints its help in the system language, else REMOTE_HELP_LANGUAGE, else --language', async () => {
    const [system, env, flag, portable] = await Promise.all([
      run(['--help'], { LANG: 'ja_JP.UTF-8' }),
      run(['--help'], { LANG: 'ja_JP.UTF-8', REMOTE_HELP_LANGUAGE: 'de' }),
      run(['--language', 'ar', '--help'], { LANG: 'ja_JP.UTF-8', REMOTE_HELP_LANGUAGE: 'de' }),
      run(['help'], { LC_ALL: 'C' }),
    ]);
    expect(system.code).toBe(0);
    expect(system.out).toContain(CATALOGS.ja['cli.usage.share']);
    expect(system.out).toContain('remote-help-agent <command> [options]');
    expect(env.out).toContain(CATALOGS.de['cli.usage.share']);
    expect(flag.out).toContain(CATALOGS.ar['cli.usage.share']);
    expect(portable.out).toContain(CATALOGS.en['cli.usage.share']);
  });

  it('explains a bad command line in the language, and a language it does not ship in the system one', async () => {
    const [bad, unknownLanguage] = await Promise.all([
      run(['share', '--frobnicate'], { LC_MESSAGES: 'fr_FR.UTF-8', LANG: 'en_US.UTF-8' }),
      run(['--language=klingon', 'share'], { LANG: 'pl_PL.UTF-8' }),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('share n’accepte pas --frobnicate');
    expect(unknownLanguage.code).toBe(2);
    expect(unknownLanguage.err).toContain('"klingon" nie jest językiem Remote Help');
    expect(unknownLanguage.err).toContain('zh-Hant');
  });
});

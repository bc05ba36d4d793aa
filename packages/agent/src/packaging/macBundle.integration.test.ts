/**
 * Integration: the macOS package's layout, checked here without a Mac. The zip from
 * `npm run package` (reused when fresh, else built) unpacks to `Remote Help.app` with a valid
 * Info.plist and LaunchAgent (parsed by Python's plistlib), an executable launcher, the darwin
 * arm64 Node runtime and the darwin prebuilds of the native modules. Running it needs a Mac
 * (docs/agent/packaging.md).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, readSync, closeSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCommand } from '../testing/xvfb.js';
import { agentVersion, freshPackage } from '../testing/packageBuild.js';

const missing = ['unzip', 'python3'].filter((t) => !hasCommand(t));

/** Parses an XML or binary plist with Python's plistlib (a parser that is not ours). */
function parsePlist(path: string): Record<string, unknown> {
  const result = spawnSync(
    'python3',
    ['-c', 'import json, plistlib, sys; print(json.dumps(plistlib.load(open(sys.argv[1], "rb"))))', path],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`plistlib could not read ${path}:\n${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

/** The first 8 bytes: Mach-O magic and CPU type. */
function machO(path: string): { magic: number; cpu: number } {
  const fd = openSync(path, 'r');
  const head = Buffer.alloc(8);
  readSync(fd, head, 0, 8, 0);
  closeSync(fd);
  return { magic: head.readUInt32LE(0), cpu: head.readUInt32LE(4) };
}
const MH_MAGIC_64 = 0xfeedfacf;
const CPU_ARM64 = 0x0100000c;

describe.skipIf(missing.length > 0)('the macOS app bundle (layout)', { timeout: 60_000 }, () => {
  let dir: string;
  let contents: string;
  let removePackage = (): void => undefined;

  beforeAll(async () => {
    const { path, remove } = await freshPackage('darwin-arm64', `remote-help-agent_${agentVersion()}_macos-arm64.zip`);
    removePackage = remove;
    dir = mkdtempSync(join(tmpdir(), 'rh-macos-'));
    const unzip = spawnSync('unzip', ['-q', path, '-d', dir], { encoding: 'utf8' });
    if (unzip.status !== 0) throw new Error(`unzip failed: ${unzip.stderr}`);
    contents = join(dir, 'Remote Help.app/Contents');
  }, 600_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    removePackage();
  });

  it('has an Info.plist that names an executable launcher, an agent (no Dock icon) and why it asks', () => {
    const info = parsePlist(join(contents, 'Info.plist'));
    expect(info).toMatchObject({
      CFBundleIdentifier: 'com.remotehelp.agent',
      CFBundlePackageType: 'APPL',
      CFBundleShortVersionString: agentVersion(),
      LSUIElement: true,
    });
    expect(info['NSScreenCaptureUsageDescription']).toMatch(/screen/);
    expect(info['NSAccessibilityUsageDescription']).toMatch(/mouse and keyboard/);
    const launcher = join(contents, 'MacOS', info['CFBundleExecutable'] as string);
    expect(statSync(launcher).mode & 0o111).toBe(0o111);
    expect(readFileSync(launcher, 'utf8')).toMatch(/^#!\/bin\/sh\n/);
    expect(readFileSync(join(contents, 'PkgInfo'), 'utf8')).toBe('APPL????');
  });

  it('carries the darwin arm64 Node runtime, the bundle and the darwin prebuilds', () => {
    const app = join(contents, 'Resources/app');
    expect(machO(join(app, 'node'))).toEqual({ magic: MH_MAGIC_64, cpu: CPU_ARM64 });
    expect(statSync(join(app, 'node')).mode & 0o111).toBe(0o111);
    expect(JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'))).toMatchObject({
      version: agentVersion(),
      type: 'module',
    });
    for (const file of [
      'dist/cli.mjs',
      'static/index.html',
      'node_modules/@roamhq/wrtc/lib/index.js',
      'node_modules/@roamhq/wrtc-darwin-arm64/wrtc.node',
      'node_modules/@nut-tree-fork/libnut-darwin/build/Release/libnut.node',
      'node_modules/@nut-tree-fork/node-mac-permissions/build/Release/permissions.node',
      'node_modules/node-screenshots/index.js',
      'node_modules/bindings/bindings.js',
    ]) {
      expect(existsSync(join(app, file)), file).toBe(true);
    }
    expect(machO(join(app, 'node_modules/@roamhq/wrtc-darwin-arm64/wrtc.node')).cpu).toBe(CPU_ARM64);
    // No Linux binaries ride along.
    expect(existsSync(join(app, 'node_modules/@roamhq/wrtc-linux-x64'))).toBe(false);
  });

  it('has a LaunchAgent that runs the launcher with `run` in the user session', () => {
    const agent = parsePlist(join(contents, 'Library/LaunchAgents/com.remotehelp.agent.plist'));
    expect(agent).toMatchObject({
      Label: 'com.remotehelp.agent',
      BundleProgram: 'Contents/MacOS/remote-help-agent',
      ProgramArguments: ['/Applications/Remote Help.app/Contents/MacOS/remote-help-agent', 'run'],
      RunAtLoad: true,
      LimitLoadToSessionType: 'Aqua',
    });
  });
});

// The macOS app bundle, zipped:
//   Remote Help.app/Contents/Info.plist, PkgInfo
//   Contents/MacOS/remote-help-agent                the launcher (share window by default)
//   Contents/Resources/app/                        node (darwin runtime), dist/cli.mjs, static/, node_modules/
//   Contents/Resources/remote-help-agent.svg       the icon source (no .icns without Apple's tools)
//   Contents/Library/LaunchAgents/com.remotehelp.agent.plist   remote launch (SMAppService / MDM)
// Not signed or notarized: that needs a Mac and a Developer ID (docs/agent/packaging.md).
import { chmodSync, copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { agentVersion, buildAgentTree, run } from './agentTree.mjs';
import { toPlist } from './plist.mjs';

const HERE = new URL('.', import.meta.url).pathname;
export const BUNDLE_ID = 'com.remotehelp.agent';
export const APP_NAME = 'Remote Help.app';
const EXECUTABLE = 'remote-help-agent';

/** Info.plist of the app. */
export function infoPlist(version) {
  return {
    CFBundleIdentifier: BUNDLE_ID,
    CFBundleName: 'Remote Help',
    CFBundleDisplayName: 'Remote Help',
    CFBundleExecutable: EXECUTABLE,
    CFBundlePackageType: 'APPL',
    CFBundleInfoDictionaryVersion: '6.0',
    CFBundleShortVersionString: version,
    CFBundleVersion: version,
    LSMinimumSystemVersion: '11.0',
    // An agent: no Dock icon; its window is a browser app window.
    LSUIElement: true,
    NSHighResolutionCapable: true,
    NSScreenCaptureUsageDescription:
      'Remote Help shares your screen with the helper you allowed, only during a session you accepted.',
    NSAccessibilityUsageDescription:
      'Remote Help lets the helper use your mouse and keyboard, only when you give them control.',
    NSAppleEventsUsageDescription: 'Remote Help opens your web browser to sign you in.',
  };
}

/** The LaunchAgent that keeps the agent connected for remote launch. */
export function launchAgentPlist() {
  return {
    Label: BUNDLE_ID,
    // SMAppService resolves BundleProgram inside the app; MDM copies to /Library/LaunchAgents use ProgramArguments.
    BundleProgram: `Contents/MacOS/${EXECUTABLE}`,
    ProgramArguments: [`/Applications/${APP_NAME}/Contents/MacOS/${EXECUTABLE}`, 'run'],
    RunAtLoad: true,
    KeepAlive: { SuccessfulExit: false },
    LimitLoadToSessionType: 'Aqua',
    ProcessType: 'Interactive',
    AssociatedBundleIdentifiers: [BUNDLE_ID],
  };
}

/** Builds dist/packages/remote-help-agent_<version>_macos-<arch>.zip; returns its path and what is missing. */
export async function buildMacZip(target, { outDir, log }) {
  const version = agentVersion();
  const work = join(outDir, '.build', `macos-${target.arch}`);
  rmSync(work, { recursive: true, force: true });
  const contents = join(work, APP_NAME, 'Contents');
  const missing = await buildAgentTree(join(contents, 'Resources/app'), target, log);

  log(`laying out ${APP_NAME}`);
  writeFileSync(join(contents, 'Info.plist'), toPlist(infoPlist(version)));
  writeFileSync(join(contents, 'PkgInfo'), 'APPL????');
  mkdirSync(join(contents, 'MacOS'), { recursive: true });
  copyFileSync(join(HERE, 'macos/launcher.sh'), join(contents, 'MacOS', EXECUTABLE));
  chmodSync(join(contents, 'MacOS', EXECUTABLE), 0o755);
  copyFileSync(join(HERE, 'common/icon.svg'), join(contents, 'Resources/remote-help-agent.svg'));
  mkdirSync(join(contents, 'Library/LaunchAgents'), { recursive: true });
  writeFileSync(join(contents, `Library/LaunchAgents/${BUNDLE_ID}.plist`), toPlist(launchAgentPlist()));
  run('chmod', ['-R', 'u+rwX,go+rX,go-w', join(work, APP_NAME)]);

  mkdirSync(outDir, { recursive: true });
  const zip = join(outDir, `remote-help-agent_${version}_macos-${target.arch}.zip`);
  rmSync(zip, { force: true });
  log(`zipping ${zip}`);
  run('zip', ['-qry', '-X', zip, APP_NAME], { cwd: work });
  rmSync(work, { recursive: true, force: true });
  return { zip, missing };
}

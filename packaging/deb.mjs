// The Debian package: the agent tree under /usr/lib/remote-help-agent, the launcher on the PATH,
// a desktop entry, a systemd user unit enabled for graphical sessions, an icon and the copyright
// file. No maintainer scripts: installing is unpacking, so `dpkg --root` works for tests too.
import { chmodSync, copyFileSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { agentVersion, buildAgentTree, run } from './agentTree.mjs';

const HERE = new URL('.', import.meta.url).pathname;

/**
 * Shared libraries the native modules and Node link against (ldd of wrtc.node and node). No X library:
 * the agent speaks the X protocol itself (the pure-JavaScript `x11` client), capture and input alike.
 */
export const DEPENDS = ['libc6 (>= 2.28)', 'libgcc-s1', 'libstdc++6'];

function install(from, to, mode) {
  mkdirSync(join(to, '..'), { recursive: true });
  copyFileSync(from, to);
  chmodSync(to, mode);
}

/** Builds dist/packages/remote-help-agent_<version>_amd64.deb; returns its path. */
export async function buildDeb(target, { outDir, compression = 'xz', log }) {
  const version = agentVersion();
  const work = join(outDir, '.build', `deb-${target.id}`);
  const root = join(work, 'root');
  rmSync(work, { recursive: true, force: true });
  await buildAgentTree(join(root, 'usr/lib/remote-help-agent'), target, log);

  log('laying out the Debian package');
  install(join(HERE, 'linux/remote-help-agent'), join(root, 'usr/bin/remote-help-agent'), 0o755);
  install(
    join(HERE, 'linux/remote-help-agent.desktop'),
    join(root, 'usr/share/applications/remote-help-agent.desktop'),
    0o644,
  );
  const units = join(root, 'usr/lib/systemd/user');
  install(join(HERE, 'linux/remote-help-agent.service'), join(units, 'remote-help-agent.service'), 0o644);
  // Enabled for every user's graphical session, as `systemctl --global enable` would do.
  mkdirSync(join(units, 'graphical-session.target.wants'), { recursive: true });
  symlinkSync('../remote-help-agent.service', join(units, 'graphical-session.target.wants/remote-help-agent.service'));
  install(
    join(HERE, 'common/icon.svg'),
    join(root, 'usr/share/icons/hicolor/scalable/apps/remote-help-agent.svg'),
    0o644,
  );
  install(join(HERE, 'common/copyright'), join(root, 'usr/share/doc/remote-help-agent/copyright'), 0o644);
  // npm tarballs carry odd modes; installed files are world-readable, only owners write.
  run('chmod', ['-R', 'u+rwX,go+rX,go-w', root]);

  const installedKiB = Number(run('du', ['-sk', '--apparent-size', root]).split('\t')[0]);
  const arch = { x64: 'amd64', arm64: 'arm64' }[target.arch];
  mkdirSync(join(root, 'DEBIAN'), { recursive: true });
  writeFileSync(
    join(root, 'DEBIAN/control'),
    [
      'Package: remote-help-agent',
      `Version: ${version}`,
      `Architecture: ${arch}`,
      `Maintainer: ${process.env.REMOTE_HELP_MAINTAINER ?? 'Remote Help maintainers <maintainers@remote-help.invalid>'}`,
      `Installed-Size: ${installedKiB}`,
      `Depends: ${DEPENDS.join(', ')}`,
      'Recommends: xdg-utils',
      'Suggests: chromium',
      'Section: net',
      'Priority: optional',
      'Homepage: https://github.com/remote-help/remote-help',
      'Description: Remote Help agent: get help from your IT help desk',
      ' Shares your screen with a helper of your organization who gave you a security',
      ' code and, only if you allow it, lets them use your mouse and keyboard. Once the',
      ' device is enrolled, helpers can also start a session on it (you accept each one).',
      ' Self-contained: brings its own Node.js runtime and native modules.',
      '',
    ].join('\n'),
  );
  mkdirSync(outDir, { recursive: true });
  const deb = join(outDir, `remote-help-agent_${version}_${arch}.deb`);
  log(`building ${deb} (dpkg-deb, ${compression})`);
  run('dpkg-deb', ['--build', '--root-owner-group', `-Z${compression}`, root, deb]);
  rmSync(work, { recursive: true, force: true });
  return deb;
}

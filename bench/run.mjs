#!/usr/bin/env node
/**
 * `npm run bench` — checks the system (root, Debian packages, noVNC), installs missing
 * Debian packages with apt-get when run as root, then runs the benchmark (bench/src/main.ts
 * through tsx). Arguments pass through: --quick, --only ID,…, --profiles NAME,…, --res 720,1080.
 */
import { execFileSync, spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');

/** command → Debian package that provides it */
const NEEDS = {
  Xvfb: 'xvfb',
  Xvnc: 'tigervnc-standalone-server',
  x11vnc: 'x11vnc',
  websockify: 'websockify',
  ffplay: 'ffmpeg',
  xterm: 'xterm',
  chromium: 'chromium',
  gcc: 'gcc',
  ip: 'iproute2',
};
/** packages without a command to probe */
const PACKAGES_ALSO = ['xfonts-base'];

const has = (command) =>
  (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });

const installed = (pkg) => {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' }).includes(
      'install ok installed',
    );
  } catch {
    return false;
  }
};

const missing = [
  ...new Set([
    ...Object.entries(NEEDS)
      .filter(([cmd]) => !has(cmd))
      .map(([, pkg]) => pkg),
    ...PACKAGES_ALSO.filter((p) => !installed(p)),
  ]),
];
const isRoot = process.getuid?.() === 0;

if (!isRoot) {
  console.error('The benchmark creates network namespaces and TUN devices: run it as root.');
  if (missing.length) console.error(`Missing packages: apt-get install -y ${missing.join(' ')}`);
  process.exit(1);
}
if (missing.length) {
  console.error(`Installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], {
      stdio: 'inherit',
      env,
      timeout: 600_000,
    });
  } catch {
    execFileSync('apt-get', ['update'], { stdio: 'inherit', env, timeout: 300_000 });
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], {
      stdio: 'inherit',
      env,
      timeout: 600_000,
    });
  }
}
if (!existsSync('/dev/net/tun')) {
  console.error('/dev/net/tun is missing: the link emulator needs TUN devices.');
  process.exit(1);
}
const novnc = [process.env.NOVNC_DIR, join(REPO, 'node_modules', '@novnc', 'novnc')].find(
  (d) => d && existsSync(join(d, 'core', 'rfb.js')),
);
if (!novnc) {
  console.error('noVNC is missing: run `npm install` (it is the root devDependency @novnc/novnc), or set NOVNC_DIR.');
  process.exit(1);
}
// The agent imports @remote-help/protocol, which resolves to its build output.
if (!existsSync(join(REPO, 'packages', 'protocol', 'dist', 'index.js'))) {
  execFileSync(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'packages/protocol'], {
    cwd: REPO,
    stdio: 'inherit',
  });
}

const child = spawn(
  process.execPath,
  ['--import', 'tsx', join(REPO, 'bench', 'src', 'main.ts'), ...process.argv.slice(2)],
  {
    cwd: REPO,
    stdio: 'inherit',
    env: { ...process.env, NOVNC_DIR: novnc },
  },
);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

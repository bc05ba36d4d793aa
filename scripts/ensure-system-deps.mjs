#!/usr/bin/env node
// Makes sure the system packages the browser and desktop tests need are installed:
// Debian's Chromium, Xvfb, Xvnc, xrandr, xdotool, Weston with XWayland, iproute2, gcc, coturn and nginx. Installs them with apt-get when running as root;
// otherwise prints the exact command and fails.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const NEEDS = [
  { bin: '/usr/bin/chromium', pkg: 'chromium' },
  { bin: '/usr/bin/Xvfb', pkg: 'xvfb' },
  { bin: '/usr/bin/xdotool', pkg: 'xdotool' },
  { bin: '/usr/bin/xwininfo', pkg: 'x11-utils' },
  // Xvnc and xrandr: the display-change test (packages/agent/src/app/displayChange.integration.test.ts) changes the
  // resolution under a share, which Xvfb cannot (its one RandR mode is fixed).
  { bin: '/usr/bin/Xtigervnc', pkg: 'tigervnc-standalone-server' },
  { bin: '/usr/bin/xrandr', pkg: 'x11-xserver-utils' },
  // Weston (headless) and XWayland: a real Wayland session, which the agent must refuse to share with a clear
  // message (packages/agent/src/app/wayland.integration.test.ts, e2e/agent/wayland.e2e.ts).
  { bin: '/usr/bin/weston', pkg: 'weston' },
  { bin: '/usr/bin/Xwayland', pkg: 'xwayland' },
  { bin: '/usr/bin/openssl', pkg: 'openssl' },
  // `ip netns`: the network-change journeys (e2e/network) build their own namespaces.
  { bin: '/usr/sbin/ip', pkg: 'iproute2' },
  // gcc: the link emulator (bench/src/netem.c) that the slow-link journey (e2e/network/firstFrameLink.e2e.ts) builds.
  { bin: '/usr/bin/gcc', pkg: 'gcc' },
  // coturn: the TURN tests (packages/server/src/turn/coturn.integration.test.ts, e2e/network/turnRelay.e2e.ts) start their own turnserver.
  { bin: '/usr/bin/turnserver', pkg: 'coturn' },
  // nginx: the reverse-proxy test (packages/server/src/http/nginx.integration.test.ts) runs docs/deploy/nginx.conf.
  { bin: '/usr/sbin/nginx', pkg: 'nginx' },
  // npm run package zips the macOS app; its test unzips it and parses the plists with Python's plistlib.
  { bin: '/usr/bin/zip', pkg: 'zip' },
  { bin: '/usr/bin/unzip', pkg: 'unzip' },
  { bin: '/usr/bin/python3', pkg: 'python3' },
  { bin: '/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf', pkg: 'fonts-noto-core' },
  // Chinese, Japanese and Korean text in the language screenshots (otherwise drawn as empty boxes).
  { bin: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', pkg: 'fonts-noto-cjk' },
];

const missing = NEEDS.filter((n) => !existsSync(n.bin)).map((n) => n.pkg);
if (missing.length === 0) process.exit(0);

const command = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (!isRoot) {
  console.error(`The tests need these system packages: ${missing.join(', ')}.\nInstall them with:\n  sudo ${command}`);
  process.exit(1);
}
console.log(`Installing system packages for the tests: ${missing.join(', ')}`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
if (update.status !== 0) process.exit(update.status ?? 1);
execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });

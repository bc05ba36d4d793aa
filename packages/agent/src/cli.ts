#!/usr/bin/env node
/**
 * @module cli
 * `remote-help-agent`: the command-line entry of the native sharer agent (share with a
 * code; or enroll the device and run it so helpers can start sessions). Exit codes:
 * 0 done, 1 failed, 2 bad command line (or not enrolled), 3 an administrator revoked this
 * device's enrollment (`run`, `status`: enroll again with a new token), 130 stopped with
 * Ctrl+C. Every message is in the agent's language (`--language`, `REMOTE_HELP_LANGUAGE`,
 * else the system's: `i18n/`).
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { ReleasePlatform } from '@remote-help/protocol';
import { AgentApp } from './app/agentApp.js';
import { Credentials, lazyEndpoint } from './auth/credentials.js';
import { AgentOidcClient } from './auth/oidc.js';
import { TokenStore } from './auth/tokenStore.js';
import { SHIPPED_LANGUAGES } from '@remote-help/protocol';
import { type CliCommand, parseArgs, splitLanguageFlag, usage, UsageError } from './cliArgs.js';
import {
  InstallConfigError,
  installConfigPath,
  readInstallConfig,
  type InstallConfig,
} from './config/installConfig.js';
import { configDir } from './config/paths.js';
import { bulkKbitFromEnv, updateTrialSecondsFromEnv, warmKibFromEnv } from './config/tuning.js';
import { checkIn, enroll } from './devices/deviceClient.js';
import { loadDevice, type DeviceIdentity } from './devices/identity.js';
import { forgetRevokedDevice, loadRevocation, type Revocation } from './devices/revocation.js';
import { collectInventory, displayCount } from './devices/inventory.js';
import { type AgentError, isAgentError } from './errors.js';
import { chooseLanguage, translator, type MessageKey, type Translator } from './i18n/index.js';
import { openUrl } from './platform/browser.js';
import { loadPlatform, type PlatformAdapter } from './platform/index.js';
import { UiServer } from './ui/uiServer.js';
import { agentVersion } from './version.js';
import { updateDir, UpdateLayout } from './update/layout.js';
import { updatePreferences } from './update/preferences.js';
import { RELEASE_PUBLIC_KEY } from './update/releaseKey.js';
import { handover, isInstalledTree, Updater, type StagedUpdate } from './update/updater.js';

const out = (line: string): void => void process.stdout.write(`${line}\n`);
const err = (line: string): void => void process.stderr.write(`${line}\n`);
/** The language of every message below and of the window (set first thing in `main`). */
let i18n: Translator = translator('en');

/** Exit code of a command that met a revoked enrollment: restarting will not help, a new token will. */
const EXIT_DEVICE_REVOKED = 3;
const ENROLL_COMMAND = 'remote-help-agent enroll --server URL --token TOKEN';

/** The one line that says this device's enrollment was revoked, and what still works. */
function revokedLine(revocation: Revocation): string {
  return `remote-help-agent: ${i18n.t('cli.deviceRevoked', {
    organization: revocation.tenantName,
    server: revocation.server,
    command: 'remote-help-agent share',
  })}`;
}

/** `iso` as a date in the agent's language (as written when it is not a date). */
function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : new Intl.DateTimeFormat(i18n.language, { dateStyle: 'long' }).format(date);
}

/**
 * Checks in as `device`: true when the server took it, false when it could not (said on stderr),
 * or the record when the server refused it because the enrollment was revoked (then forgotten).
 */
async function checkInOrRevoked(
  dir: string,
  device: DeviceIdentity,
  platform: PlatformAdapter,
): Promise<boolean | Revocation> {
  try {
    await checkIn(device, await collectInventory(await displayCount(platform)));
    return true;
  } catch (error) {
    if (isAgentError(error, 'device_revoked')) return forgetRevokedDevice(dir, device, error.message);
    err(
      i18n.t('cli.checkInFailed', {
        server: device.server,
        reason: error instanceof Error ? error.message : String(error),
      }),
    );
    return false;
  }
}

/** What went wrong, for a person: the reason in their language, the technical detail in English only when there is no better text. */
function describeAgentError(error: AgentError): string {
  const key = `cli.error.${error.reason}`;
  if (i18n.has(key)) return i18n.t(key as MessageKey, { module: String(error.data?.['module'] ?? '') });
  if (i18n.has(`errors.${error.reason}`)) return i18n.t(`errors.${error.reason}` as MessageKey);
  return i18n.t('cli.failed', { reason: error.message });
}

/**
 * Opens the sign-in page, and says where it is in case no browser comes up (on this user's own
 * terminal only: the browser is handed it through a private page, never on a command line,
 * which any local user can read; that page goes when the sign-in ends).
 */
async function openSignInPage(url: string, signIn?: { finished: AbortSignal }): Promise<void> {
  if (onTerminal()) {
    out(i18n.t('cli.openingBrowser'));
    out(`  ${url}`);
  }
  await openUrl(url, signIn ? { until: signIn.finished } : {}).catch((error: unknown) => {
    err(`(${error instanceof Error ? error.message : String(error)})`);
    if (!onTerminal())
      err('remote-help-agent: the sign-in address is shown only on a terminal: run `remote-help-agent signin` in one.');
  });
}

/**
 * Whether a person reads what this process prints (a terminal), rather than a log. Under systemd
 * (`run`) standard output goes to the journal, which other members of `systemd-journal` or `adm`
 * may read and which keeps it: a one-time window address or a sign-in address printed there could
 * be spent by someone else first (docs/security.md N42). Such addresses go to a terminal only,
 * unless the person asked for them (`--no-window`).
 */
function onTerminal(): boolean {
  return process.stdout.isTTY === true;
}

/** The server from the command line, else the one server with a stored sign-in. */
async function resolveServer(given: string | null, store: TokenStore): Promise<string> {
  if (given) return given;
  const servers = await store.servers();
  if (servers.length === 1) return servers[0] as string;
  throw new UsageError('cli.arg.serverMissing');
}

async function share(
  command: Extract<CliCommand, { command: 'share' }>,
  dir: string,
  store: TokenStore,
): Promise<number> {
  const server = await resolveServer(command.server, store);
  const platform = await loadPlatform();
  // Enrolled with this server: redeem proves the device, so the helper sees it is managed (and its compliance).
  const enrolled = await loadDevice(dir);
  const device = enrolled && new URL(enrolled.server).origin === new URL(server).origin ? enrolled : undefined;
  const app = new AgentApp({
    server,
    store,
    platform,
    device,
    displayId: command.display ?? undefined,
    pixels: command.pixels,
    openBrowser: openSignInPage,
    log: (message) => err(message),
  });
  await app.start();
  const ui = await UiServer.start({ controller: app, language: i18n.language });
  await showWindow(ui, command.window);
  out(i18n.t('cli.running', { server }));
  return untilStopped(app, ui);
}

/**
 * Opens the window, or prints its one-time address (`--no-window`, or no window could open and
 * this is a terminal, see {@link onTerminal}). The browser gets the address through a private hand-over page, never on
 * its command line (any local user could read the token there and spend it first); the page
 * goes as soon as the window has spent the token.
 */
async function showWindow(ui: UiServer, window: boolean): Promise<void> {
  const { url, redeemed } = ui.launch();
  if (window) {
    await openUrl(url, { appWindow: true, until: redeemed }).catch((error: unknown) => {
      if (onTerminal()) {
        out(i18n.t('cli.windowFailed'));
        out(`  ${url}`);
      } else {
        const reason = error instanceof Error ? error.message : String(error);
        err(
          `remote-help-agent: the window could not open (${reason}); its one-time address is shown only on a terminal or with --no-window.`,
        );
      }
    });
  } else {
    out(i18n.t('cli.openAddress'));
    out(`  ${url}`);
  }
}

/** Waits for Ctrl+C (or SIGTERM), then leaves the session and closes everything. */
async function untilStopped(app: AgentApp, ui: UiServer): Promise<number> {
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  // A second Ctrl+C while leaving ends at once.
  process.once('SIGINT', () => process.exit(130));
  out(i18n.t('cli.stopping'));
  await app.shutdown();
  await ui.close();
  return signal === 'SIGINT' ? 130 : 0;
}

async function enrollDevice(command: Extract<CliCommand, { command: 'enroll' }>, dir: string): Promise<number> {
  const inventory = await collectInventory(await displayCount(await loadPlatform()));
  try {
    const device = await enroll(command.server, command.token, inventory, dir);
    out(i18n.t('cli.enrolled', { device: inventory.hostname ?? '', organization: device.file.tenantName }));
    return 0;
  } catch (error) {
    if (!isAgentError(error, 'enrollment_failed')) throw error;
    err(`remote-help-agent: ${i18n.t('cli.enrollRefused', { reason: error.message })}`);
    err(i18n.t('cli.enrollNewToken'));
    return 1;
  }
}

/** This agent's platform as releases name it (null: no releases for it). */
function releasePlatform(): ReleasePlatform | null {
  if (process.platform === 'linux' && process.arch === 'x64') return 'linux-x64';
  if (process.platform === 'darwin' && (process.arch === 'arm64' || process.arch === 'x64'))
    return `darwin-${process.arch}`;
  return null;
}

/** Exit code that asks systemd (`Restart=on-failure`) to start the launcher again, now on the new version. */
const EXIT_RESTART = 75;

/**
 * The self-updater for `run` (ADR 0022), or null with the reason logged: only an installed tree
 * started by its launcher updates itself (not a source checkout), on a platform releases exist for.
 */
async function deviceUpdater(
  device: DeviceIdentity,
  app: AgentApp,
  dir: string,
  install: InstallConfig | null,
  env: Record<string, string | undefined>,
  onStaged: (update: StagedUpdate) => void,
): Promise<Updater | null> {
  const tree = fileURLToPath(new URL('../', import.meta.url));
  const platform = releasePlatform();
  if (!isInstalledTree(tree) || !env['REMOTE_HELP_LAUNCHER'] || !platform) return null;
  const prefs = await updatePreferences(dir, install, env, err);
  if (!prefs.autoUpdate) out(`Automatic updates are off (${prefs.source}).`);
  return new Updater({
    device,
    runningVersion: version(),
    packagedVersion: env['REMOTE_HELP_PACKAGED_VERSION'] ?? version(),
    platform,
    channel: prefs.channel,
    publicKeyPem: RELEASE_PUBLIC_KEY,
    layout: new UpdateLayout(updateDir(env)),
    autoUpdate: prefs.autoUpdate,
    busy: () => {
      const session = app.sharing?.session;
      return (session !== null && session !== undefined && session.state !== 'ended') || app.launchOffer !== null;
    },
    onStaged,
    onRevoked: (message) => void app.deviceRevoked(message),
    log: err,
  });
}

async function runDevice(
  command: Extract<CliCommand, { command: 'run' }>,
  dir: string,
  store: TokenStore,
  install: InstallConfig | null,
  env: Record<string, string | undefined>,
): Promise<number> {
  let device = await loadDevice(dir);
  // Revoked: not enrolled again with the install configuration's token, which would undo the administrator's decision.
  const revoked = device ? null : await loadRevocation(dir);
  if (revoked) {
    err(revokedLine(revoked));
    return EXIT_DEVICE_REVOKED;
  }
  if (!device && install?.enrollmentToken) {
    // Deployed by the administrator with a token: enroll on the first run, then stay connected.
    out(`Enrolling this device with ${install.server} (set in ${install.path})…`);
    const enrolled = await enrollDevice(
      { command: 'enroll', server: install.server, token: install.enrollmentToken },
      dir,
    );
    if (enrolled !== 0) return 2;
    device = await loadDevice(dir);
  }
  if (!device) {
    err(i18n.t('cli.notEnrolled', { command: ENROLL_COMMAND }));
    return 2;
  }
  const enrolled = device;
  const platform = await loadPlatform();
  const checkedIn = await checkInOrRevoked(dir, enrolled, platform);
  if (typeof checkedIn === 'object') {
    err(revokedLine(checkedIn));
    return EXIT_DEVICE_REVOKED;
  }
  // A new version on trial after an update: checking in is what the old one waits for.
  const trial = env['REMOTE_HELP_UPDATE_TRIAL'];
  if (checkedIn && trial === version()) await writeFile(new UpdateLayout(updateDir(env)).healthFile(trial), 'ok\n');

  for (;;) {
    let ui: UiServer | null = null;
    let updater: Updater | null = null;
    const app = new AgentApp({
      server: enrolled.server,
      store,
      platform,
      device: enrolled,
      pixels: command.pixels,
      openBrowser: openSignInPage,
      log: (message) => err(message),
      onLaunch: (offer) => {
        out(i18n.t('cli.launchOffer', { name: offer.helper.displayName }));
        if (ui) void showWindow(ui, command.window);
      },
      // Nothing left to do for the device; the window (if open) says so and help with a code goes on.
      onDeviceRevoked: (revocation) => {
        updater?.stop();
        err(revokedLine(revocation));
      },
    });
    await app.start();
    ui = await UiServer.start({ controller: app, language: i18n.language });
    out(i18n.t('cli.ready', { server: enrolled.server }));
    let staged: (update: StagedUpdate) => void = () => undefined;
    const updateReady = new Promise<StagedUpdate>((resolve) => (staged = resolve));
    updater = await deviceUpdater(enrolled, app, dir, install, env, (update) => staged(update));
    if (!app.device) updater = null; // revoked already
    updater?.start();
    const next = await Promise.race([untilStopped(app, ui), updateReady]);
    updater?.stop();
    if (typeof next === 'number') return next;

    // Stop listening for launches while the new version starts, so the two never answer together.
    await app.shutdown();
    await ui.close();
    const launcher = env['REMOTE_HELP_LAUNCHER'] as string;
    const result = await handover({
      update: next,
      layout: new UpdateLayout(updateDir(env)),
      packagedVersion: env['REMOTE_HELP_PACKAGED_VERSION'] ?? version(),
      launcher,
      args: process.argv.slice(2),
      env,
      trialMs: updateTrialSecondsFromEnv(env) * 1000,
      log: err,
    });
    if (result.outcome === 'handed_over') {
      // Under systemd the unit's main process must be the one running: hand over by restarting.
      if (env['INVOCATION_ID'] && result.pid) {
        try {
          process.kill(-result.pid, 'SIGTERM');
        } catch {
          // already gone
        }
        return EXIT_RESTART;
      }
      return 0;
    }
    // Rolled back: carry on as this version.
  }
}

/**
 * `status`: this device's enrollment, confirmed by a check-in (a revoked one is forgotten and
 * exits with `EXIT_DEVICE_REVOKED`), then the servers this user is signed in to.
 */
async function status(dir: string, store: TokenStore): Promise<number> {
  let code = 0;
  const device = await loadDevice(dir);
  if (device) {
    const checkedIn = await checkInOrRevoked(dir, device, await loadPlatform());
    if (typeof checkedIn === 'object') {
      err(revokedLine(checkedIn));
      code = EXIT_DEVICE_REVOKED;
    } else {
      out(
        i18n.t('cli.status.enrolled', {
          organization: device.file.tenantName,
          server: device.server,
          date: formatDate(device.file.enrolledAt),
          device: device.id,
        }),
      );
      if (checkedIn) out(i18n.t('cli.status.confirmed'));
      else code = 1;
    }
  } else {
    const revoked = await loadRevocation(dir);
    if (revoked) {
      err(revokedLine(revoked));
      code = EXIT_DEVICE_REVOKED;
    } else out(i18n.t('cli.notEnrolled', { command: ENROLL_COMMAND }));
  }
  const servers = await store.servers();
  if (servers.length === 0) out(i18n.t('cli.status.notSignedIn'));
  for (const server of servers) {
    const account = (await store.get(server))?.account;
    const who = account?.name ?? account?.email ?? null;
    out(who === null ? i18n.t('cli.signedInNoName', { server }) : i18n.t('cli.signedIn', { server, name: who }));
  }
  return code;
}

async function signIn(server: string, store: TokenStore): Promise<number> {
  const credentials = new Credentials({
    server,
    store,
    endpoint: lazyEndpoint(() => AgentOidcClient.discover(server)),
  });
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  const tokens = await credentials.signIn({ openBrowser: openSignInPage, signal: abort.signal });
  const who = tokens.account?.name ?? tokens.account?.email ?? null;
  out(who === null ? i18n.t('cli.signedInNoName', { server }) : i18n.t('cli.signedIn', { server, name: who }));
  return 0;
}

async function signOut(server: string | null, store: TokenStore): Promise<number> {
  const removed = await store.remove(server ?? undefined);
  for (const tokens of removed) {
    if (!tokens.refreshToken) continue;
    try {
      await (await AgentOidcClient.discover(tokens.server)).revoke(tokens.refreshToken);
    } catch {
      err(i18n.t('cli.revokeFailed', { server: tokens.server }));
    }
  }
  out(
    removed.length === 0
      ? i18n.t('cli.notSignedIn')
      : i18n.t('cli.signedOut', { count: removed.length, servers: removed.map((t) => t.server) }),
  );
  return 0;
}

const version = agentVersion;

/** Runs one command line and returns the exit code. */
export async function main(argv: readonly string[], env: Record<string, string | undefined>): Promise<number> {
  try {
    const { language: flag, rest } = splitLanguageFlag(argv);
    const chosen = await chooseLanguage({ flag, env, platform: process.platform });
    if (chosen.language === null) {
      i18n = translator((await chooseLanguage({ flag: null, env, platform: process.platform })).language ?? 'en');
      throw new UsageError('cli.arg.language', {
        value: JSON.stringify(flag),
        languages: SHIPPED_LANGUAGES.join(', '),
      });
    }
    i18n = translator(chosen.language);
    // The administrator's settings (server, enrollment token); a broken file matters only to commands that use them.
    const install = await readInstallConfig(installConfigPath(env)).catch((error: unknown) =>
      error instanceof Error ? error : new Error(String(error)),
    );
    const command = parseArgs(rest, env, install instanceof Error ? {} : (install ?? {}));
    if (install instanceof Error && command.command !== 'help' && command.command !== 'version') throw install;
    // A broken tuning variable fails here, not when a share starts.
    if (command.command === 'share' || command.command === 'run') {
      bulkKbitFromEnv(env);
      warmKibFromEnv(env);
    }
    if (command.command === 'run') updateTrialSecondsFromEnv(env);
    const dir = configDir(env);
    const store = new TokenStore(dir);
    switch (command.command) {
      case 'help':
        out(usage(i18n.language));
        return 0;
      case 'version':
        out(version());
        return 0;
      case 'share':
        return await share(command, dir, store);
      case 'signin':
        return await signIn(await resolveServer(command.server, store), store);
      case 'signout':
        return await signOut(command.server, store);
      case 'enroll':
        return await enrollDevice(command, dir);
      case 'run':
        return await runDevice(command, dir, store, install instanceof Error ? null : install, env);
      case 'status':
        return await status(dir, store);
    }
  } catch (error) {
    if (error instanceof InstallConfigError || isAgentError(error, 'invalid_argument')) {
      err(`remote-help-agent: ${error.message}`);
      return 2;
    }
    if (error instanceof UsageError) {
      err(`remote-help-agent: ${error.text(i18n.language)}`);
      err(i18n.t('cli.runHelp', { command: 'remote-help-agent --help' }));
      return 2;
    }
    if (isAgentError(error, 'device_revoked')) {
      err(`remote-help-agent: ${i18n.t('errors.device_revoked')}`);
      return EXIT_DEVICE_REVOKED;
    }
    if (isAgentError(error, 'signin_cancelled')) {
      err(i18n.t('errors.signin_cancelled'));
      return 130;
    }
    const text = isAgentError(error)
      ? describeAgentError(error)
      : error instanceof Error
        ? error.message
        : String(error);
    err(`remote-help-agent: ${text}`);
    return 1;
  }
}

main(process.argv.slice(2), process.env).then(
  (code) => process.exit(code),
  () => process.exit(1),
);

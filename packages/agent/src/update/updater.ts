/**
 * @module update/updater
 * The agent's self-update (ADR 0022). `run` checks on start and then daily; it never installs
 * while a session is in progress (it looks again every minute until the session ends); a user
 * may opt out and the organization may turn updates off. A release is verified before anything
 * changes (signature with the built-in key, version, then the download's size and SHA-256),
 * unpacked into its own folder, and the `current` link is switched; then `handover` starts the
 * new version and keeps the old one waiting until the new one has checked in with the server,
 * else it kills it, switches back and carries on (rollback). Every refusal is logged with its reason.
 * Nothing the server does can hold the updater: the check's request and the download are bounded
 * (`DownloadLimits`), and a download that stalls or runs past its deadline is given up, so the
 * next check tries again. A check the server refuses because the device's enrollment was revoked
 * (`device_revoked`) stops the updater for good and calls `onRevoked`.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AgentUpdateResponse,
  compareAgentVersions,
  type AgentUpdatePolicy,
  type ReleaseChannel,
  type ReleaseManifest,
  type ReleasePlatform,
} from '@remote-help/protocol';
import type { DeviceIdentity } from '../devices/identity.js';
import { revokedReplyError } from '../devices/revocation.js';
import { AgentError, isAgentError } from '../errors.js';
import type { UpdateLayout } from './layout.js';
import { firstProblem, UpdateRefused, verifyPackage, verifyRelease } from './verify.js';
import { makeFolders } from '../config/paths.js';

/** Timers, injectable so tests drive the daily check. */
export interface UpdateClock {
  now(): number;
  /** Calls `fn` after `ms`; returns a cancel function. */
  after(ms: number, fn: () => void): () => void;
}
export const systemClock: UpdateClock = {
  now: () => Date.now(),
  after: (ms, fn) => {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

export const DAY_MS = 24 * 60 * 60 * 1000;
const BUSY_RETRY_MS = 60_000;

/** Bounds on talking to the server, so that a stalled transfer cannot hold every later check. */
export interface DownloadLimits {
  /** The whole download, request to last byte (`download_timeout`). */
  deadlineMs: number;
  /** The longest wait for the next byte (`download_stalled`); also the bound on the update check's request. */
  idleMs: number;
}
/** An hour for the package (a 100 MB agent at 256 kbit/s takes under an hour); a minute without a byte. */
export const DOWNLOAD_LIMITS: DownloadLimits = { deadlineMs: 60 * 60_000, idleMs: 60_000 };

/** `ms` for a log line: "90 s", "60 min", "0.3 s". */
function duration(ms: number): string {
  return ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Number((ms / 1000).toFixed(1))} s`;
}

/** A release downloaded, verified and unpacked, waiting for `handover`. */
export interface StagedUpdate {
  manifest: ReleaseManifest;
  tree: string;
  previous: string | null;
}

/** What one check found. */
export type CheckResult =
  | { kind: 'nothing_published' }
  | { kind: 'up_to_date'; version: string }
  | { kind: 'opted_out' }
  | { kind: 'disabled_by_organization' }
  | { kind: 'deferred' }
  | { kind: 'failed'; message: string }
  | { kind: 'refused'; reason: UpdateRefused['reason']; message: string }
  /** The device's enrollment was revoked: no more checks. */
  | { kind: 'revoked'; message: string }
  | { kind: 'staged'; update: StagedUpdate };

export interface UpdaterOptions {
  device: DeviceIdentity;
  runningVersion: string;
  /** The packaged tree's version (what `current` is installed over). */
  packagedVersion: string;
  platform: ReleasePlatform;
  channel: ReleaseChannel;
  publicKeyPem: string;
  layout: UpdateLayout;
  /** The user's (or the install configuration's) choice. */
  autoUpdate: boolean;
  /** Whether a session is in progress now. */
  busy: () => boolean;
  /** A release is staged: the caller stops what it runs and calls `handover`. */
  onStaged: (update: StagedUpdate) => void;
  /** The server refused the device's proof: its enrollment was revoked (`message`: the server's words). */
  onRevoked?: ((message: string) => void) | undefined;
  log: (message: string) => void;
  clock?: UpdateClock;
  fetchImpl?: typeof fetch;
  /** Default: {@link DOWNLOAD_LIMITS}. */
  downloadLimits?: Partial<DownloadLimits>;
}

export class Updater {
  readonly #o: UpdaterOptions;
  readonly #clock: UpdateClock;
  readonly #limits: DownloadLimits;
  #cancel: (() => void) | null = null;
  #checking = false;
  #stopped = false;
  /** The organization's policy at the last check. */
  policy: AgentUpdatePolicy | null = null;

  constructor(options: UpdaterOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    this.#limits = { ...DOWNLOAD_LIMITS, ...options.downloadLimits };
  }

  /** Checks now, then daily (every minute while a session defers an update). */
  start(): void {
    this.#schedule(0);
  }

  stop(): void {
    this.#stopped = true;
    this.#cancel?.();
  }

  #schedule(ms: number): void {
    this.#cancel?.();
    if (this.#stopped) return;
    this.#cancel = this.#clock.after(ms, () => {
      void this.check().then((result) => {
        if (result.kind === 'staged') this.#o.onStaged(result.update);
        else this.#schedule(result.kind === 'deferred' ? BUSY_RETRY_MS : DAY_MS);
      });
    });
  }

  /** One check: asks the server, and downloads, verifies and unpacks a newer release. */
  async check(): Promise<CheckResult> {
    if (this.#checking) return { kind: 'failed', message: 'a check is already running' };
    this.#checking = true;
    try {
      return await this.#check();
    } catch (error) {
      if (isAgentError(error, 'device_revoked')) {
        this.#o.log(`Update checks stop: this device's enrollment was revoked (${error.message}).`);
        this.stop();
        this.#o.onRevoked?.(error.message);
        return { kind: 'revoked', message: error.message };
      }
      if (error instanceof UpdateRefused) {
        this.#o.log(`Update refused (${error.reason}): ${error.message}. This version keeps running.`);
        return { kind: 'refused', reason: error.reason, message: error.message };
      }
      const message = error instanceof Error ? error.message : String(error);
      this.#o.log(`Update check failed: ${message}. Trying again later.`);
      return { kind: 'failed', message };
    } finally {
      this.#checking = false;
    }
  }

  /**
   * The server's answer to the update check, within the idle bound; a failure is one short line
   * (an answer that is not the schema names its first problem).
   */
  async #ask(): Promise<AgentUpdateResponse> {
    const o = this.#o;
    const url = `${o.device.server}/api/v1/agent/update?platform=${o.platform}&channel=${o.channel}`;
    let text: string;
    try {
      const response = await (o.fetchImpl ?? fetch)(url, {
        headers: { authorization: await o.device.proof('GET', url.split('?')[0] as string) },
        signal: AbortSignal.timeout(this.#limits.idleMs),
      });
      if (response.status === 403) {
        const revoked = revokedReplyError(403, await response.json().catch(() => null));
        if (revoked) throw revoked;
      }
      if (!response.ok) throw new Error(`the server answered HTTP ${response.status}`);
      text = await response.text();
    } catch (error) {
      if ((error as Error).name !== 'TimeoutError') throw error;
      throw new Error(`the server did not answer within ${duration(this.#limits.idleMs)}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error("the server's answer is not JSON");
    }
    const answer = AgentUpdateResponse.safeParse(json);
    if (!answer.success) throw new Error(`the server's answer is not an update answer (${firstProblem(answer.error)})`);
    return answer.data;
  }

  async #check(): Promise<CheckResult> {
    const o = this.#o;
    const answer = await this.#ask();
    this.policy = answer.policy;
    const below =
      answer.policy.minimumVersion !== null && compareAgentVersions(o.runningVersion, answer.policy.minimumVersion) < 0;
    const allowed = answer.policy.autoUpdate && o.autoUpdate;
    if (below) {
      o.log(
        `This Remote Help agent (${o.runningVersion}) is older than ${answer.policy.minimumVersion}, the oldest version your organization accepts. ` +
          (allowed
            ? 'It updates itself now if a newer release is published.'
            : `Automatic updates are off${answer.policy.autoUpdate ? ' on this device' : ' for your organization'}: install the new version from ${o.device.server}/download.`),
      );
    }
    if (!answer.release) return { kind: 'nothing_published' };
    if (!answer.policy.autoUpdate) return { kind: 'disabled_by_organization' };
    if (!o.autoUpdate) return { kind: 'opted_out' };

    let manifest: ReleaseManifest;
    try {
      manifest = verifyRelease(answer.release, o);
    } catch (error) {
      if (error instanceof UpdateRefused && error.reason === 'same_version')
        return { kind: 'up_to_date', version: o.runningVersion };
      throw error;
    }
    const failed = (await o.layout.state()).failed[manifest.version];
    if (failed)
      throw new UpdateRefused('failed_before', `${manifest.version} already failed to start here (${failed})`);
    if (o.busy()) {
      o.log(`Remote Help ${manifest.version} is available; it installs when the session ends.`);
      return { kind: 'deferred' };
    }
    o.log(`Downloading Remote Help ${manifest.version} (${(manifest.size / 1024 / 1024).toFixed(1)} MB)…`);
    const file = await this.#download(new URL(answer.release.url, o.device.server).href, manifest);
    try {
      await verifyPackage(file, manifest);
      const tree = await o.layout.unpack(file, manifest);
      o.log(`Remote Help ${manifest.version} verified (Ed25519 signature, size, SHA-256) and unpacked.`);
      return { kind: 'staged', update: { manifest, tree, previous: await o.layout.current() } };
    } finally {
      await rm(file, { force: true });
    }
  }

  /**
   * Downloads to a temporary file, logging progress every quarter. A package the server does not
   * give (an HTTP error, no connection) is `download_failed`; a broken transfer is `truncated`,
   * one with no byte for `idleMs` `download_stalled`, one still running at `deadlineMs`
   * `download_timeout` (each removes the partial file).
   */
  async #download(url: string, manifest: ReleaseManifest): Promise<string> {
    const o = this.#o;
    await makeFolders(o.layout.downloads);
    const file = join(o.layout.downloads, `${manifest.file}.part`);
    let received = 0;
    let reported = 0;
    const watchdog = downloadWatchdog(this.#limits, () => `${received} of ${manifest.size} bytes`);
    try {
      let response: Response;
      try {
        response = await (o.fetchImpl ?? fetch)(url, { signal: watchdog.signal });
      } catch (error) {
        if (watchdog.refusal()) throw error;
        throw new UpdateRefused('download_failed', `the package could not be fetched (${causeOf(error)})`);
      }
      if (!response.ok || !response.body)
        throw new UpdateRefused('download_failed', `the server answered HTTP ${response.status} for ${manifest.file}`);
      watchdog.alive();
      const progress = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          watchdog.alive();
          received += chunk.length;
          // More than the signed size: stop now, it cannot be the release.
          if (received > manifest.size)
            return done(new UpdateRefused('size_mismatch', 'the download is larger than the release'));
          const quarter = Math.floor((received / manifest.size) * 4);
          if (quarter > reported && quarter < 4) {
            reported = quarter;
            o.log(`Downloading Remote Help ${manifest.version}: ${quarter * 25} %`);
          }
          done(null, chunk);
        },
      });
      await pipeline(Readable.fromWeb(response.body as never), progress, createWriteStream(file));
    } catch (error) {
      const refusal = watchdog.refusal() ?? (error instanceof UpdateRefused ? error : null);
      if (refusal) {
        await rm(file, { force: true });
        throw refusal;
      }
      // Only after the package's answer (a failure before it is `download_failed`, refused above).
      if (received < manifest.size) {
        await rm(file, { force: true });
        throw new UpdateRefused(
          'truncated',
          `the download was interrupted after ${received} of ${manifest.size} bytes (${(error as Error).message})`,
        );
      }
      throw error;
    } finally {
      watchdog.stop();
    }
    return file;
  }
}

/** The innermost message of a fetch failure ("fetch failed" hides the cause: ECONNREFUSED…). */
function causeOf(error: unknown): string {
  let e = error as { message?: string; cause?: unknown; code?: string } | undefined;
  while (e && typeof e.cause === 'object' && e.cause !== null) e = e.cause as typeof e;
  return e?.code ?? e?.message ?? String(error);
}

/**
 * Aborts a download (its `signal`) that goes `idleMs` without `alive()` (from the start, so also
 * before the headers) or is still running at `deadlineMs`; `refusal()` says which, naming `progress()`.
 */
function downloadWatchdog(
  limits: DownloadLimits,
  progress: () => string,
): { signal: AbortSignal; alive(): void; stop(): void; refusal(): UpdateRefused | null } {
  const abort = new AbortController();
  let refusal: UpdateRefused | null = null;
  const give = (reason: UpdateRefused['reason'], message: string) => () => {
    refusal ??= new UpdateRefused(reason, `${message} (${progress()}); the next check tries again`);
    abort.abort(refusal);
  };
  const idle = setTimeout(
    give('download_stalled', `the download stalled: no bytes for ${duration(limits.idleMs)}`),
    limits.idleMs,
  );
  const deadline = setTimeout(
    give('download_timeout', `the download did not finish within ${duration(limits.deadlineMs)}`),
    limits.deadlineMs,
  );
  return {
    signal: abort.signal,
    alive: () => void idle.refresh(),
    stop: () => {
      clearTimeout(idle);
      clearTimeout(deadline);
    },
    refusal: () => refusal,
  };
}

export interface HandoverOptions {
  update: StagedUpdate;
  layout: UpdateLayout;
  packagedVersion: string;
  /** The launcher to start the new version with (`REMOTE_HELP_LAUNCHER`). */
  launcher: string;
  args: readonly string[];
  env: Record<string, string | undefined>;
  /** How long the new version has to check in. */
  trialMs: number;
  log: (message: string) => void;
  clock?: UpdateClock;
}

/**
 * Switches `current` to the staged tree and starts it through the launcher. Resolves `handed_over`
 * once the new version has checked in (its health file appears): the caller exits. Resolves
 * `rolled_back` when it exits first or does not check in within `trialMs`: the new process is
 * killed, `current` points back where it did, the version is remembered as failed, and the
 * caller carries on as before.
 */
export async function handover(o: HandoverOptions): Promise<{ outcome: 'handed_over' | 'rolled_back'; pid?: number }> {
  // NaN would never end a hung version's trial, 0 or less would roll every update back: refused before anything changes.
  if (!(Number.isSafeInteger(o.trialMs) && o.trialMs > 0))
    throw new AgentError(
      'invalid_argument',
      `the update trial must be a positive whole number of ms, not ${o.trialMs}`,
    );
  const clock = o.clock ?? systemClock;
  const version = o.update.manifest.version;
  const health = o.layout.healthFile(version);
  await rm(health, { force: true });
  await o.layout.activate(o.update.tree, o.packagedVersion);
  o.log(`Restarting as Remote Help ${version}…`);
  const child = spawn(o.launcher, [...o.args], {
    env: { ...o.env, REMOTE_HELP_UPDATE_TRIAL: version },
    stdio: 'inherit',
    detached: true,
  });
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(`it exited with ${code ?? signal}`));
    child.once('error', (error) => resolve(`it could not start (${error.message})`));
  });
  const deadline = clock.now() + o.trialMs;
  let failure: string | null = null;
  for (;;) {
    if (existsSync(health)) break;
    const tick = new Promise<null>((resolve) => clock.after(200, () => resolve(null)));
    const ended = await Promise.race([exited, tick]);
    if (ended !== null) {
      failure = ended;
      break;
    }
    if (clock.now() > deadline) {
      failure = `it did not check in within ${Math.round(o.trialMs / 1000)} s`;
      break;
    }
  }
  if (failure === null) {
    await rm(health, { force: true });
    child.unref();
    o.log(`Remote Help ${version} started and checked in (pid ${child.pid}); this version (the old one) stops.`);
    return { outcome: 'handed_over', pid: child.pid };
  }
  if (child.exitCode === null && child.pid) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  }
  await o.layout.activate(o.update.previous, o.packagedVersion);
  await rm(o.update.tree, { recursive: true, force: true });
  await o.layout.markFailed(version, failure);
  o.log(`Update to ${version} rolled back: ${failure}. This version keeps running.`);
  return { outcome: 'rolled_back' };
}

/** Whether `dir` looks like an installed agent tree (the bundle next to its own Node). */
export function isInstalledTree(dir: string): boolean {
  return existsSync(join(dir, 'node')) && existsSync(join(dir, 'dist', 'cli.mjs'));
}

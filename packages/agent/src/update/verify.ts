/**
 * @module update/verify
 * Checks a release before anything changes: the Ed25519 signature over the manifest's exact bytes
 * with the built-in release key (first: nothing the manifest says is read before), the manifest's
 * schema, the product and platform, the channel against the agent's (a stable agent takes only
 * stable releases; a beta agent both, as the server offers it), the version against the running
 * one (no downgrade, no reinstall), then the downloaded package's size and SHA-256 against the
 * manifest.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import {
  compareAgentVersions,
  describeIssues,
  ReleaseManifest,
  type ReleaseChannel,
  type ReleasePlatform,
  type SignedRelease,
} from '@remote-help/protocol';
import type { z } from 'zod';

/** Why a release was not installed; each leaves the installed agent as it was. */
export type RefusalReason =
  | 'bad_signature'
  | 'bad_manifest'
  | 'wrong_platform'
  | 'wrong_channel'
  | 'downgrade'
  | 'same_version'
  | 'download_failed'
  | 'download_stalled'
  | 'download_timeout'
  | 'truncated'
  | 'size_mismatch'
  | 'hash_mismatch'
  | 'bad_package'
  | 'failed_before';

export class UpdateRefused extends Error {
  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
    this.name = 'UpdateRefused';
  }
}

/** `text` on one short line, for a log: line breaks and other controls become spaces, at most 200 characters. */
export function oneLine(text: string): string {
  return text.replace(/[\p{Cc}\u2028\u2029]+/gu, ' ').slice(0, 200);
}

/** The first problem of a schema failure, on one short line (`path: message`), for a log. */
export function firstProblem(error: z.ZodError): string {
  const issue = describeIssues(error)[0];
  return oneLine(issue ? `${issue.path}: ${issue.message}` : 'invalid');
}

/** The channels an agent on `channel` takes releases from: beta agents get stable releases too. */
const ACCEPTED_CHANNELS: Record<ReleaseChannel, readonly ReleaseChannel[]> = {
  stable: ['stable'],
  beta: ['stable', 'beta'],
};

/** The manifest, once its signature holds and it describes a newer agent for this platform and channel. */
export function verifyRelease(
  signed: SignedRelease,
  o: { publicKeyPem: string; platform: ReleasePlatform; channel: ReleaseChannel; runningVersion: string },
): ReleaseManifest {
  const bytes = Buffer.from(signed.manifest, 'base64');
  const signature = Buffer.from(signed.signature, 'base64');
  let ok = false;
  try {
    ok = verify(null, bytes, createPublicKey(o.publicKeyPem), signature);
  } catch {
    ok = false;
  }
  if (!ok) throw new UpdateRefused('bad_signature', 'the release manifest is not signed by the release key');
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new UpdateRefused('bad_manifest', `the signed manifest is not JSON (${oneLine((error as Error).message)})`);
  }
  const parsed = ReleaseManifest.safeParse(json);
  if (!parsed.success)
    throw new UpdateRefused('bad_manifest', `the signed manifest is malformed (${firstProblem(parsed.error)})`);
  const manifest = parsed.data;
  if (manifest.platform !== o.platform)
    throw new UpdateRefused(
      'wrong_platform',
      `the release is for ${manifest.platform}, this agent runs on ${o.platform}`,
    );
  if (!ACCEPTED_CHANNELS[o.channel].includes(manifest.channel))
    throw new UpdateRefused(
      'wrong_channel',
      `the release is on the ${manifest.channel} channel, this agent follows ${o.channel}`,
    );
  const order = compareAgentVersions(manifest.version, o.runningVersion);
  if (order === 0) throw new UpdateRefused('same_version', `${manifest.version} is the version running`);
  if (order < 0)
    throw new UpdateRefused(
      'downgrade',
      `${manifest.version} is older than the running ${o.runningVersion}: downgrades are refused`,
    );
  return manifest;
}

/** Checks the downloaded file against the signed manifest's size and SHA-256. */
export async function verifyPackage(path: string, manifest: ReleaseManifest): Promise<void> {
  const { size } = await stat(path);
  if (size < manifest.size)
    throw new UpdateRefused('truncated', `the download is incomplete (${size} of ${manifest.size} bytes)`);
  if (size !== manifest.size)
    throw new UpdateRefused('size_mismatch', `the download is ${size} bytes, the release says ${manifest.size}`);
  const hash = createHash('sha256');
  await new Promise<void>((done, fail) =>
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', fail)
      .on('end', () => done()),
  );
  const digest = hash.digest('hex');
  if (digest !== manifest.sha256)
    throw new UpdateRefused('hash_mismatch', `the package's SHA-256 ${digest} is not the signed ${manifest.sha256}`);
}

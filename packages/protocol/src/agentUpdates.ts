/**
 * @module agentUpdates
 * The agent's signed self-update (ADR 0022). A release is one package of the agent for one
 * platform and channel, described by a manifest whose exact bytes are signed with the release
 * key (Ed25519). The agent checks the signature over those bytes with the public key built into
 * it before it reads anything the manifest says, then the package's size and SHA-256 against
 * the manifest. Tenant administrators set a minimum agent version and whether agents may update
 * themselves; the devices list shows which versions run where.
 */
import { z } from 'zod';

/** `MAJOR.MINOR.PATCH` with an optional pre-release (`-beta.1`); no build metadata. */
const SEMVER = /^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

/** A version of the agent, as its package.json and the inventory report it. */
export const AgentVersion = z.string().max(32).regex(SEMVER, 'is not a version like 1.4.2');
export type AgentVersion = z.infer<typeof AgentVersion>;

/** Whether `version` is a semantic version this module can compare. */
export function isAgentVersion(version: string): boolean {
  return version.length <= 32 && SEMVER.test(version);
}

/**
 * Semantic-version order: negative when `a` is older than `b`, 0 when equal, positive when newer.
 * A pre-release is older than its release (1.2.0-beta.1 < 1.2.0); pre-release fields compare
 * numerically when both are numbers, else as text. Anything that is not a version sorts before
 * every version (an old agent that reported rubbish counts as oldest).
 */
export function compareAgentVersions(a: string, b: string): number {
  const pa = SEMVER.exec(a);
  const pb = SEMVER.exec(b);
  if (!pa || !pb) return pa ? 1 : pb ? -1 : 0;
  for (let i = 1; i <= 3; i++) {
    const d = Number(pa[i]) - Number(pb[i]);
    if (d !== 0) return Math.sign(d);
  }
  const ra = pa[4];
  const rb = pb[4];
  if (ra === undefined || rb === undefined) return ra === rb ? 0 : ra === undefined ? 1 : -1;
  const fa = ra.split('.');
  const fb = rb.split('.');
  for (let i = 0; i < Math.max(fa.length, fb.length); i++) {
    const x = fa[i];
    const y = fb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny && Number(x) !== Number(y)) return Math.sign(Number(x) - Number(y));
    if (nx !== ny) return nx ? -1 : 1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Release channels: `stable` for everyone, `beta` for devices whose user or administrator chose it. */
export const ReleaseChannel = z.enum(['stable', 'beta']);
export type ReleaseChannel = z.infer<typeof ReleaseChannel>;

/** Platforms a release can be for (`os-arch`, as `npm run package` names its targets). */
export const ReleasePlatform = z.enum(['linux-x64', 'darwin-arm64', 'darwin-x64']);
export type ReleasePlatform = z.infer<typeof ReleasePlatform>;

/** `remote-help-agent-<version>-<platform>.tar.gz`: the only names a release package may have. */
export const RELEASE_FILE = /^remote-help-agent-[0-9A-Za-z.-]{5,32}-(linux-x64|darwin-arm64|darwin-x64)\.tar\.gz$/;

/** What the release key signs: one package of one version for one platform and channel. */
export const ReleaseManifest = z.strictObject({
  product: z.literal('remote-help-agent'),
  version: AgentVersion,
  channel: ReleaseChannel,
  platform: ReleasePlatform,
  /** The package's file name (a gzip'd tar of the agent's installed tree). */
  file: z.string().regex(RELEASE_FILE),
  size: z
    .number()
    .int()
    .min(1)
    .max(512 * 1024 * 1024),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  publishedAt: z.string().datetime(),
});
export type ReleaseManifest = z.infer<typeof ReleaseManifest>;

/**
 * A signed release as published (`<file>.manifest.json` beside the package) and served to
 * agents: the manifest's exact bytes (base64) and the Ed25519 signature over them (base64).
 */
export const SignedRelease = z.strictObject({
  manifest: z.string().min(1).max(8192),
  signature: z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'is not an Ed25519 signature in base64'),
});
export type SignedRelease = z.infer<typeof SignedRelease>;

/** A tenant's rules for its agents (Tenant administration > Devices > Agent versions). */
export const AgentUpdatePolicy = z.strictObject({
  /** Agents older than this are flagged in the devices list, and say so on the device; null: no minimum. */
  minimumVersion: AgentVersion.nullable(),
  /** Whether agents may update themselves (a device's user may still opt out). */
  autoUpdate: z.boolean(),
});
export type AgentUpdatePolicy = z.infer<typeof AgentUpdatePolicy>;

/** `GET /api/v1/agent/update` query: what the asking agent runs on (without `platform`: the policy only, no release). */
export const AgentUpdateQuery = z.strictObject({
  platform: ReleasePlatform.optional(),
  channel: ReleaseChannel.default('stable'),
});

/** `GET /api/v1/agent/update` (device-signed) → the newest release for it and its tenant's policy. */
export const AgentUpdateResponse = z.object({
  /** Null when nothing is published for the platform and channel (or no platform was named). */
  release: SignedRelease.extend({ url: z.string() }).nullable(),
  policy: AgentUpdatePolicy,
});
export type AgentUpdateResponse = z.infer<typeof AgentUpdateResponse>;

/** One version in the tenant's summary: how many enrolled devices last reported it. */
export const AgentVersionCount = z.object({
  version: z.string(),
  devices: z.number().int(),
  /** Older than the tenant's minimum version. */
  belowMinimum: z.boolean(),
});
export type AgentVersionCount = z.infer<typeof AgentVersionCount>;

/** `GET /api/v1/devices/agent-versions` → versions across the organization's enrolled devices. */
export const AgentVersionSummary = z.object({
  /** Newest version first. */
  versions: z.array(AgentVersionCount),
  policy: AgentUpdatePolicy,
  /** Enrolled devices below the minimum version. */
  belowMinimum: z.number().int(),
  /** The newest stable release per platform published on this server. */
  latest: z.array(z.object({ platform: ReleasePlatform, version: z.string() })),
});
export type AgentVersionSummary = z.infer<typeof AgentVersionSummary>;

/**
 * The orchestrator ↔ client-process messages of `npm run bench:load` (Node IPC), each parsed
 * against its schema on receipt: a client process is another process, so nothing it says is
 * taken on trust, even here.
 */
import { z } from 'zod';

export const Credentials = z.strictObject({
  /** The `rh_session` cookie token. */
  token: z.string().min(1).max(100),
  csrf: z.string().min(1).max(100),
});
export type Credentials = z.infer<typeof Credentials>;

/** One simulated pair: who helps, who shares, where each connects from and to. */
export const PairPlan = z.strictObject({
  index: z.number().int().min(0),
  helper: Credentials,
  sharer: Credentials,
  /** Base URL of the node the helper talks to (and the sharer's). */
  helperNode: z.url(),
  sharerNode: z.url(),
  /** Source addresses of the two WebSockets (127.0.0.0/8). */
  helperAddress: z.ipv4(),
  sharerAddress: z.ipv4(),
});
export type PairPlan = z.infer<typeof PairPlan>;

const Counts = z.record(z.string().max(200), z.number().int().min(0));

export const ToClient = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('init'),
    pairs: z.array(PairPlan).max(100_000),
    /** Source addresses for the HTTP requests (a few, so no one address holds every redeem). */
    httpAddresses: z.array(z.ipv4()).min(1).max(64),
    cookieName: z.string().min(1).max(64),
    /** Every open socket sends `{"type":"ping"}` at the beat its `hello` announces, as the web app does. */
    clientPings: z.boolean(),
    /** Slots of the ping wheel per beat (see `PersonSocket` in client.ts). */
    pingSlots: z.number().int().min(1).max(5000),
  }),
  /** Sets up this process's pairs whose `index` is in [from, to), `concurrency` at a time, until `deadline` (epoch ms). */
  z.strictObject({
    type: z.literal('setup'),
    from: z.number().int().min(0),
    to: z.number().int().min(0),
    concurrency: z.number().int().min(1).max(4096),
    deadline: z.number(),
  }),
  /** Relays signals (and chat) on `sessions` live pairs for `durationMs`, one every `intervalMs`. */
  z.strictObject({
    type: z.literal('sample'),
    sessions: z.number().int().min(0),
    durationMs: z.number().int().min(0).max(600_000),
    intervalMs: z.number().int().min(1).max(10_000),
    chatMessages: z.number().int().min(0).max(20),
  }),
  z.strictObject({ type: z.literal('end'), concurrency: z.number().int().min(1).max(4096), deadline: z.number() }),
  z.strictObject({ type: z.literal('status') }),
  z.strictObject({ type: z.literal('quit') }),
]);
export type ToClient = z.infer<typeof ToClient>;

export const FromClient = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({
    type: z.literal('progress'),
    live: z.number().int().min(0),
    failed: z.number().int().min(0),
  }),
  z.strictObject({
    type: z.literal('setupDone'),
    ok: z.number().int().min(0),
    failed: z.number().int().min(0),
    /** Per pair: create → both sides attached and active, ms. */
    durationsMs: z.array(z.number()),
    /** Per step of a completed set-up (`SETUP_STEPS` in client.ts), one duration per pair, ms. */
    stepsMs: z.record(z.string().max(32), z.array(z.number())),
    /** This client process's CPU over the phase, % of one core (is the client the bottleneck?). */
    cpuPct: z.number().min(0),
    errors: Counts,
    timedOut: z.boolean(),
  }),
  z.strictObject({
    type: z.literal('sampleDone'),
    relayMs: z.array(z.number()),
    chatMs: z.array(z.number()),
    lost: z.number().int().min(0),
    errors: Counts,
    /** This client process while it relayed: CPU (% of one core) and its event loop's delay p99 and max. */
    cpuPct: z.number().min(0),
    lagP99Ms: z.number().min(0),
    lagMaxMs: z.number().min(0),
  }),
  z.strictObject({
    type: z.literal('endDone'),
    ok: z.number().int().min(0),
    failed: z.number().int().min(0),
    durationsMs: z.array(z.number()),
    errors: Counts,
    timedOut: z.boolean(),
  }),
  z.strictObject({
    type: z.literal('status'),
    live: z.number().int().min(0),
    /** Sockets the server closed (or that failed) while their session was live. */
    droppedSockets: z.number().int().min(0),
    cpuMs: z.number().min(0),
    rssBytes: z.number().min(0),
  }),
  z.strictObject({ type: z.literal('fatal'), message: z.string().max(2000) }),
]);
export type FromClient = z.infer<typeof FromClient>;

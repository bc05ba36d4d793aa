/**
 * @module rtc/wrtc
 * The one bridge to `@roamhq/wrtc` (libwebrtc for Node). Its bundled typings
 * re-export DOM types the agent does not compile against, so the subset used
 * here is typed locally.
 */
import { createRequire } from 'node:module';
import { AgentError } from '../errors.js';

/** Raw frame for the nonstandard video APIs: I420 (or RGBA for the converters). */
export interface RawVideoFrame {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface WrtcTrack {
  readonly id: string;
  readonly kind: string;
  readonly readyState: 'live' | 'ended';
  stop(): void;
}

export interface WrtcVideoSource {
  createTrack(): WrtcTrack;
  onFrame(frame: RawVideoFrame): void;
}

export interface WrtcVideoSink {
  stop(): void;
  onframe: ((event: { frame: RawVideoFrame }) => void) | null;
}

export interface WrtcDataChannel {
  readonly label: string;
  /** The sub-protocol its opener gave it (`''` for none). */
  readonly protocol: string;
  readonly readyState: 'connecting' | 'open' | 'closing' | 'closed';
  readonly bufferedAmount: number;
  binaryType: string;
  send(data: string | Uint8Array): void;
  close(): void;
  onopen: (() => void) | null;
  onclose: (() => void) | null;
  onmessage: ((event: { data: string | ArrayBuffer }) => void) | null;
}

export interface SessionDescriptionInit {
  type: 'offer' | 'answer' | 'pranswer' | 'rollback';
  sdp: string;
}

export interface IceCandidateInit {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

export interface WrtcPeerConnection {
  readonly connectionState: string;
  readonly signalingState: string;
  readonly remoteDescription: SessionDescriptionInit | null;
  readonly localDescription: SessionDescriptionInit | null;
  createOffer(options?: { iceRestart?: boolean }): Promise<SessionDescriptionInit>;
  createAnswer(): Promise<SessionDescriptionInit>;
  setLocalDescription(description: SessionDescriptionInit): Promise<void>;
  setRemoteDescription(description: SessionDescriptionInit): Promise<void>;
  addIceCandidate(candidate: IceCandidateInit): Promise<void>;
  addTrack(track: WrtcTrack, ...streams: unknown[]): unknown;
  createDataChannel(
    label: string,
    init?: { ordered?: boolean; maxRetransmits?: number; negotiated?: boolean; id?: number; protocol?: string },
  ): WrtcDataChannel;
  getStats(): Promise<Map<string, Record<string, unknown>>>;
  /** Changes the ICE servers used from the next gathering (an ICE restart) on. */
  setConfiguration?(configuration: { iceServers?: IceServerConfig[] }): void;
  close(): void;
  onicecandidate:
    ((event: { candidate: (IceCandidateInit & { toJSON?: () => IceCandidateInit }) | null }) => void) | null;
  onconnectionstatechange: (() => void) | null;
  ondatachannel: ((event: { channel: WrtcDataChannel }) => void) | null;
  ontrack: ((event: { track: WrtcTrack }) => void) | null;
}

export interface IceServerConfig {
  urls: string | string[];
  username?: string;
  credential?: string;
}

export interface WrtcModule {
  RTCPeerConnection: new (config?: { iceServers?: IceServerConfig[] }) => WrtcPeerConnection;
  nonstandard: {
    RTCVideoSource: new (init?: { isScreencast?: boolean; needsDenoising?: boolean }) => WrtcVideoSource;
    RTCVideoSink: new (track: WrtcTrack) => WrtcVideoSink;
    rgbaToI420(rgba: RawVideoFrame, i420: RawVideoFrame): void;
  };
}

const require = createRequire(import.meta.url);
let loaded: WrtcModule | undefined;

/** Loads `@roamhq/wrtc` once, or throws `AgentError('native_module_missing')`. */
export function loadWrtc(): WrtcModule {
  if (loaded) return loaded;
  try {
    loaded = require('@roamhq/wrtc') as WrtcModule;
  } catch (error) {
    throw AgentError.nativeModuleMissing('@roamhq/wrtc', error);
  }
  return loaded;
}

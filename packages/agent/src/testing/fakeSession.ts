/**
 * @module testing/fakeSession
 * Stand-ins for the session controller's collaborators: a server API whose replies the
 * test decides, a signaling client the test pushes `session` frames through, and a
 * media pipeline that records what the controller does with it.
 */
import { EventEmitter } from 'node:events';
import type { IceServer, Role, SessionView, SignalPayload } from '@remote-help/protocol';
import type { DisplayInfo } from '../platform/types.js';
import type { LiveMedia, LiveMediaEvents } from '../session/screenShare.js';
import type { SessionSignaling } from '../session/sharingSession.js';

const person = (id: string, name: string) => ({
  id,
  displayName: name,
  jobTitle: null,
  company: null,
  email: `${id}@contoso.example`,
  photoUrl: null,
  verifiedDomain: 'contoso.example',
  assertedDomain: null,
  tenantName: 'Contoso',
});

/** A session as the sharer sees it, in `state`, with `patch` applied. */
export function sessionView(state: SessionView['state'], patch: Partial<SessionView> = {}): SessionView {
  return {
    id: 'session-1',
    state,
    role: 'sharer',
    helper: person('helper', 'Daniel Okafor'),
    sharer: person('sharer', 'Lena Fischer'),
    sharerClient: 'agent',
    mode: null,
    pendingMode: null,
    codeExpiresAt: null,
    peerOnline: true,
    endReason: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    endedAt: null,
    sharerStatus: state === 'active' ? 'sharing' : 'pending',
    version: 1,
    device: null,
    ...patch,
  };
}

/** Signaling the test drives. */
export class FakeSignaling
  extends EventEmitter<{
    session: [SessionView];
    signal: [string, Role, SignalPayload];
    ready: [];
  }>
  implements SessionSignaling
{
  readonly iceServers: IceServer[] = [];
  readonly attached: string[] = [];
  readonly detached: string[] = [];
  readonly sent: SignalPayload[] = [];

  attach(sessionId: string): void {
    this.attached.push(sessionId);
  }
  detach(sessionId: string): void {
    this.detached.push(sessionId);
  }
  sendSignal(_sessionId: string, payload: SignalPayload): boolean {
    this.sent.push(payload);
    return true;
  }
  /** Pushes a `session` frame as the server would. */
  push(view: SessionView): void {
    this.emit('session', view);
  }
}

/** Two side-by-side displays for the fakes. */
export const DISPLAYS: DisplayInfo[] = [
  { id: 'd1', name: 'DP-1', bounds: { x: 0, y: 0, width: 1000, height: 500 }, primary: true },
  { id: 'd2', name: 'DP-2', bounds: { x: 1000, y: 0, width: 800, height: 600 }, primary: false },
];

/** A media pipeline that records calls; the test emits its events. */
export class FakeMedia extends EventEmitter<LiveMediaEvents> implements LiveMedia {
  display: DisplayInfo = DISPLAYS[0] as DisplayInfo;
  started = false;
  closed = false;
  readonly signals: SignalPayload[] = [];
  readonly control: string[] = [];

  displays(): DisplayInfo[] {
    return DISPLAYS;
  }
  async start(): Promise<void> {
    this.started = true;
    this.emit('signal', { kind: 'sdp', description: { type: 'offer', sdp: 'v=0 fake' } });
  }
  async handleSignal(payload: SignalPayload): Promise<void> {
    this.signals.push(payload);
  }
  renegotiations = 0;
  async renegotiate(): Promise<void> {
    this.renegotiations++;
    this.emit('signal', { kind: 'sdp', description: { type: 'offer', sdp: 'v=0 fresh' } });
  }
  sendControl(text: string): boolean {
    this.control.push(text);
    return true;
  }
  async selectDisplay(id: string): Promise<DisplayInfo> {
    const found = DISPLAYS.find((d) => d.id === id);
    if (!found) throw new Error('display_not_found');
    this.display = found;
    return found;
  }
  paused = false;
  setPaused(paused: boolean): void {
    this.paused = paused;
  }
  /** What `recoverCapture` answers (the test decides when the display is back). */
  displayBack = false;
  async recoverCapture(): Promise<boolean> {
    return this.displayBack;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
  /** Parsed control messages of one type. */
  sentControl(type: string): Record<string, unknown>[] {
    return this.control.map((t) => JSON.parse(t) as Record<string, unknown>).filter((m) => m['type'] === type);
  }
}

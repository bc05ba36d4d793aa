/**
 * @module app/agentApp
 * The agent as one object for the window: sign-in state (`Credentials`), the API and
 * signaling clients, the platform, and the current `SharingSession`. It turns all of
 * that into one `UiState` and runs the window's commands, showing failures as error
 * codes instead of throwing. On an enrolled device it also holds the launch connection
 * and offers a helper's remote launch to the user (`launch` screen). When the server says
 * the device's enrollment was revoked (on the launch connection, or refusing any call the
 * device proves), the app stops everything that needs the device, forgets the enrollment
 * (`devices/revocation.ts`) and says so in the window; help with a security code goes on.
 */
import { dirname } from 'node:path';
import { chatTextProblem, messageParts } from '@remote-help/protocol';
import type { Me } from '@remote-help/protocol';
import type { AgentError } from '../errors.js';
import type { DeviceIdentity } from '../devices/identity.js';
import type { LaunchOffer } from '../devices/launchListener.js';
import { forgetRevokedDevice, loadRevocation, type Revocation } from '../devices/revocation.js';
import { AgentOidcClient } from '../auth/oidc.js';
import { Credentials, lazyEndpoint } from '../auth/credentials.js';
import type { TokenStore } from '../auth/tokenStore.js';
import type { DesktopServices, PlatformAdapter } from '../platform/types.js';
import { AgentChat } from '../session/agentChat.js';
import { ApiClient, isApiError } from '../session/apiClient.js';
import { ScreenShare, type PixelPath } from '../session/screenShare.js';
import { SignalingSessionIce } from '../session/sessionIce.js';
import { SharingSession, type SharingConsent } from '../session/sharingSession.js';
import { SignalingClient } from '../session/signalingClient.js';
import type { UiChat, UiCommand, UiController, UiError, UiImage, UiPreview, UiState } from '../ui/model.js';
import { PreviewMaker } from '../ui/preview.js';
import { answerOffer, launchFor, type DeviceLaunchOptions, type PendingLaunch } from './launchOffers.js';
import { ReopeningDesktop } from './reopeningDesktop.js';
import { SessionMemory } from './sessionMemory.js';
import { errorCode, sessionScreen, uiPerson } from './uiState.js';

/** What the agent is started with. */
export interface AgentAppOptions extends DeviceLaunchOptions {
  /** The server's origin. */
  server: string;
  store: TokenStore;
  platform: PlatformAdapter;
  /** Display to share (default: primary). */
  displayId?: string | undefined;
  /** How the screen travels (default: damage tiles). */
  pixels?: PixelPath | undefined;
  /** Opens the sign-in URL (default: system browser). */
  openBrowser?: (url: string) => Promise<void>;
  /** Diagnostics (never tokens or input contents). */
  log?: (message: string) => void;
  /**
   * Where the current session is remembered for a rejoin after a restart, and where the device's
   * enrollment and the record of its revocation are (default: the token store's directory).
   */
  stateDir?: string | undefined;
  /** Called once the enrollment of `device` was found revoked and forgotten (e.g. to stop the updater). */
  onDeviceRevoked?: ((revocation: Revocation) => void) | undefined;
}

/** The running agent. */
export class AgentApp implements UiController {
  readonly credentials: Credentials;
  readonly api: ApiClient;
  readonly #o: AgentAppOptions;
  readonly #listeners = new Set<() => void>();
  readonly #preview = new PreviewMaker(() => this.#changed());
  #started = false;
  #me: Me | null = null;
  #signaling: SignalingClient | null = null;
  #sharing: SharingSession | null = null;
  #desktop: DesktopServices | null = null;
  #signingIn: AbortController | null = null;
  #busy = false;
  #error: UiError | null = null;
  #photo: { url: string; image: Promise<UiImage | null> } | null = null;
  readonly #launch: PendingLaunch | null;
  readonly #stateDir: string;
  readonly #memory: SessionMemory;
  /** The enrolled device (null: none, or its enrollment was revoked). */
  #device: DeviceIdentity | null;
  /** This device's enrollment on this server was revoked (null: not that we know). */
  #revocation: Revocation | null = null;
  /** What was last written to `#memory`: the session id and the helper allowed in it (null: nothing remembered). */
  #remembered: { id: string; helperId: string | null } | null = null;
  /** The session this agent rejoined after a restart (full control needs a new Allow). */
  #rejoinedId: string | null = null;
  /** The chat of the session in progress, from the trust screen on (null: none). */
  #chat: AgentChat | null = null;
  /** Counts the chat's changes, for `UiState.chatVersion`. */
  #chatVersion = 0;
  /** Whether the chat's session had ended at the last look. */
  #chatEnded = false;

  constructor(options: AgentAppOptions) {
    this.#o = options;
    this.#stateDir = options.stateDir ?? dirname(options.store.file);
    this.#memory = new SessionMemory(this.#stateDir);
    this.#device = options.device ?? null;
    this.credentials = new Credentials({
      server: options.server,
      store: options.store,
      endpoint: lazyEndpoint(() => AgentOidcClient.discover(options.server)),
    });
    this.api = new ApiClient({
      server: options.server,
      tokens: this.credentials,
      deviceProof: (method, url) => this.#device?.proof(method, url) ?? Promise.resolve(null),
      onDeviceRevoked: (message) => this.deviceRevoked(message),
    });
    this.#launch = launchFor(
      options,
      () => this.#changed(),
      (message) => void this.deviceRevoked(message),
    );
  }

  /** The enrolled device (null: none, or its enrollment was revoked). */
  get device(): DeviceIdentity | null {
    return this.#device;
  }

  /** The record of this device's revoked enrollment on this server (null: none known). */
  get revocation(): Revocation | null {
    return this.#revocation;
  }

  /** The launch offer waiting for the user, unless a session is already in progress. */
  get launchOffer(): LaunchOffer | null {
    const session = this.#sharing?.session;
    return session && session.state !== 'ended' ? null : (this.#launch?.offer ?? null);
  }

  /** The current sharing session controller (null until signed in). */
  get sharing(): SharingSession | null {
    return this.#sharing;
  }

  /** Loads the stored sign-in and, when it still works, connects. */
  async start(): Promise<void> {
    // Said again after a restart, for the server it happened on (a new enrollment removes the record).
    const revoked = this.#device ? null : await loadRevocation(this.#stateDir);
    if (revoked && URL.parse(revoked.server)?.origin === URL.parse(this.#o.server)?.origin) this.#revocation = revoked;
    const platform = this.#o.platform;
    this.#desktop = await ReopeningDesktop.open({
      open: () => platform.openDesktop(),
      ...(this.#o.log ? { log: this.#o.log } : {}),
      onUnavailable: (error) =>
        this.#o.log?.(`Pointer and hotkey are unavailable until a display answers: ${String(error)}`),
    });
    if (await this.credentials.tokens()) await this.#connect().catch((error: unknown) => this.#fail(error));
    // Said at once (before sign-in), and again whenever a share is asked for.
    const blocker = await this.#shareBlocker();
    if (blocker) this.#fail(blocker);
    this.#launch?.start();
    this.#started = true;
    this.#changed();
  }

  state(): UiState {
    const snapshot = this.#sharing?.snapshot() ?? null;
    const session = snapshot?.session ?? null;
    const signedIn = this.#me !== null;
    const offer = this.launchOffer;
    const screen = !this.#started
      ? 'starting'
      : this.#signingIn
        ? 'signingIn'
        : offer
          ? 'launch'
          : !signedIn
            ? 'signedOut'
            : sessionScreen(session, this.#busy);
    return {
      screen,
      server: this.#o.server,
      account: this.#me ? { name: this.#me.user.displayName, email: this.#me.user.email } : null,
      helper: offer ? uiPerson(offer.helper) : session ? uiPerson(session.helper) : null,
      request: session && (session.state === 'requested' || session.state === 'active') ? session.pendingMode : null,
      mode: session?.state === 'active' ? session.mode : null,
      controlActive: snapshot?.controlActive ?? false,
      hotkey: snapshot?.hotkey ?? false,
      media: snapshot?.media ?? 'none',
      connectionCheck: snapshot?.check ?? null,
      laser: snapshot?.laser ?? null,
      endReason: session?.endReason ?? null,
      error: this.#error,
      busy: this.#busy,
      previewVersion: session?.state === 'active' ? this.#preview.version : 0,
      paused: snapshot?.paused ?? false,
      displayLost: snapshot?.displayLost ?? false,
      inputUnavailable: snapshot?.inputUnavailable ?? false,
      rejoined:
        session !== null &&
        session.state !== 'ended' &&
        session.id === this.#rejoinedId &&
        !(snapshot?.controlActive ?? false),
      chatVersion: this.chat() ? this.#chatVersion : 0,
      deviceRevoked: this.#revocation
        ? { organization: this.#revocation.tenantName, seenAt: this.#revocation.seenAt }
        : null,
    };
  }

  /** The chat as the window shows it: from the trust screen on, read-only after the end (when anything was said). */
  chat(): UiChat | null {
    const chat = this.#chat?.snapshot();
    const session = this.#sharing?.session;
    if (!chat || !session || session.id !== this.#chat?.sessionId || !chat.enabled) return null;
    const readOnly = session.state === 'ended';
    if (readOnly && chat.messages.length === 0) return null;
    const helperName = session.helper.displayName;
    return {
      readOnly,
      loaded: chat.loaded,
      peerName: helperName,
      peerTyping: chat.peerTyping,
      messages: [
        ...chat.messages.map((m) => ({
          key: String(m.seq),
          seq: m.seq,
          clientId: m.clientId,
          mine: m.from === 'sharer',
          name: m.from === 'sharer' ? '' : helperName,
          parts: messageParts(m.text),
          at: m.sentAt,
          state: 'sent' as const,
          error: null,
        })),
        ...chat.outgoing.map((m) => ({
          key: m.clientId,
          seq: 0,
          clientId: m.clientId,
          mine: true,
          name: '',
          parts: messageParts(m.text),
          at: new Date(m.createdAt).toISOString(),
          state: m.state,
          error: m.error?.code ?? null,
        })),
      ],
    };
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async command(command: UiCommand): Promise<void> {
    if (command.type === 'signIn') return this.#signIn();
    if (command.type === 'redeem' || command.type === 'acceptLaunch') {
      // Before the server hears of it: the helper's code stays unspent, for the browser.
      const blocker = await this.#shareBlocker();
      if (blocker) return this.#fail(blocker);
    }
    if (command.type === 'acceptLaunch' && !this.#me && this.launchOffer) {
      // Sign in first (in the background, like Sign in), then accept.
      return this.#signIn(() => this.#answerLaunch(true));
    }
    if (command.type === 'cancelSignIn') return void this.#signingIn?.abort();
    if (command.type.startsWith('chat')) return this.#chatCommand(command);
    const sharing = this.#sharing;
    await this.#run(async () => {
      switch (command.type) {
        case 'signOut':
          return this.signOut();
        case 'redeem':
          return void (await sharing?.redeem(command.code));
        case 'respond':
          return sharing?.respond(command.allow, command.mode);
        case 'stopControl':
          return sharing?.stopControl();
        case 'pause':
          return sharing?.pause();
        case 'resume':
          return sharing?.resume();
        case 'leave':
          return sharing?.leave();
        case 'acceptLaunch':
          return this.#answerLaunch(true);
        case 'dismissLaunch':
          return this.#answerLaunch(false);
        case 'newSession':
          this.#preview.clear();
          return sharing?.reset();
      }
    });
  }

  /** Chat commands: never busy (the rest of the window stays usable), failures shown per message. */
  #chatCommand(command: UiCommand): void {
    const chat = this.#chat;
    if (!chat) return;
    switch (command.type) {
      case 'chatSend': {
        const problem = chatTextProblem(command.text);
        if (problem) {
          this.#error = {
            code:
              problem === 'empty' ? 'message_empty' : problem === 'too_long' ? 'message_too_long' : 'chat_malformed',
            retryAfterSeconds: null,
          };
          return this.#changed();
        }
        this.#error = null;
        return chat.send(command.text);
      }
      case 'chatRetry':
        return chat.retry(command.clientId);
      case 'chatDiscard':
        return chat.discard(command.clientId);
      case 'chatTyping':
        return chat.typing(command.typing);
    }
  }

  /** Keeps the chat on the session in progress (none while it waits for its sharer). */
  #syncChat(sharing: SharingSession, signaling: SignalingClient): void {
    const session = sharing.session;
    const id = session && session.state !== 'waiting' ? session.id : null;
    // The end makes the thread read-only: the window must fetch it again.
    const ended = session?.state === 'ended';
    if (ended !== this.#chatEnded) {
      this.#chatEnded = ended;
      this.#chatVersion++;
    }
    if ((this.#chat?.sessionId ?? null) === id) return;
    this.#chat?.dispose();
    this.#chat = id ? new AgentChat(signaling, id) : null;
    this.#chat?.on('change', () => {
      this.#chatVersion++;
      this.#changed();
    });
    this.#chatVersion++;
  }

  helperPhoto(): Promise<UiImage | null> {
    const url = (this.launchOffer?.helper ?? this.#sharing?.session?.helper)?.photoUrl;
    if (!url) return Promise.resolve(null);
    if (this.#photo?.url !== url) {
      const image = this.api.image(url).catch(() => null);
      this.#photo = { url, image };
    }
    return this.#photo.image;
  }

  preview(): UiPreview | null {
    return this.#sharing?.session?.state === 'active' ? this.#preview.current() : null;
  }

  /**
   * The server said this device's enrollment was revoked (`message`: its words): the launch
   * connection stops and a waiting offer goes, the device's key is forgotten (`device.json`
   * removed, the revocation recorded) and `onDeviceRevoked` is told. Once; a session in
   * progress and the sign-in are left alone (the server ends the device's sessions itself).
   */
  async deviceRevoked(message: string): Promise<void> {
    const device = this.#device;
    if (!device) return;
    this.#device = null;
    this.#launch?.stop();
    this.#o.log?.(`This device's enrollment was revoked: ${message}`);
    try {
      this.#revocation = await forgetRevokedDevice(this.#stateDir, device, message);
    } catch (error) {
      this.#o.log?.(`Could not forget the revoked enrollment: ${String(error)}`);
      this.#revocation = {
        version: 1,
        server: device.server,
        deviceId: device.id,
        tenantName: device.file.tenantName,
        message,
        seenAt: new Date().toISOString(),
      };
    }
    this.#changed();
    this.#o.onDeviceRevoked?.(this.#revocation);
  }

  /** Leaves any session, forgets the tokens (revoking the refresh token) and disconnects. */
  async signOut(): Promise<void> {
    await this.#disconnect(true);
    await this.credentials.signOut();
    this.#me = null;
    this.#changed();
  }

  /** Leaves the session (best effort, bounded), releases input and closes every connection. */
  async shutdown(timeoutMs = 2000): Promise<void> {
    this.#signingIn?.abort();
    this.#launch?.stop();
    await Promise.race([this.#disconnect(true), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    await this.#desktop?.close().catch(() => undefined);
    this.#desktop = null;
  }

  async #signIn(then?: () => Promise<void>): Promise<void> {
    if (this.#signingIn) return;
    const abort = new AbortController();
    this.#signingIn = abort;
    this.#error = null;
    this.#changed();
    // Runs in the background: the window follows it through the state.
    void (async () => {
      try {
        await this.credentials.signIn({
          signal: abort.signal,
          ...(this.#o.openBrowser ? { openBrowser: this.#o.openBrowser } : {}),
        });
        await this.#connect();
      } catch (error) {
        this.#fail(error);
      } finally {
        this.#signingIn = null;
        this.#changed();
      }
      if (then && this.#me) await this.#run(then);
    })();
  }

  async #answerLaunch(accept: boolean): Promise<void> {
    const [offer, device, sharing, pending] = [this.launchOffer, this.#device, this.#sharing, this.#launch];
    if (!offer || !device) return;
    this.#preview.clear();
    const signedIn = this.#me !== null;
    await answerOffer({ ...this.#o, offer, accept, device, signedIn, credentials: this.credentials, sharing, pending });
  }

  async #connect(): Promise<void> {
    this.#me = await this.api.me();
    if (this.#signaling) return;
    const signaling = new SignalingClient({ server: this.#o.server, tokens: this.credentials });
    signaling.on('fatal', (error) => {
      this.#fail(error);
      void this.#disconnect(false);
    });
    signaling.on('status', () => this.#changed());
    const platform = this.#o.platform;
    const sharing = new SharingSession({
      api: this.api,
      signaling,
      media: async ({ displayId, iceServers, sessionId }) => {
        // The session's own ICE servers (TURN credentials for it and this person), asked for now.
        const ice = new SignalingSessionIce(signaling, sessionId);
        try {
          await ice.fresh();
          return await ScreenShare.open({
            screen: await platform.openScreenSource(),
            reopenScreen: () => platform.openScreenSource(),
            displayId,
            iceServers,
            ice,
            pixels: this.#o.pixels,
          });
        } catch (error) {
          ice.close();
          throw error;
        }
      },
      injector: (display) => platform.createInputInjector(display),
      desktop: this.#desktop,
      displayId: this.#o.displayId,
      onProblem: (what, error) => this.#o.log?.(`Problem with ${what}: ${String(error)}`),
    });
    sharing.on('change', () => {
      if (sharing.session?.state !== 'active') this.#preview.clear();
      this.#syncChat(sharing, signaling);
      this.#rememberSession(sharing);
      this.#changed();
    });
    sharing.on('frame', (frame) => this.#preview.update(frame));
    sharing.on('refused', () => {
      // The server made the session active without the user's Allow: ended and left (see SharingSession).
      this.#error = { code: 'sharing_not_allowed', retryAfterSeconds: null };
      this.#changed();
    });
    this.#signaling = signaling;
    this.#sharing = sharing;
    signaling.connect();
    await this.#rejoin(sharing).catch((error: unknown) =>
      this.#o.log?.(`Could not rejoin the session: ${String(error)}`),
    );
  }

  /**
   * Keeps the remembered session in step with the session in progress, with the local
   * user's Allow to share in it (so that a restart resumes sharing without a new Allow).
   */
  #rememberSession(sharing: SharingSession): void {
    const session = sharing.session;
    const id = session && session.state !== 'ended' ? session.id : null;
    const consent = sharing.consent;
    const helperId = id && consent?.sessionId === id ? consent.helperId : null;
    if (id === (this.#remembered?.id ?? null) && helperId === (this.#remembered?.helperId ?? null)) return;
    this.#remembered = id ? { id, helperId } : null;
    const done = id ? this.#memory.remember(this.#o.server, id, helperId) : this.#memory.forget();
    done.catch((error: unknown) => this.#o.log?.(`Could not remember the session: ${String(error)}`));
  }

  /**
   * After a restart (killed, crashed): the session this agent was in, if it still lives
   * and this user is its agent sharer, is joined again and a new connection offered.
   * The Allow to share survives a restart (remembered with the session, for its helper):
   * a session that was shared is shared again. Full control does not: a session in full
   * control continues in view until the local user allows control again (the helper sees
   * the mode change). An active session remembered without the Allow is refused.
   */
  async #rejoin(sharing: SharingSession): Promise<void> {
    const remembered = await this.#memory.read(this.#o.server);
    if (!remembered || sharing.session) return;
    let view;
    try {
      view = await this.api.session(remembered.sessionId);
    } catch (error) {
      if (isApiError(error, 'network_error')) throw error; // keep it: the server may come back
      await this.#memory.forget();
      return;
    }
    if (view.state === 'ended' || view.role !== 'sharer' || view.sharerClient !== 'agent' || sharing.session) {
      await this.#memory.forget();
      return;
    }
    const { allowedHelperId } = remembered;
    const consent: SharingConsent | null = allowedHelperId
      ? { sessionId: remembered.sessionId, helperId: allowedHelperId }
      : null;
    this.#remembered = { id: view.id, helperId: allowedHelperId };
    this.#rejoinedId = view.id;
    sharing.adopt(view, consent);
    if (view.state === 'active' && !sharing.consent) return; // refused: active without the Allow
    this.#o.log?.(`Rejoined session ${view.id} (${view.state}).`);
    if (view.state === 'active' && view.mode === 'control') await sharing.stopControl();
  }

  async #disconnect(leave: boolean): Promise<void> {
    const sharing = this.#sharing;
    const signaling = this.#signaling;
    this.#sharing = null;
    this.#signaling = null;
    this.#chat?.dispose();
    this.#chat = null;
    if (sharing) {
      if (leave) await sharing.leave().catch(() => undefined);
      await sharing.dispose();
    }
    signaling?.close();
    this.#preview.clear();
    this.#changed();
  }

  /** Why this desktop cannot be shared at all (a Wayland session), or null; a failed check is no reason. */
  async #shareBlocker(): Promise<AgentError | null> {
    return (await this.#o.platform.shareBlocker?.().catch(() => null)) ?? null;
  }

  async #run(work: () => Promise<void>): Promise<void> {
    this.#busy = true;
    this.#error = null;
    this.#changed();
    try {
      await work();
    } catch (error) {
      this.#fail(error);
    } finally {
      this.#busy = false;
      this.#changed();
    }
  }

  #fail(error: unknown): void {
    const code = errorCode(error);
    if (code === 'device_revoked') {
      // Not an error of what the user did: the window says it as a notice of its own.
      void this.deviceRevoked(error instanceof Error ? error.message : String(error));
      return;
    }
    const retryAfterSeconds = isApiError(error) ? error.retryAfterSeconds : null;
    this.#error = { code, retryAfterSeconds };
    if (code === 'signin_required' || code === 'authentication_required') {
      this.#me = null;
      void this.#disconnect(false);
    }
    this.#o.log?.(`${code}: ${error instanceof Error ? error.message : String(error)}`);
    this.#changed();
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }
}

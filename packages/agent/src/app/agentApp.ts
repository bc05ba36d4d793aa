/**
 * @module app/agentApp
 * The agent as one object for the window: sign-in state (`Credentials`), the API and
 * signaling clients, the platform, and the current `SharingSession`. It turns all of
 * that into one `UiState` and runs the window's commands, showing failures as error
 * codes instead of throwing. On an enrolled device it also holds the launch connection
 * and offers a helper's remote launch to the user (`launch` screen).
 */
import type { Me } from '@remote-help/protocol';
import type { LaunchOffer } from '../devices/launchListener.js';
import { AgentOidcClient } from '../auth/oidc.js';
import { Credentials, lazyEndpoint } from '../auth/credentials.js';
import type { TokenStore } from '../auth/tokenStore.js';
import type { DesktopServices, PlatformAdapter } from '../platform/types.js';
import { ApiClient, isApiError } from '../session/apiClient.js';
import { ScreenShare, type PixelPath } from '../session/screenShare.js';
import { SharingSession } from '../session/sharingSession.js';
import { SignalingClient } from '../session/signalingClient.js';
import type { UiCommand, UiController, UiError, UiImage, UiPreview, UiState } from '../ui/model.js';
import { PreviewMaker } from '../ui/preview.js';
import { answerOffer, launchFor, type DeviceLaunchOptions, type PendingLaunch } from './launchOffers.js';
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

  constructor(options: AgentAppOptions) {
    this.#o = options;
    this.credentials = new Credentials({
      server: options.server,
      store: options.store,
      endpoint: lazyEndpoint(() => AgentOidcClient.discover(options.server)),
    });
    this.api = new ApiClient({ server: options.server, tokens: this.credentials });
    this.#launch = launchFor(options, () => this.#changed());
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
    this.#desktop = await this.#o.platform.openDesktop().catch((error: unknown) => {
      this.#o.log?.(`Pointer and hotkey are unavailable: ${String(error)}`);
      return null;
    });
    if (await this.credentials.tokens()) await this.#connect().catch((error: unknown) => this.#fail(error));
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
      laser: snapshot?.laser ?? null,
      endReason: session?.endReason ?? null,
      error: this.#error,
      busy: this.#busy,
      previewVersion: session?.state === 'active' ? this.#preview.version : 0,
    };
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async command(command: UiCommand): Promise<void> {
    if (command.type === 'signIn') return this.#signIn();
    if (command.type === 'acceptLaunch' && !this.#me && this.launchOffer) {
      // Sign in first (in the background, like Sign in), then accept.
      return this.#signIn(() => this.#answerLaunch(true));
    }
    if (command.type === 'cancelSignIn') return void this.#signingIn?.abort();
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
    const [offer, device, sharing, pending] = [this.launchOffer, this.#o.device, this.#sharing, this.#launch];
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
      media: async ({ displayId, iceServers }) =>
        ScreenShare.open({
          screen: await platform.openScreenSource(),
          displayId,
          iceServers,
          pixels: this.#o.pixels,
        }),
      injector: (display) => platform.createInputInjector(display),
      desktop: this.#desktop,
      displayId: this.#o.displayId,
      onProblem: (what, error) => this.#o.log?.(`Problem with ${what}: ${String(error)}`),
    });
    sharing.on('change', () => {
      if (sharing.session?.state !== 'active') this.#preview.clear();
      this.#changed();
    });
    sharing.on('frame', (frame) => this.#preview.update(frame));
    this.#signaling = signaling;
    this.#sharing = sharing;
    signaling.connect();
  }

  async #disconnect(leave: boolean): Promise<void> {
    const sharing = this.#sharing;
    const signaling = this.#signaling;
    this.#sharing = null;
    this.#signaling = null;
    if (sharing) {
      if (leave) await sharing.leave().catch(() => undefined);
      await sharing.dispose();
    }
    signaling?.close();
    this.#preview.clear();
    this.#changed();
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

/**
 * @module identity/conditionalAccess/signInGate
 * Conditional access at the embedded provider's sign-in, after the person proved who they are
 * and before the sign-in finishes. The app comes from the client (the native agent) or from
 * the web app's hint (`rh_app`: helper, sharer, admin; a sign-in without one counts as the
 * sharer web app, the app everybody may use). Device controls wait for the session actions,
 * where a device proves itself.
 *
 * - Allowed: the sign-in finishes.
 * - Only multi-factor authentication missing, and the person has no authenticator app: they
 *   set one up here (QR code, first code, recovery codes shown once), and the sign-in finishes
 *   with `otp` and `mfa` — what Entra ID calls registration during sign-in.
 * - Anything else (a block, MFA for someone who cannot set it up here): a page that says which
 *   requirement failed, under which policy, and what the person can do.
 *
 * Between the pages the form carries `pending`: who, which methods, which app, for ten minutes,
 * under an HMAC bound to this interaction (nothing to store).
 */
import type { CaApp, CaRequirement } from '@remote-help/protocol';
import { z } from 'zod';
import type { AuditLog } from '../../audit/audit.js';
import type { Clock } from '../../time.js';
import type { MfaService } from '../mfa/mfaService.js';
import { AppError } from '../../errors.js';
import type { SignInLanguage } from '../i18n/index.js';
import { escapeHtml } from '../provider.js';
import { renderShell, STYLE } from '../signInPage.js';
import { SealedState } from '../sealedState.js';
import type { ConditionalAccessService } from './service.js';

const PENDING_TTL_MS = 10 * 60 * 1000;

/** The apps a web sign-in may name in `rh_app`. */
const WEB_APPS = new Set<CaApp>(['helper', 'sharer', 'admin']);

/** The app a sign-in is for: the agent by its client, a web app by its hint (the sharer app without one). */
export function appOfSignIn(clientIsAgent: boolean, hint: unknown): CaApp {
  if (clientIsAgent) return 'agent';
  return typeof hint === 'string' && WEB_APPS.has(hint as CaApp) ? (hint as CaApp) : 'sharer';
}

/** The web app a path of ours belongs to, as the relying party tells the provider (`rh_app`). */
export function appOfPath(path: string): 'helper' | 'sharer' | 'admin' {
  if (path === '/admin' || path.startsWith('/admin/')) return 'admin';
  if (path === '/help' || path.startsWith('/help/') || path.startsWith('/help?')) return 'helper';
  return 'sharer';
}

export const GateForm = z.object({
  step: z.enum(['ca_mfa_setup', 'ca_continue']),
  pending: z.string().max(2000),
  csrf: z.string().max(100),
  code: z.string().max(32).optional(),
});
export type GateForm = z.infer<typeof GateForm>;

const Pending = z.object({
  u: z.string(),
  t: z.string(),
  e: z.string(),
  amr: z.array(z.string()).max(10),
  app: z.enum(['helper', 'sharer', 'admin', 'agent']),
  exp: z.number(),
});
type Pending = z.infer<typeof Pending>;

export interface GateUser {
  id: string;
  tenant_id: string;
  email: string;
}

/** What the sign-in does next. */
export type GateOutcome =
  | { kind: 'finish'; user: GateUser; amr: string[] }
  /** Only MFA is missing and the person has an authenticator here: the sign-in asks for it (`SignInSteps`). */
  | { kind: 'second_factor'; user: GateUser; amr: string[] }
  | { kind: 'page'; status: number; html: string }
  | { kind: 'expired' };

export interface SignInGateOptions {
  ca: ConditionalAccessService;
  mfa: MfaService;
  audit: AuditLog;
  clock: Clock;
  key: string;
}

/** The request around a sign-in, for the evaluation and its log line. */
export interface GateRequest {
  uid: string;
  csrf: string;
  app: CaApp;
  ip: string | null;
  userAgent: string | null;
  /** The pages' language. */
  language: SignInLanguage;
  /** The language a person saved, once the form says who they are (`SignInSteps.savedLanguage`). */
  personal?: (userId: string, fallback: SignInLanguage) => Promise<SignInLanguage>;
}

export class SignInGate {
  private readonly pending: SealedState<typeof Pending>;

  constructor(private readonly o: SignInGateOptions) {
    this.pending = new SealedState({
      key: o.key,
      purpose: 'ca-gate',
      schema: Pending,
      ttlMs: PENDING_TTL_MS,
      clock: o.clock,
    });
  }

  private seal(uid: string, p: Omit<Pending, 'exp'>): string {
    return this.pending.seal(uid, p);
  }

  private open(uid: string, token: string): Pending | undefined {
    return this.pending.open(uid, token);
  }

  /** Evaluates a sign-in about to finish: finish, set up MFA, or the blocked page. */
  async check(request: GateRequest, user: GateUser, amr: readonly string[]): Promise<GateOutcome> {
    const decision = await this.o.ca.evaluate({
      event: 'signIn',
      app: request.app,
      actor: {
        userId: user.id,
        tenantId: user.tenant_id,
        ip: request.ip,
        client: request.app === 'agent' ? 'agent' : 'web',
        amr,
        authTime: this.o.clock.now(),
        userAgent: request.userAgent,
      },
      deferDeviceControls: true,
    });
    if (decision.decision === 'allowed') return { kind: 'finish', user, amr: [...amr] };
    const failed = decision.policies.filter((p) => p.state === 'on' && p.result === 'failure').map((p) => p.name);
    await this.o.audit.record({
      tenantId: user.tenant_id,
      actor: { type: 'user', id: user.id },
      action: 'signin.blocked_by_policy',
      ip: request.ip,
      data: { app: request.app, unmet: decision.unmet, policies: failed },
    });
    const onlyMfa = decision.unmet.every((r) => r === 'mfa');
    // A sign-in that did no MFA of its own (a federated provider that says none, a passkey without
    // user verification) from someone with an authenticator here: asked for it, not blocked.
    if (onlyMfa && (await this.o.mfa.isEnabled(user.id))) return { kind: 'second_factor', user, amr: [...amr] };
    if (onlyMfa) {
      const pending = this.seal(request.uid, {
        u: user.id,
        t: user.tenant_id,
        e: user.email,
        amr: [...amr],
        app: request.app,
      });
      return this.setupPage(request, user, pending, 200);
    }
    const first = decision.unmet[0] ?? 'block';
    return { kind: 'page', status: 403, html: renderBlocked(request.language, first, failed) };
  }

  /** The setup page's forms: the first code, then Continue after the recovery codes. */
  async handle(asked: GateRequest, form: GateForm): Promise<GateOutcome> {
    const pending = this.open(asked.uid, form.pending);
    if (!pending || pending.app !== asked.app) return { kind: 'expired' };
    const language = asked.personal ? await asked.personal(pending.u, asked.language) : asked.language;
    const request = { ...asked, language };
    const user = { id: pending.u, tenant_id: pending.t, email: pending.e };
    const principal = {
      userId: user.id,
      tenantId: user.tenant_id,
      permissions: [],
      ip: request.ip,
      client: 'web' as const,
    };
    if (form.step === 'ca_continue') {
      // Only a pending state sealed after the first code carries `mfa`.
      if (!pending.amr.includes('mfa')) return { kind: 'expired' };
      return this.check(request, user, pending.amr);
    }
    const code = (form.code ?? '').replace(/\s+/g, '');
    let recoveryCodes: string[];
    try {
      ({ recoveryCodes } = await this.o.mfa.confirmEnrollment(principal, code));
    } catch (error) {
      // A wrong code, or a setup that another page replaced (`MfaService.confirmEnrollment`).
      const { t } = request.language;
      const replaced = error instanceof AppError && error.code === 'conflict';
      const message = replaced ? t('gate.setupReplaced') : t('gate.codeWrong');
      return this.setupPage(request, user, form.pending, 400, message, false);
    }
    const amr = [...new Set([...pending.amr, 'otp', 'mfa'])];
    const next = this.seal(request.uid, { ...pending, amr });
    return { kind: 'page', status: 200, html: renderRecoveryCodes(request, next, recoveryCodes) };
  }

  private async setupPage(
    request: GateRequest,
    user: GateUser,
    pending: string,
    status: number,
    error?: string,
    fresh = true,
  ): Promise<GateOutcome> {
    const principal = {
      userId: user.id,
      tenantId: user.tenant_id,
      permissions: [],
      ip: request.ip,
      client: 'web' as const,
    };
    // A wrong first code keeps the secret the app already scanned; a new page starts a new one.
    const enrollment = fresh ? await this.o.mfa.startEnrollment(principal) : null;
    return { kind: 'page', status, html: renderSetup(request, pending, enrollment, error) };
  }
}

function shell(language: SignInLanguage, title: string, sub: string, body: string, error?: string): string {
  const alert = error ? `<div class="error" role="alert">${escapeHtml(error)}</div>` : '';
  return renderShell({
    language,
    title,
    style: `${STYLE}${GATE_STYLE}`,
    body: `<h1>${escapeHtml(title)}</h1><p class="sub">${escapeHtml(sub)}</p>
${alert}${body}`,
  });
}

const GATE_STYLE =
  '.qr{display:block;margin:12px auto;width:180px;height:180px}.secret{font-family:ui-monospace,monospace;word-break:break-all;font-size:13px;background:#f5f5f5;padding:8px;border-radius:4px}' +
  '.codes{font-family:ui-monospace,monospace;columns:2;font-size:14px;margin:8px 0;padding:0;list-style:none}.hint{font-size:13px;color:#616161;margin:8px 0 0}input.code{letter-spacing:.3em;font-size:18px}ol.steps{padding-inline-start:20px;font-size:14px}';

const hidden = (request: GateRequest, pending: string, step: GateForm['step']) =>
  `<input type="hidden" name="csrf" value="${escapeHtml(request.csrf)}"><input type="hidden" name="pending" value="${escapeHtml(pending)}"><input type="hidden" name="step" value="${step}">`;

function renderSetup(
  request: GateRequest,
  pending: string,
  enrollment: { secret: string; qrCode: string } | null,
  error?: string,
): string {
  const { t } = request.language;
  const scan = enrollment
    ? `<img class="qr" src="${escapeHtml(enrollment.qrCode)}" alt="${escapeHtml(t('gate.qrAlt'))}">
<p class="hint">${escapeHtml(t('gate.cantScan'))}</p><p class="secret" dir="ltr" data-testid="mfa-secret">${escapeHtml(enrollment.secret)}</p>`
    : `<p class="hint">${escapeHtml(t('gate.sameEntry'))}</p>`;
  const steps = (['gate.stepInstall', 'gate.stepScan', 'gate.stepCode'] as const)
    .map((key) => `<li>${escapeHtml(t(key))}</li>`)
    .join('');
  return shell(
    request.language,
    t('gate.setupTitle'),
    t('gate.setupIntro'),
    `<ol class="steps">${steps}</ol>
${scan}
<form method="post" action="/signin/${escapeHtml(request.uid)}">${hidden(request, pending, 'ca_mfa_setup')}
<label for="code">${escapeHtml(t('gate.codeLabel'))}</label>
<input id="code" class="code" name="code" dir="ltr" inputmode="numeric" autocomplete="one-time-code" maxlength="8" required autofocus>
<button type="submit">${escapeHtml(t('mfa.verify'))}</button></form>`,
    error,
  );
}

function renderRecoveryCodes(request: GateRequest, pending: string, codes: string[]): string {
  const { t } = request.language;
  return shell(
    request.language,
    t('gate.recoveryTitle'),
    t('gate.recoveryIntro'),
    `<ul class="codes" dir="ltr" data-testid="recovery-codes">${codes.map((c) => `<li>${escapeHtml(c)}</li>`).join('')}</ul>
<form method="post" action="/signin/${escapeHtml(request.uid)}">${hidden(request, pending, 'ca_continue')}
<button type="submit">${escapeHtml(t('gate.continue'))}</button></form>`,
  );
}

/** Which requirement failed, under which policies (their names as the administrator wrote them), and what to do. */
function renderBlocked(language: SignInLanguage, first: CaRequirement, policies: string[]): string {
  const { t } = language;
  // Each name isolated (U+2068…U+2069): a Latin name in Arabic text, or an RLO inside one, cannot reorder the sentence.
  const names = policies.map((name) => t('gate.policyName', { name: `\u2068${name}\u2069` }));
  const by =
    policies.length > 0
      ? `<p class="hint">${escapeHtml(t('gate.blockedBy', { policies: language.list(names) }))}</p>`
      : '';
  return shell(
    language,
    t('gate.blockedTitle'),
    t(`gate.advice.${first}`),
    `${by}<p><a href="/">${escapeHtml(t('common.backToRemoteHelp'))}</a></p>`,
  );
}

/**
 * @module identity/mfa/signInSteps
 * What the embedded provider's sign-in asks after a right password: the authenticator code
 * (or a recovery code) when the person has multi-factor authentication, then a new password
 * when an administrator asked for one. Between steps the form carries `pending`: who passed
 * which factors, bound to this interaction, for five minutes, under an HMAC (nothing to store).
 * The sign-in finishes with `amr` (RFC 8176) for the ID token: `pwd`, plus `otp` and `mfa`
 * for an authenticator code, or `mfa` for a recovery code. A person with passkeys is offered
 * one beside the code, or alone (`pwd`, `hwk`, `mfa`); a passkey without a password
 * (`passwordless`, user verification required) gives `hwk`, `pin`, `mfa` (`passkeys/passkeySignIn`).
 */
import { LanguageTag, PASSWORD_MIN_LENGTH } from '@remote-help/protocol';
import { z } from 'zod';
import type { AuditLog } from '../../audit/audit.js';
import type { Db } from '../../db/client.js';
import type { Clock } from '../../time.js';
import type { AccountSecurity } from '../accountSecurity.js';
import { languageOf, type SignInLanguage } from '../i18n/index.js';
import type { PasskeyCheck, PasskeySignIn } from '../passkeys/passkeySignIn.js';
import { passwordProblem } from '../passwordPolicy.js';
import { SealedState } from '../sealedState.js';
import type { MfaLimits } from './mfaLimits.js';
import type { MfaService } from './mfaService.js';
import { renderMfaPage, renderNewPasswordPage } from './stepPages.js';

const PENDING_TTL_MS = 5 * 60 * 1000;

export interface SignedInUser {
  id: string;
  tenant_id: string;
  email: string;
}

/** What the sign-in route does next: show a page, or finish the interaction as `userId`. */
export type StepOutcome =
  | { kind: 'page'; status: number; html: string }
  | { kind: 'finish'; user: SignedInUser; amr: string[] }
  | { kind: 'expired' };

/** The `amr` values a sign-in may carry between steps (`fed`: the organization's own provider). */
const AmrValue = z.enum(['pwd', 'otp', 'mfa', 'hwk', 'pin', 'user', 'fed']);
type AmrValue = z.infer<typeof AmrValue>;
/** `amr` with `more` added, each value once. */
const withFactors = (amr: readonly AmrValue[], ...more: AmrValue[]): AmrValue[] => [...new Set([...amr, ...more])];

const Pending = z.object({
  u: z.string(),
  t: z.string(),
  e: z.string(),
  amr: z.array(AmrValue),
  next: z.enum(['mfa', 'new_password']),
  exp: z.number(),
});
type Pending = z.infer<typeof Pending>;

/** The later steps' form fields. */
export const StepForm = z.object({
  step: z.enum(['mfa', 'new_password', 'passkey']),
  pending: z.string().max(2000),
  csrf: z.string().max(100),
  code: z.string().max(32).optional(),
  newPassword: z.string().max(256).optional(),
  confirmPassword: z.string().max(256).optional(),
  /** `passkey`: the browser's WebAuthn answer (JSON). */
  credential: z.string().max(40_000).optional(),
});
export type StepForm = z.infer<typeof StepForm>;

export interface SignInStepsOptions {
  db: Db;
  mfa: MfaService;
  account: AccountSecurity;
  limits: MfaLimits;
  audit: AuditLog;
  clock: Clock;
  key: string;
  /** Passkeys as a second factor and without a password. */
  passkeys?: PasskeySignIn;
}

/** The first page's "Sign in with a passkey" (`passkey_signin`): no password, no pending state. */
export const PasswordlessForm = z.object({
  step: z.literal('passkey_signin'),
  csrf: z.string().max(100),
  credential: z.string().max(40_000),
});

export class SignInSteps {
  private readonly pending: SealedState<typeof Pending>;

  constructor(private readonly o: SignInStepsOptions) {
    this.pending = new SealedState({
      key: o.key,
      purpose: 'signin-step',
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

  /** The second step's page: the code form when the person has an authenticator app, their passkeys when any. */
  private async secondFactorPage(
    uid: string,
    csrf: string,
    user: SignedInUser,
    pending: string,
    language: SignInLanguage,
    status = 200,
    error?: string,
  ): Promise<StepOutcome> {
    const [totp, passkeys] = await Promise.all([
      this.o.mfa.isEnabled(user.id),
      this.o.passkeys?.hasPasskeys(user) ?? false,
    ]);
    const passkeyOptions = passkeys ? await this.o.passkeys?.secondFactorOptions(uid, user) : undefined;
    return {
      kind: 'page',
      status,
      html: renderMfaPage({
        uid,
        csrf,
        pending,
        totp,
        language,
        ...(passkeyOptions ? { passkeyOptions } : {}),
        ...(error ? { error } : {}),
      }),
    };
  }

  /**
   * The language the person saved in the web app's picker (`users.locale`), or null. Read only
   * once they proved who they are: a wrong password learns nothing about the account.
   */
  async savedLanguage(userId: string): Promise<LanguageTag | null> {
    const row = await this.o.db.selectFrom('users').select('locale').where('id', '=', userId).executeTakeFirst();
    const saved = LanguageTag.safeParse(row?.locale);
    return saved.success ? saved.data : null;
  }

  /** The later pages' language: the person's saved choice wins (as in the web app after sign-in), else the request's. */
  private async personal(userId: string, fallback: SignInLanguage): Promise<SignInLanguage> {
    const saved = await this.savedLanguage(userId);
    return saved ? languageOf(saved) : fallback;
  }

  /** After a right password: the next step, or finish. */
  async afterPassword(uid: string, csrf: string, user: SignedInUser, request: SignInLanguage): Promise<StepOutcome> {
    const language = await this.personal(user.id, request);
    const base = { u: user.id, t: user.tenant_id, e: user.email };
    const [totp, passkeys] = await Promise.all([
      this.o.mfa.isEnabled(user.id),
      this.o.passkeys?.hasPasskeys(user) ?? false,
    ]);
    if (totp || passkeys) {
      const pending = this.seal(uid, { ...base, amr: ['pwd'], next: 'mfa' });
      return this.secondFactorPage(uid, csrf, user, pending, language);
    }
    return this.afterFactors(uid, csrf, user, ['pwd'], language);
  }

  /**
   * Conditional access asks for MFA that the sign-in so far did not do (`SignInGate`'s
   * `second_factor`: an organization's provider that says it did none, a passkey without user
   * verification) from someone with an authenticator here: the second step's page, and the
   * sign-in finishes with what it had plus the factor.
   */
  async secondFactorFor(
    uid: string,
    csrf: string,
    user: SignedInUser,
    amr: readonly string[],
    request: SignInLanguage,
  ): Promise<StepOutcome> {
    const language = await this.personal(user.id, request);
    const known = amr.flatMap((value) => {
      const parsed = AmrValue.safeParse(value);
      return parsed.success ? [parsed.data] : [];
    });
    const pending = this.seal(uid, { u: user.id, t: user.tenant_id, e: user.email, amr: known, next: 'mfa' });
    return this.secondFactorPage(uid, csrf, user, pending, language);
  }

  /** The first page's "Sign in with a passkey" options (a challenge for this interaction), when passkeys are on. */
  passwordlessOptions(uid: string): Promise<string | undefined> {
    return this.o.passkeys ? this.o.passkeys.passwordlessOptions(uid) : Promise.resolve(undefined);
  }

  /**
   * "Sign in with a passkey" on the first page: the passkey says who it is. A refusal goes back
   * to the first page with its reason.
   */
  async passwordless(
    uid: string,
    csrf: string,
    credential: string,
    ip: string,
    request: SignInLanguage,
  ): Promise<StepOutcome | { kind: 'refused'; status: number; error: string }> {
    if (!this.o.passkeys) return { kind: 'expired' };
    const check = await this.o.passkeys.verify(uid, credential, ip);
    if (!check.ok) return { kind: 'refused', status: check.status, error: passkeyRefusalText(check, request) };
    const language = await this.personal(check.user.id, request);
    // User verification is required here: the passkey is something the person has, unlocked by
    // something they know or are (WebAuthn does not say whether PIN or biometrics: `pin`).
    const amr: Pending['amr'] = check.userVerified ? ['hwk', 'pin', 'mfa'] : ['hwk', 'user'];
    return this.afterFactors(uid, csrf, check.user, amr, language);
  }

  private async afterFactors(
    uid: string,
    csrf: string,
    user: SignedInUser,
    amr: Pending['amr'],
    language: SignInLanguage,
  ): Promise<StepOutcome> {
    const row = await this.o.db
      .selectFrom('users')
      .select('must_change_password')
      .where('id', '=', user.id)
      .executeTakeFirst();
    // A federated sign-in used no password here, so it is not the moment to change one.
    if (row?.must_change_password && !amr.includes('fed')) {
      const pending = this.seal(uid, { u: user.id, t: user.tenant_id, e: user.email, amr, next: 'new_password' });
      return {
        kind: 'page',
        status: 200,
        html: renderNewPasswordPage({ uid, csrf, pending, language, minLength: PASSWORD_MIN_LENGTH }),
      };
    }
    return { kind: 'finish', user, amr };
  }

  /** A later step's form (already CSRF-checked by the route). */
  async handle(uid: string, csrf: string, form: StepForm, ip: string, request: SignInLanguage): Promise<StepOutcome> {
    const pending = this.open(uid, form.pending);
    if (!pending || pending.next !== (form.step === 'passkey' ? 'mfa' : form.step)) return { kind: 'expired' };
    const user = { id: pending.u, tenant_id: pending.t, email: pending.e };
    const language = await this.personal(user.id, request);
    const { t } = language;
    const again = async (status: number, error: string, next: Pending = pending): Promise<StepOutcome> => {
      const token = this.seal(uid, { u: next.u, t: next.t, e: next.e, amr: next.amr, next: next.next });
      if (next.next === 'mfa') return this.secondFactorPage(uid, csrf, user, token, language, status, error);
      const model = { uid, csrf, pending: token, error, language };
      return { kind: 'page', status, html: renderNewPasswordPage({ ...model, minLength: PASSWORD_MIN_LENGTH }) };
    };

    if (form.step === 'passkey') {
      if (!this.o.passkeys) return { kind: 'expired' };
      const check = await this.o.passkeys.verify(uid, form.credential ?? '', ip, user);
      if (!check.ok) return again(check.status, passkeyRefusalText(check, language));
      return this.afterFactors(uid, csrf, user, withFactors(pending.amr, 'hwk', 'mfa'), language);
    }

    if (form.step === 'mfa') {
      const code = (form.code ?? '').replace(/\s+/g, '');
      if (!code) return again(400, t('mfa.codeMissing'));
      const attempt = await this.o.limits.reserve(user.id, ip);
      if (!attempt.ok)
        return again(429, t('signIn.tooManyAttempts', { duration: language.seconds(attempt.retryAfterSeconds) }));
      const factor = await this.o.mfa.verify(user.id, code);
      if (!factor) {
        await this.o.audit.record({
          tenantId: user.tenant_id,
          actor: { type: 'user', id: user.id },
          action: 'signin.mfa_failed',
          ip,
        });
        const wait = attempt.waitIfFailedSeconds;
        return again(401, wait > 0 ? t('mfa.codeWrongWait', { duration: language.seconds(wait) }) : t('mfa.codeWrong'));
      }
      await attempt.succeeded();
      if (factor === 'recovery') {
        await this.o.audit.record({
          tenantId: user.tenant_id,
          actor: { type: 'user', id: user.id },
          action: 'signin.recovery_code_used',
          target: { type: 'user', id: user.id },
          ip,
        });
      }
      const factors = factor === 'otp' ? withFactors(pending.amr, 'otp', 'mfa') : withFactors(pending.amr, 'mfa');
      return this.afterFactors(uid, csrf, user, factors, language);
    }

    const password = form.newPassword ?? '';
    if (password !== (form.confirmPassword ?? '')) return again(400, t('newPassword.mismatch'));
    const problem = passwordProblem(password);
    if (problem === 'too_short') return again(400, t('newPassword.minLength', { count: PASSWORD_MIN_LENGTH }));
    if (problem === 'common') return again(400, t('newPassword.common'));
    await this.o.account.setPassword(user.tenant_id, user.id, password, {
      tenantId: user.tenant_id,
      actor: { type: 'user', id: user.id },
      action: 'user.password_changed',
      target: { type: 'user', id: user.id },
      ip,
      data: { atSignIn: true },
    });
    return { kind: 'finish', user, amr: pending.amr };
  }
}

/** A refused passkey in the page's language. */
function passkeyRefusalText(check: Exclude<PasskeyCheck, { ok: true }>, language: SignInLanguage): string {
  if (check.reason === 'rate_limited')
    return language.t('signIn.tooManyAttempts', { duration: language.seconds(check.retryAfterSeconds) });
  if (check.reason === 'disabled') return language.t('signIn.disabled');
  return language.t(`passkey.${check.reason}`);
}

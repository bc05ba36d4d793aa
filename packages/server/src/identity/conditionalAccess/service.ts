/**
 * @module identity/conditionalAccess/service
 * Conditional access on the server: the administrators' policies and named locations (CRUD
 * for `settings.manage`, audited before → after), What if, the sign-in log (`reports.read`),
 * and the enforcement the rest of the server calls: at sign-in and at each session action
 * (creating a session, redeeming a code, a remote launch, full control) and for the admin
 * center's API. Every enforcement is evaluated afresh (a policy switched on applies to the very
 * next request) and written to the sign-in log; a blocked one throws the typed error of the
 * first unmet requirement, whose message says what the person can do.
 */
import type {
  CaApp,
  CaContext,
  CaDecision,
  CaDeviceState,
  CaEvent,
  CaPlatform,
  CaPolicy,
  CaPolicyInput,
  CaRequirement,
  ErrorCode,
  NamedLocation,
  NamedLocationInput,
  SignInLogList,
  SignInLogQuery,
  WhatIfRequest,
  WhatIfResponse,
} from '@remote-help/protocol';
import { BUILT_IN_ROLE_IDS } from '@remote-help/protocol';
import type { AuditEntry, AuditLog } from '../../audit/audit.js';
import { byPerson } from '../../audit/audit.js';
import type { Db } from '../../db/client.js';
import { AppError, errors } from '../../errors.js';
import { newId } from '../../ids.js';
import type { Clock } from '../../time.js';
import { iso } from '../../time.js';
import type { Principal } from '../principal.js';
import { can } from '../principal.js';
import { assertHolds } from '../../rbac/delegation.js';
import { permissionsOf } from '../../rbac/policy.js';
import { evaluateConditionalAccess, targets } from './evaluate.js';
import { bodyOf, locationOf, policyOf, type ConditionalAccessRepo } from './repo.js';

/** Most policies and named locations one organization may have. */
export const MAX_CA_POLICIES = 100;
export const MAX_NAMED_LOCATIONS = 200;

/** Who is asking, as enforcement sees them: a principal, or a person in the middle of signing in. */
export interface CaActor {
  userId: string;
  tenantId: string;
  ip: string | null;
  client: 'web' | 'agent';
  /** How they signed in (RFC 8176); empty when unknown. */
  amr?: readonly string[];
  /** When they entered their credentials (ms), or null when unknown. */
  authTime?: number | null;
  userAgent?: string | null;
}

/** The device a request comes from, when the server knows it (the agent's enrolled device). */
export interface CaDevice {
  id: string | null;
  state: CaDeviceState;
  platform: CaPlatform | null;
}

export interface CaRequest {
  event: CaEvent;
  app: CaApp;
  actor: CaActor;
  device?: CaDevice | null;
  /** Sign-in: device controls wait for the session actions, where a device proves itself. */
  deferDeviceControls?: boolean;
}

export interface ConditionalAccessDeps {
  db: Db;
  repo: ConditionalAccessRepo;
  audit: AuditLog;
  clock: Clock;
}

/** The device platform a browser's User-Agent names (`unknown` when it names none). */
export function platformOfUserAgent(userAgent: string | null | undefined): CaPlatform {
  const ua = userAgent ?? '';
  if (/Android/i.test(ua)) return 'android';
  if (/iPhone|iPad|iPod/i.test(ua)) return 'ios';
  if (/CrOS/.test(ua)) return 'chromeos';
  if (/Windows/i.test(ua)) return 'windows';
  if (/Macintosh|Mac OS X/i.test(ua)) return 'macos';
  if (/Linux|X11/i.test(ua)) return 'linux';
  return 'unknown';
}

/** The device state of an enrolled device from its stored compliance: not evaluated is not compliant. */
export function deviceStateOf(device: { compliance: string; revoked_at: string | null } | undefined): CaDeviceState {
  if (!device || device.revoked_at) return 'unenrolled';
  return device.compliance === 'compliant' ? 'compliant' : 'noncompliant';
}

const ERROR_OF: Record<CaRequirement, ErrorCode> = {
  block: 'access_blocked',
  compliantDevice: 'compliant_device_required',
  enrolledDevice: 'enrolled_device_required',
  signInFrequency: 'reauthentication_required',
  mfa: 'mfa_required',
};

const ADVICE: Record<CaRequirement, string> = {
  block: 'Ask your administrator if you think you need access.',
  compliantDevice: 'Use a device enrolled in your organization that meets its compliance policies.',
  enrolledDevice: 'Use the Remote Help app on a device enrolled in your organization.',
  signInFrequency: 'Sign in again.',
  mfa: 'Set up multi-factor authentication (Security info), then sign in again with it.',
};

/** The typed error for a blocked decision: the first unmet requirement, the policies that failed. */
export function accessError(decision: CaDecision): AppError {
  const first = decision.unmet[0] ?? 'block';
  const names = decision.policies.filter((p) => p.state === 'on' && p.result === 'failure').map((p) => p.name);
  const by = names.length > 0 ? ` (${names.map((n) => `“${n}”`).join(', ')})` : '';
  return new AppError(
    ERROR_OF[first],
    `Your organization’s conditional access${by} does not allow this. ${ADVICE[first]}`,
    { unmet: decision.unmet, policies: names },
  );
}

export class ConditionalAccessService {
  constructor(private readonly d: ConditionalAccessDeps) {}

  private assertMayManage(principal: Principal): void {
    if (!can(principal, 'settings.manage')) {
      throw errors.forbidden('Your role does not allow you to manage conditional access.');
    }
  }

  // Policies

  async listPolicies(principal: Principal): Promise<CaPolicy[]> {
    this.assertMayManage(principal);
    return this.d.repo.policies(principal.tenantId);
  }

  async createPolicy(principal: Principal, input: CaPolicyInput): Promise<CaPolicy> {
    this.assertMayManage(principal);
    await this.assertReferences(principal.tenantId, input);
    await this.assertNoLockout(principal, input);
    await this.assertMayBind(principal, [input]);
    if ((await this.d.repo.countPolicies(principal.tenantId)) >= MAX_CA_POLICIES) {
      throw new AppError(
        'bad_request',
        `An organization can have at most ${MAX_CA_POLICIES} conditional access policies.`,
      );
    }
    const now = iso(this.d.clock.now());
    const row = {
      id: newId(),
      tenant_id: principal.tenantId,
      name: input.name,
      state: input.state,
      body: bodyOf(input),
      created_at: now,
      updated_at: now,
    };
    await this.changed(principal, 'ca_policy.created', 'ca_policy', row.id, null, input, (repo) =>
      repo.insertPolicy(row),
    );
    return policyOf(row);
  }

  async updatePolicy(principal: Principal, id: string, input: CaPolicyInput): Promise<CaPolicy> {
    this.assertMayManage(principal);
    await this.assertReferences(principal.tenantId, input);
    await this.assertNoLockout(principal, input);
    const before = await this.d.repo.findPolicy(principal.tenantId, id);
    if (!before) throw errors.notFound('Conditional access policy');
    await this.assertMayBind(principal, [policyOf(before), input]);
    const changes = { name: input.name, state: input.state, body: bodyOf(input), updated_at: iso(this.d.clock.now()) };
    await this.changed(
      principal,
      'ca_policy.updated',
      'ca_policy',
      id,
      inputOf(policyOf(before)),
      input,
      async (repo) => {
        if (!(await repo.updatePolicy(principal.tenantId, id, changes)))
          throw errors.notFound('Conditional access policy');
      },
    );
    return policyOf({ ...before, ...changes });
  }

  async deletePolicy(principal: Principal, id: string): Promise<void> {
    this.assertMayManage(principal);
    const before = await this.d.repo.findPolicy(principal.tenantId, id);
    if (!before) throw errors.notFound('Conditional access policy');
    await this.assertMayBind(principal, [policyOf(before)]);
    await this.changed(
      principal,
      'ca_policy.deleted',
      'ca_policy',
      id,
      inputOf(policyOf(before)),
      null,
      async (repo) => {
        if (!(await repo.removePolicy(principal.tenantId, id))) throw errors.notFound('Conditional access policy');
      },
    );
  }

  // Named locations

  async listLocations(principal: Principal): Promise<NamedLocation[]> {
    this.assertMayManage(principal);
    return this.d.repo.locations(principal.tenantId);
  }

  async createLocation(principal: Principal, input: NamedLocationInput): Promise<NamedLocation> {
    this.assertMayManage(principal);
    if ((await this.d.repo.locations(principal.tenantId)).length >= MAX_NAMED_LOCATIONS) {
      throw new AppError('bad_request', `An organization can have at most ${MAX_NAMED_LOCATIONS} named locations.`);
    }
    const now = iso(this.d.clock.now());
    const row = {
      id: newId(),
      tenant_id: principal.tenantId,
      name: input.name,
      ranges: JSON.stringify(input.ranges),
      trusted: input.trusted ? 1 : 0,
      created_at: now,
      updated_at: now,
    };
    await this.changed(principal, 'named_location.created', 'named_location', row.id, null, input, (repo) =>
      repo.insertLocation(row),
    );
    return locationOf(row);
  }

  async updateLocation(principal: Principal, id: string, input: NamedLocationInput): Promise<NamedLocation> {
    this.assertMayManage(principal);
    const before = await this.d.repo.findLocation(principal.tenantId, id);
    const at = iso(this.d.clock.now());
    if (!before) throw errors.notFound('Named location');
    const { name, ranges, trusted } = locationOf(before);
    await this.changed(
      principal,
      'named_location.updated',
      'named_location',
      id,
      { name, ranges, trusted },
      input,
      async (repo) => {
        if (!(await repo.updateLocation(principal.tenantId, id, input, at))) throw errors.notFound('Named location');
      },
    );
    return { ...locationOf(before), ...input, updatedAt: at };
  }

  async deleteLocation(principal: Principal, id: string): Promise<void> {
    this.assertMayManage(principal);
    const before = await this.d.repo.findLocation(principal.tenantId, id);
    if (!before) throw errors.notFound('Named location');
    const users = (await this.d.repo.policies(principal.tenantId)).filter((p) => {
      const where = p.conditions.locations;
      return (
        where !== null && (where.include === 'any' ? where.exclude : [...where.include, ...where.exclude]).includes(id)
      );
    });
    if (users.length > 0) {
      throw new AppError(
        'conflict',
        `The named location is used by ${users.map((p) => `“${p.name}”`).join(', ')}. Remove it from those policies first.`,
      );
    }
    const { name, ranges, trusted } = locationOf(before);
    await this.changed(
      principal,
      'named_location.deleted',
      'named_location',
      id,
      { name, ranges, trusted },
      null,
      async (repo) => {
        if (!(await repo.removeLocation(principal.tenantId, id))) throw errors.notFound('Named location');
      },
    );
  }

  // What if and the log

  async whatIf(principal: Principal, request: WhatIfRequest): Promise<WhatIfResponse> {
    this.assertMayManage(principal);
    const user = await this.userLabel(principal.tenantId, request.userId);
    if (!user) throw errors.notFound('User');
    const context: CaContext = {
      app: request.app,
      clientApp: request.clientApp,
      platform: request.platform,
      ip: request.ip,
      deviceState: request.deviceState,
      amr: request.mfa ? ['pwd', 'mfa'] : ['pwd'],
    };
    const now = this.d.clock.now();
    return { ...(await this.decide(principal.tenantId, request.userId, context, now, now)), context };
  }

  async signIns(principal: Principal, query: SignInLogQuery): Promise<SignInLogList> {
    if (!can(principal, 'reports.read')) throw errors.forbidden('Your role does not allow you to see the sign-in log.');
    return this.d.repo.signIns(principal.tenantId, query);
  }

  // Enforcement

  /**
   * Evaluates a request against the organization's policies and writes the result to the
   * sign-in log (`logAllowed: false`: only a refusal, for the admin center's every call).
   */
  async evaluate(request: CaRequest, { logAllowed = true }: { logAllowed?: boolean } = {}): Promise<CaDecision> {
    const { actor, device } = request;
    const now = this.d.clock.now();
    const context: CaContext = {
      app: request.app,
      clientApp: actor.client === 'agent' ? 'agent' : 'browser',
      platform: device?.platform ?? (actor.client === 'agent' ? 'unknown' : platformOfUserAgent(actor.userAgent)),
      ip: actor.ip,
      deviceState: device?.state ?? (actor.client === 'agent' ? 'unenrolled' : 'unknown'),
      amr: [...(actor.amr ?? [])],
    };
    const decision = await this.decide(
      actor.tenantId,
      actor.userId,
      context,
      actor.authTime ?? null,
      now,
      request.deferDeviceControls ?? false,
    );
    // Nothing to log for an organization without policies: every request would be allowed by nothing.
    if (decision.policies.length === 0 || (!logAllowed && decision.decision === 'allowed')) return decision;
    const user = await this.userLabel(actor.tenantId, actor.userId);
    await this.d.repo.log({
      id: newId(),
      tenant_id: actor.tenantId,
      at: iso(now),
      event: request.event,
      user_id: actor.userId,
      user_name: user?.display_name ?? null,
      email: user?.email ?? null,
      app: context.app,
      client_app: context.clientApp,
      platform: context.platform,
      ip: context.ip,
      device_id: device?.id ?? null,
      device_state: context.deviceState,
      amr: JSON.stringify(context.amr),
      decision: decision.decision,
      unmet: JSON.stringify(decision.unmet),
      policies: JSON.stringify(decision.policies),
    });
    return decision;
  }

  /** Evaluates and logs a request; throws the typed error of its first unmet requirement when blocked. */
  async enforce(request: CaRequest, options: { logAllowed?: boolean } = {}): Promise<void> {
    const decision = await this.evaluate(request, options);
    if (decision.decision === 'blocked') throw accessError(decision);
  }

  private async decide(
    tenantId: string,
    userId: string,
    context: CaContext,
    authTime: number | null,
    now: number,
    deferDeviceControls = false,
  ): Promise<CaDecision> {
    // Every session action and admin-center call comes here: an organization with no policy in
    // force (most) costs one query, not three.
    const policies = (await this.d.repo.policies(tenantId)).filter((p) => p.state !== 'off');
    if (policies.length === 0) return { decision: 'allowed', unmet: [], policies: [] };
    const [locations, subject] = await Promise.all([
      this.d.repo.locations(tenantId),
      this.d.repo.subjectOf(tenantId, userId),
    ]);
    return evaluateConditionalAccess({
      policies,
      locations,
      subject: { userId, ...subject },
      context,
      authTime,
      now,
      deferDeviceControls,
    });
  }

  private userLabel(tenantId: string, userId: string) {
    return this.d.db
      .selectFrom('users')
      .select(['display_name', 'email'])
      .where('tenant_id', '=', tenantId)
      .where('id', '=', userId)
      .executeTakeFirst();
  }

  /**
   * An administrator cannot switch on a policy that would shut them out of the admin center as
   * they are signed in now (the way back would be the database): they exclude themselves, or
   * start it in Report-only and read the sign-in log first.
   */
  private async assertNoLockout(principal: Principal, input: CaPolicyInput): Promise<void> {
    if (input.state !== 'on') return;
    const now = this.d.clock.now();
    const [locations, subject] = await Promise.all([
      this.d.repo.locations(principal.tenantId),
      this.d.repo.subjectOf(principal.tenantId, principal.userId),
    ]);
    const policy: CaPolicy = { ...input, id: 'new', createdAt: '', updatedAt: '' };
    const decision = evaluateConditionalAccess({
      policies: [policy],
      locations,
      subject: { userId: principal.userId, ...subject },
      context: {
        app: 'admin',
        clientApp: principal.client === 'agent' ? 'agent' : 'browser',
        platform: platformOfUserAgent(principal.userAgent),
        ip: principal.ip,
        deviceState: 'unknown',
        amr: [...(principal.amr ?? [])],
      },
      authTime: principal.authTime ?? null,
      now,
    });
    if (decision.decision === 'blocked') {
      throw new AppError(
        'validation_failed',
        'This policy would lock you out of the admin center as you are signed in now. Exclude yourself (or a group you are in), or turn it on in Report-only first.',
        { lockout: true, unmet: decision.unmet },
      );
    }
  }

  /**
   * A policy in force binds the people it targets: it can block them, or it protects them
   * (MFA, a compliant device). Putting one in force, changing one or deleting one (each of
   * `policies`, before and after, that is on) needs every permission of everyone it targets, as
   * acting on a person's account does (`rbac/delegation`): else `settings.manage` alone could
   * block every administrator out of the admin center (docs/security.md N8), or take away their
   * second factor. Conditions are left aside: the people are those its users assignment takes in.
   */
  private async assertMayBind(principal: Principal, policies: readonly Pick<CaPolicyInput, 'state' | 'users'>[]) {
    const binding = policies.filter((p) => p.state === 'on');
    if (binding.length === 0) return;
    const people = await this.d.repo.people(principal.tenantId);
    const bound = people.filter((person) => binding.some((p) => targets(p.users, person)));
    assertHolds(
      principal,
      permissionsOf(bound.flatMap((person) => person.grants)),
      'You cannot put in force, change or delete a conditional access policy that binds someone who holds more than you',
    );
  }

  /** Users, groups, roles and named locations a policy names must exist in the organization. */
  private async assertReferences(tenantId: string, input: CaPolicyInput): Promise<void> {
    const { include, exclude } = input.users;
    if (
      include.kind === 'selected' &&
      include.userIds.length + include.groupIds.length + include.roleIds.length === 0
    ) {
      throw new AppError('validation_failed', 'Select at least one user, group or role, or choose all users.', {
        field: 'users',
      });
    }
    const userIds = [...(include.kind === 'selected' ? include.userIds : []), ...exclude.userIds];
    const groupIds = [...(include.kind === 'selected' ? include.groupIds : []), ...exclude.groupIds];
    const roleIds = [...(include.kind === 'selected' ? include.roleIds : []), ...exclude.roleIds];
    const where = input.conditions.locations;
    const locationIds = (where ? [...(where.include === 'any' ? [] : where.include), ...where.exclude] : []).filter(
      (ref) => ref !== 'trusted',
    );
    const known = async (table: 'users' | 'rbac_groups' | 'rbac_roles' | 'named_locations', ids: string[]) => {
      if (ids.length === 0) return new Set<string>();
      let query = this.d.db
        .selectFrom(table)
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('id', 'in', [...new Set(ids)]);
      if (table === 'rbac_groups') query = query.where('kind' as never, '=', 'user' as never);
      return new Set((await query.execute()).map((r) => r.id));
    };
    const [users, groups, roles, locations] = await Promise.all([
      known('users', userIds),
      known('rbac_groups', groupIds),
      known('rbac_roles', roleIds),
      known('named_locations', locationIds),
    ]);
    const builtIn = new Set<string>(BUILT_IN_ROLE_IDS);
    const missing = [
      ...userIds.filter((id) => !users.has(id)).map((id) => `user ${id}`),
      ...groupIds.filter((id) => !groups.has(id)).map((id) => `user group ${id}`),
      ...roleIds.filter((id) => !roles.has(id) && !builtIn.has(id)).map((id) => `role ${id}`),
      ...locationIds.filter((id) => !locations.has(id)).map((id) => `named location ${id}`),
    ];
    if (missing.length > 0) {
      throw new AppError(
        'validation_failed',
        `The policy names what this organization does not have: ${missing.join(', ')}.`,
        {
          missing,
        },
      );
    }
  }

  /**
   * Runs `work` on the repository bound to one transaction and audits it there: the change and
   * its record commit together or not at all (`AuditLog.together`).
   */
  private async changed(
    principal: Principal,
    action: AuditEntry['action'],
    type: 'ca_policy' | 'named_location',
    id: string,
    before: unknown,
    after: unknown,
    work: (repo: ConditionalAccessRepo) => Promise<void>,
  ): Promise<void> {
    await this.d.audit.together(
      (db) => work(this.d.repo.on(db)),
      () => byPerson(principal, action, { type, id }, { before, after }),
    );
  }
}

function inputOf(policy: CaPolicy): CaPolicyInput {
  const { id: _id, createdAt: _c, updatedAt: _u, ...input } = policy;
  return input;
}

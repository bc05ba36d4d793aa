/**
 * @module api/endpoints
 * Every HTTP endpoint under `/api`, declared once. The key of each entry is the endpoint's
 * `name`. Outside the contract (not JSON APIs, or not under `/api`): the WebSocket upgrades
 * `/api/v1/ws` and `/api/v1/devices/ws` (their frames are in `signaling.ts` and `devices.ts`),
 * the relying party `/auth/*`, the embedded IdP `/oidc/*` and `/signin/*`, static files.
 */
import * as account from './account.js';
import * as agentUpdates from './agentUpdates.js';
import * as chat from './chat.js';
import * as conditionalAccess from './conditionalAccess.js';
import * as devices from './devices.js';
import * as domains from './domains.js';
import * as identity from './identity.js';
import * as meta from './meta.js';
import * as passkeys from './passkeys.js';
import * as rbac from './rbac.js';
import * as reports from './reports.js';
import * as sessions from './sessions.js';
import * as settings from './settings.js';
import * as userIdentities from './userIdentities.js';
import * as users from './users.js';

export const API = {
  getMe: users.getMe,
  setMyLanguage: users.setMyLanguage,
  getUserPhoto: users.getUserPhoto,
  setUserPhoto: users.setUserPhoto,
  deleteUserPhoto: users.deleteUserPhoto,
  setMyPhoto: users.setMyPhoto,
  deleteMyPhoto: users.deleteMyPhoto,
  createSession: sessions.createSession,
  listSessions: sessions.listSessions,
  redeemCode: sessions.redeemCode,
  getSession: sessions.getSession,
  requestMode: sessions.requestMode,
  respond: sessions.respond,
  dropControl: sessions.dropControl,
  setSharerStatus: sessions.setSharerStatus,
  leaveSession: sessions.leaveSession,
  getChatThread: chat.getChatThread,
  createEnrollmentToken: devices.createEnrollmentToken,
  listEnrollmentTokens: devices.listEnrollmentTokens,
  revokeEnrollmentToken: devices.revokeEnrollmentToken,
  enrollDevice: devices.enrollDevice,
  checkIn: devices.checkIn,
  listDevices: devices.listDevices,
  getDevice: devices.getDevice,
  revokeDevice: devices.revokeDevice,
  launchOnDevice: devices.launchOnDevice,
  acceptLaunch: devices.acceptLaunch,
  dismissLaunch: devices.dismissLaunch,
  getAgentUpdate: agentUpdates.getAgentUpdate,
  getAgentUpdatePolicy: agentUpdates.getAgentUpdatePolicy,
  updateAgentUpdatePolicy: agentUpdates.updateAgentUpdatePolicy,
  getAgentVersions: agentUpdates.getAgentVersions,
  getTenantSettings: settings.getTenantSettings,
  updateTenantSettings: settings.updateTenantSettings,
  listCompliancePolicies: settings.listCompliancePolicies,
  createCompliancePolicy: settings.createCompliancePolicy,
  updateCompliancePolicy: settings.updateCompliancePolicy,
  deleteCompliancePolicy: settings.deleteCompliancePolicy,
  getComplianceStatus: settings.getComplianceStatus,
  listCaPolicies: conditionalAccess.listCaPolicies,
  createCaPolicy: conditionalAccess.createCaPolicy,
  updateCaPolicy: conditionalAccess.updateCaPolicy,
  deleteCaPolicy: conditionalAccess.deleteCaPolicy,
  listNamedLocations: conditionalAccess.listNamedLocations,
  createNamedLocation: conditionalAccess.createNamedLocation,
  updateNamedLocation: conditionalAccess.updateNamedLocation,
  deleteNamedLocation: conditionalAccess.deleteNamedLocation,
  whatIf: conditionalAccess.whatIf,
  listSignIns: conditionalAccess.listSignIns,
  getOpenApi: meta.getOpenApi,
  getApiDocs: meta.getApiDocs,
  listGroups: rbac.listGroups,
  getGroup: rbac.getGroup,
  createGroup: rbac.createGroup,
  updateGroup: rbac.updateGroup,
  setGroupMembers: rbac.setGroupMembers,
  deleteGroup: rbac.deleteGroup,
  listRoles: rbac.listRoles,
  getRole: rbac.getRole,
  createRole: rbac.createRole,
  updateRole: rbac.updateRole,
  deleteRole: rbac.deleteRole,
  listAssignments: rbac.listAssignments,
  getAssignment: rbac.getAssignment,
  createAssignment: rbac.createAssignment,
  replaceAssignment: rbac.replaceAssignment,
  deleteAssignment: rbac.deleteAssignment,
  listUsers: rbac.listUsers,
  getUser: rbac.getUser,
  createUser: rbac.createUser,
  updateUser: rbac.updateUser,
  resetPassword: rbac.resetPassword,
  listSessionReports: reports.listSessionReports,
  exportSessionReportsCsv: reports.exportSessionReportsCsv,
  listLiveSessions: reports.listLiveSessions,
  endSessionAsAdmin: reports.endSessionAsAdmin,
  listAuditEvents: reports.listAuditEvents,
  exportAuditCsv: reports.exportAuditCsv,
  verifyAudit: reports.verifyAudit,
  listIdentityProviders: identity.listIdentityProviders,
  getIdentityProvider: identity.getIdentityProvider,
  createIdentityProvider: identity.createIdentityProvider,
  updateIdentityProvider: identity.updateIdentityProvider,
  deleteIdentityProvider: identity.deleteIdentityProvider,
  listDomains: domains.listDomains,
  addDomain: domains.addDomain,
  verifyDomain: domains.verifyDomain,
  removeDomain: domains.removeDomain,
  getMySecurityInfo: account.getMySecurityInfo,
  startMfaEnrollment: account.startMfaEnrollment,
  confirmMfaEnrollment: account.confirmMfaEnrollment,
  removeMyMfa: account.removeMyMfa,
  changeMyPassword: account.changeMyPassword,
  resetUserMfa: account.resetUserMfa,
  signOutUserEverywhere: account.signOutUserEverywhere,
  listMyPasskeys: passkeys.listMyPasskeys,
  startPasskeyRegistration: passkeys.startPasskeyRegistration,
  finishPasskeyRegistration: passkeys.finishPasskeyRegistration,
  renameMyPasskey: passkeys.renameMyPasskey,
  removeMyPasskey: passkeys.removeMyPasskey,
  listUserPasskeys: passkeys.listUserPasskeys,
  removeUserPasskeys: passkeys.removeUserPasskeys,
  listUserIdentities: userIdentities.listUserIdentities,
  unlinkUserIdentity: userIdentities.unlinkUserIdentity,
  // Last: the authorization matrix calls it for each person, and it ends their other sign-ins.
  signOutEverywhere: account.signOutEverywhere,
} as const;

export type Api = typeof API;
export type EndpointName = keyof Api;

/** Every endpoint, in declaration order. */
export const ENDPOINTS = Object.values(API);

/** WebSocket upgrades under `/api`: registered by the server, outside the contract. */
export const API_WEBSOCKETS = ['/api/v1/ws', '/api/v1/devices/ws'] as const;

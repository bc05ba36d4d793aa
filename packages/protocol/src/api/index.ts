/**
 * @module api
 * The API contract: endpoint declarations, the client core, the one `ApiError` and the
 * OpenAPI generator.
 */
export * from './contract.js';
export * from './endpoints.js';
export { DeviceListResponse } from './devices.js';
export { CompliancePolicyResponse } from './settings.js';
export {
  ClaimMapping,
  EmailDomain,
  GroupMapping,
  IdentityProvider,
  IdentityProviderInput,
  IdentityProviderList,
  IdentityProviderResponse,
  IssuerUrl,
} from './identity.js';
export {
  AddDomainRequest,
  DOMAIN_TXT_PREFIX,
  DOMAIN_TXT_VALUE_PREFIX,
  DomainName,
  DomainProof,
  TenantDomain,
  TenantDomainList,
  TenantDomainResponse,
  normalizeDomain,
} from './domains.js';
export {
  ChangePasswordRequest,
  ConfirmMfaRequest,
  MfaEnrollment,
  PASSWORD_MIN_LENGTH,
  RECOVERY_CODE_COUNT,
  RecoveryCodes,
  SecurityInfo,
} from './account.js';
export {
  FinishPasskeyRegistrationRequest,
  MyPasskeys,
  PASSKEY_CHALLENGE_MINUTES,
  PASSKEY_NAME_MAX,
  PASSKEY_RECENT_SIGN_IN_MINUTES,
  PASSKEYS_PER_USER_MAX,
  Passkey,
  PasskeyAuthenticationResponse,
  PasskeyCreationOptions,
  PasskeyName,
  PasskeyRegistrationResponse,
  PasskeyTransport,
  RenamePasskeyRequest,
  StartPasskeyRegistrationRequest,
  UserPasskeys,
} from './passkeys.js';
export { UserIdentity, UserIdentityList, UserIdentityParams } from './userIdentities.js';
export * from './ApiError.js';
export * from './client.js';
export * from './openapi.js';

/**
 * @module SignInAgainLink
 * The way out of a refusal that a new sign-in fixes: a conditional access policy asks for
 * multi-factor authentication or for a more recent sign-in, or the sign-in itself ended (signed
 * out everywhere, by an administrator, or a password reset: the server closed the connection). The link signs in again and comes
 * back to this page; the sign-in itself offers to set up an authenticator app when one is missing.
 * Renders nothing for any other failure.
 */
import { useTranslation } from 'react-i18next';
import { Link } from '@fluentui/react-components';
import { ApiError } from './api';

/** The failures a new sign-in can fix. */
export function fixedBySigningIn(error: unknown): boolean {
  return (
    error instanceof ApiError &&
    (error.code === 'mfa_required' ||
      error.code === 'reauthentication_required' ||
      error.code === 'authentication_required')
  );
}

/** See the module description. */
export function SignInAgainLink({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (!fixedBySigningIn(error)) return null;
  const returnTo = `${window.location.pathname}${window.location.search}`;
  const code = (error as ApiError).code;
  return (
    <Link href={`/auth/login?returnTo=${encodeURIComponent(returnTo)}`} data-testid="sign-in-again">
      {code === 'mfa_required' ? t('common.signInWithMfa') : t('common.signInAgain')}
    </Link>
  );
}

/**
 * @module TopBar
 * The header of every page: product name (home link), the language picker, the admin center
 * for those whose role grants an admin permission, the signed-in person and Sign out. Signing out during a live help
 * session asks first (`SignOutDialog`) and leaves the session before the sign-out; a code nobody
 * has entered yet is withdrawn on the way.
 * Signing in is offered by the pages that need it (one Sign in button per page).
 */
import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import {
  Avatar,
  Button,
  createFocusOutlineStyle,
  makeStyles,
  mergeClasses,
  Text,
  tokens,
} from '@fluentui/react-components';
import { ShareScreenPersonRegular, ShieldKeyholeRegular, SignOutRegular } from '@fluentui/react-icons';
import { canOpenAdmin } from '../admin/sections';
import { leaveSession } from './endpoints';
import { LanguagePicker } from './LanguagePicker';
import { signOutEndsHelp, useLiveSession } from './liveSession';
import { useMe } from './meContext';
import { SignOutDialog } from './SignOutDialog';
import { useAsyncAction } from './useAsyncAction';
import { errorText } from './errorText';

const useStyles = makeStyles({
  bar: {
    position: 'sticky',
    insetBlockStart: 0,
    zIndex: 1,
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalM,
    minHeight: '48px',
    paddingInline: tokens.spacingHorizontalL,
    backgroundColor: tokens.colorNeutralBackground1,
    borderBlockEndWidth: tokens.strokeWidthThin,
    borderBlockEndStyle: 'solid',
    borderBlockEndColor: tokens.colorNeutralStroke2,
    boxShadow: tokens.shadow2,
  },
  brand: {
    position: 'relative',
    display: 'inline-flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalS,
    color: tokens.colorBrandForeground1,
    textDecorationLine: 'none',
    fontSize: tokens.fontSizeBase400,
    fontWeight: tokens.fontWeightSemibold,
    borderRadius: tokens.borderRadiusMedium,
    paddingBlock: tokens.spacingVerticalXS,
    paddingInline: tokens.spacingHorizontalXS,
    whiteSpace: 'nowrap',
    ':hover': { color: tokens.colorBrandForeground2 },
  },
  focus: createFocusOutlineStyle(),
  navLink: {
    position: 'relative',
    display: 'inline-flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalXS,
    color: tokens.colorNeutralForeground2,
    textDecorationLine: 'none',
    borderRadius: tokens.borderRadiusMedium,
    paddingBlock: tokens.spacingVerticalXS,
    paddingInline: tokens.spacingHorizontalS,
    ':hover': { color: tokens.colorBrandForeground1, backgroundColor: tokens.colorNeutralBackground1Hover },
  },
  brandIcon: { fontSize: '24px' },
  spacer: { flexGrow: 1 },
  person: {
    display: 'inline-flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalS,
    minWidth: 0,
    color: 'inherit',
    textDecorationLine: 'none',
    borderRadius: tokens.borderRadiusMedium,
    paddingInline: tokens.spacingHorizontalXS,
    ':hover': { backgroundColor: tokens.colorNeutralBackground1Hover },
  },
  personName: {
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
    maxWidth: '240px',
    '@media (max-width: 600px)': { display: 'none' },
  },
  signOutLabel: { '@media (max-width: 420px)': { display: 'none' } },
  error: { color: tokens.colorPaletteRedForeground1 },
});

/** See the module description. */
export function TopBar() {
  const styles = useStyles();
  const { t } = useTranslation();
  const { state, signOut } = useMe();
  const signingOut = useAsyncAction();
  const { run } = signingOut;
  const live = useLiveSession();
  // The session the question is about: a later session does not reopen a dialog left for an earlier one.
  const [confirming, setConfirming] = useState<string | null>(null);
  const liveId = live?.id ?? null;

  const leaveAndSignOut = useCallback(() => {
    run(async () => {
      // The other side is told at once; if leaving fails, signing out still ends the session
      // once the reconnect grace has passed.
      if (liveId) await leaveSession(liveId).catch(() => undefined);
      await signOut();
    });
  }, [run, liveId, signOut]);
  const askOrSignOut = () => (signOutEndsHelp(live) ? setConfirming(liveId) : leaveAndSignOut());

  return (
    <header className={styles.bar}>
      <Link to="/" className={mergeClasses(styles.brand, styles.focus)} aria-label={t('topBar.home')}>
        <ShareScreenPersonRegular className={styles.brandIcon} aria-hidden />
        <span>{t('app.name')}</span>
      </Link>
      <div className={styles.spacer} />
      {signingOut.error ? (
        <Text role="alert" size={200} className={styles.error}>
          {errorText(t, signingOut.error)}
        </Text>
      ) : null}
      <LanguagePicker />
      {state.status === 'signedIn' && canOpenAdmin(state.me.permissions) ? (
        <Link to="/admin" className={mergeClasses(styles.navLink, styles.focus)} data-testid="admin-link">
          <ShieldKeyholeRegular aria-hidden />
          <span className={styles.signOutLabel}>{t('topBar.admin')}</span>
        </Link>
      ) : null}
      {state.status === 'signedIn' ? (
        <>
          <Link
            to="/account/security"
            className={mergeClasses(styles.person, styles.focus)}
            title={`${t('topBar.signedInAs', { name: state.me.user.displayName })} · ${t('topBar.securityInfo')}`}
            data-testid="security-info-link"
          >
            <Avatar
              size={32}
              name={state.me.user.displayName}
              image={state.me.user.photoUrl ? { src: state.me.user.photoUrl, alt: '' } : undefined}
              color="colorful"
              aria-hidden
            />
            <Text className={styles.personName} data-testid="signed-in-user">
              <bdi>{state.me.user.displayName}</bdi>
            </Text>
          </Link>
          <Button
            appearance="subtle"
            icon={<SignOutRegular />}
            disabled={signingOut.busy}
            aria-label={t('topBar.signOut')}
            onClick={askOrSignOut}
          >
            <span className={styles.signOutLabel}>{t('topBar.signOut')}</span>
          </Button>
          <SignOutDialog
            open={confirming !== null && confirming === liveId && signOutEndsHelp(live)}
            peerName={live?.peerName ?? null}
            busy={signingOut.busy}
            onConfirm={leaveAndSignOut}
            onCancel={() => setConfirming(null)}
          />
        </>
      ) : null}
    </header>
  );
}

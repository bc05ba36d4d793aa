/**
 * @module TopBar
 * The header of every page: product name (home link), the signed-in person and Sign out.
 * Signing in is offered by the pages that need it (one Sign in button per page).
 */
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
import { ShareScreenPersonRegular, SignOutRegular } from '@fluentui/react-icons';
import { useMe } from './meContext';
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
  brandIcon: { fontSize: '24px' },
  spacer: { flexGrow: 1 },
  person: {
    display: 'inline-flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalS,
    minWidth: 0,
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
      {state.status === 'signedIn' ? (
        <>
          <div className={styles.person} title={t('topBar.signedInAs', { name: state.me.user.displayName })}>
            <Avatar
              size={32}
              name={state.me.user.displayName}
              image={state.me.user.photoUrl ? { src: state.me.user.photoUrl, alt: '' } : undefined}
              color="colorful"
              aria-hidden
            />
            <Text className={styles.personName} data-testid="signed-in-user">
              {state.me.user.displayName}
            </Text>
          </div>
          <Button
            appearance="subtle"
            icon={<SignOutRegular />}
            disabled={signingOut.busy}
            aria-label={t('topBar.signOut')}
            onClick={() => signingOut.run(signOut)}
          >
            <span className={styles.signOutLabel}>{t('topBar.signOut')}</span>
          </Button>
        </>
      ) : null}
    </header>
  );
}

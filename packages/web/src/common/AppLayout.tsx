/**
 * @module AppLayout
 * Page frame: skip link, top bar and the centered content area (the routes' outlet).
 */
import { Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Outlet } from 'react-router';
import { makeStyles, Spinner, tokens } from '@fluentui/react-components';
import { TopBar } from './TopBar';

const useStyles = makeStyles({
  root: {
    minHeight: '100vh',
    display: 'flex',
    flexDirection: 'column',
    backgroundColor: tokens.colorNeutralBackground2,
  },
  skip: {
    position: 'absolute',
    insetInlineStart: tokens.spacingHorizontalS,
    insetBlockStart: '-100px',
    zIndex: 2,
    padding: tokens.spacingHorizontalS,
    backgroundColor: tokens.colorNeutralBackground1,
    color: tokens.colorBrandForeground1,
    borderRadius: tokens.borderRadiusMedium,
    ':focus': { insetBlockStart: tokens.spacingVerticalS },
  },
  main: {
    flexGrow: 1,
    boxSizing: 'border-box',
    width: '100%',
    maxWidth: '1440px',
    marginInline: 'auto',
    paddingBlock: tokens.spacingVerticalXXL,
    paddingInline: tokens.spacingHorizontalXXL,
    outlineStyle: 'none',
    '@media (max-width: 600px)': {
      paddingBlock: tokens.spacingVerticalL,
      paddingInline: tokens.spacingHorizontalS,
    },
  },
  loading: { paddingBlock: tokens.spacingVerticalXXXL },
});

/** See the module description. */
export function AppLayout() {
  const styles = useStyles();
  const { t } = useTranslation();
  return (
    <div className={styles.root}>
      <a href="#main" className={styles.skip}>
        {t('app.skipToContent')}
      </a>
      <TopBar />
      <main id="main" tabIndex={-1} className={styles.main}>
        <Suspense fallback={<Spinner className={styles.loading} label={t('app.loading')} />}>
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}

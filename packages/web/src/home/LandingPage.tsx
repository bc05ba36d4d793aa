/**
 * @module LandingPage
 * `/`: what Remote Help is, and the two ways in: Get help (sharers) and Give help (helpers).
 * A signed-in person whose role does not let them give help is offered Get help only.
 */
import type { ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import {
  Body1,
  createFocusOutlineStyle,
  makeStyles,
  mergeClasses,
  shorthands,
  Subtitle1,
  Text,
  Title1,
  tokens,
} from '@fluentui/react-components';
import { ChevronRightRegular, HeadsetRegular, PersonSupportRegular } from '@fluentui/react-icons';
import { canGiveHelp } from '../common/helperRights';
import { useMe } from '../common/meContext';

const useStyles = makeStyles({
  page: {
    maxWidth: '960px',
    marginInline: 'auto',
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXXL,
  },
  hero: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, textAlign: 'center' },
  title: { margin: 0 },
  tagline: { color: tokens.colorNeutralForeground2 },
  cards: {
    display: 'grid',
    gridTemplateColumns: 'repeat(2, minmax(0, 1fr))',
    gap: tokens.spacingHorizontalXL,
    '@media (max-width: 640px)': { gridTemplateColumns: 'minmax(0, 1fr)' },
  },
  single: { gridTemplateColumns: 'minmax(0, 1fr)', width: '100%', maxWidth: '480px', marginInline: 'auto' },
  card: {
    position: 'relative',
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
    minHeight: '200px',
    boxSizing: 'border-box',
    padding: tokens.spacingHorizontalXXL,
    backgroundColor: tokens.colorNeutralBackground1,
    color: tokens.colorNeutralForeground1,
    borderRadius: tokens.borderRadiusXLarge,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    boxShadow: tokens.shadow4,
    textDecorationLine: 'none',
    transitionProperty: 'box-shadow, border-color',
    transitionDuration: tokens.durationFast,
    ':hover': { boxShadow: tokens.shadow16, ...shorthands.borderColor(tokens.colorBrandStroke1) },
    '@media (max-width: 480px)': { padding: tokens.spacingHorizontalL, minHeight: 'auto' },
  },
  focus: createFocusOutlineStyle({ style: { outlineRadius: tokens.borderRadiusXLarge } }),
  icon: { fontSize: '48px', color: tokens.colorBrandForeground1 },
  cardTitle: { display: 'inline-flex', alignItems: 'center', gap: tokens.spacingHorizontalXS },
  flip: { ':dir(rtl)': { transform: 'scaleX(-1)' } },
  cardText: { color: tokens.colorNeutralForeground2 },
  signedIn: { textAlign: 'center', color: tokens.colorNeutralForeground2 },
});

interface EntryCardProps {
  to: string;
  icon: ReactElement;
  title: string;
  text: string;
  testId: string;
}

function EntryCard({ to, icon, title, text, testId }: EntryCardProps) {
  const styles = useStyles();
  return (
    <Link to={to} className={mergeClasses(styles.card, styles.focus)} data-testid={testId}>
      <span className={styles.icon} aria-hidden>
        {icon}
      </span>
      <Subtitle1 as="h2" className={mergeClasses(styles.title, styles.cardTitle)}>
        {title}
        <ChevronRightRegular className={styles.flip} aria-hidden />
      </Subtitle1>
      <Body1 className={styles.cardText}>{text}</Body1>
    </Link>
  );
}

/** See the module description. */
export function LandingPage() {
  const styles = useStyles();
  const { t } = useTranslation();
  const { state } = useMe();
  const offerGiveHelp = state.status !== 'signedIn' || canGiveHelp(state.me.permissions);
  return (
    <div className={styles.page}>
      <div className={styles.hero}>
        <Title1 as="h1" align="center" className={styles.title}>
          {t('app.name')}
        </Title1>
        <Body1 align="center" className={styles.tagline}>
          {t('home.tagline')}
        </Body1>
      </div>
      <nav className={mergeClasses(styles.cards, !offerGiveHelp && styles.single)} aria-label={t('home.choose')}>
        <EntryCard
          to="/share"
          icon={<PersonSupportRegular />}
          title={t('home.getHelp.title')}
          text={t('home.getHelp.text')}
          testId="get-help"
        />
        {offerGiveHelp ? (
          <EntryCard
            to="/help"
            icon={<HeadsetRegular />}
            title={t('home.giveHelp.title')}
            text={t('home.giveHelp.text')}
            testId="give-help"
          />
        ) : null}
      </nav>
      {state.status === 'signedIn' ? (
        <Text className={styles.signedIn}>
          {t('home.signedInAs', { name: state.me.user.displayName, email: state.me.user.email })}
        </Text>
      ) : null}
    </div>
  );
}

/**
 * @module PeerCard
 * The trust card: who is on the other side of the session, and whether their email
 * domain is one the organization has verified by DNS ("Verified"), one its administrator
 * only asserted (said so, never called verified), or neither.
 */
import { useTranslation } from 'react-i18next';
import { Avatar, Badge, Body1, Caption1, makeStyles, Subtitle1, tokens } from '@fluentui/react-components';
import { InfoFilled, MailRegular, ShieldCheckmarkFilled, WarningFilled } from '@fluentui/react-icons';
import type { PersonCard } from '@remote-help/protocol';

const useStyles = makeStyles({
  card: {
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalXL,
    padding: tokens.spacingHorizontalXL,
    borderRadius: tokens.borderRadiusLarge,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground2,
    '@media (max-width: 480px)': { flexDirection: 'column', textAlign: 'center' },
  },
  details: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXS,
    minWidth: 0,
    '@media (max-width: 480px)': { alignItems: 'center' },
  },
  name: { margin: 0, overflowWrap: 'anywhere' },
  muted: { color: tokens.colorNeutralForeground2, overflowWrap: 'anywhere' },
  email: {
    display: 'inline-flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalXS,
    color: tokens.colorNeutralForeground2,
    overflowWrap: 'anywhere',
  },
  badges: { marginBlockStart: tokens.spacingVerticalS },
  hint: { color: tokens.colorPaletteDarkOrangeForeground1, marginBlockStart: tokens.spacingVerticalXS },
});

/** Props of {@link PeerCard}. */
export interface PeerCardProps {
  person: PersonCard;
}

/** Large avatar, name, job title, company, email and the verified / asserted / unverified badge. */
export function PeerCard({ person }: PeerCardProps) {
  const styles = useStyles();
  const { t } = useTranslation();
  const organization = person.company ?? person.tenantName;
  return (
    <div
      className={styles.card}
      data-testid="peer-card"
      aria-label={t('peer.cardLabel', { name: person.displayName })}
      role="group"
    >
      <Avatar
        size={96}
        name={person.displayName}
        image={person.photoUrl ? { src: person.photoUrl, alt: '' } : undefined}
        color="colorful"
        aria-hidden
      />
      <div className={styles.details}>
        <Subtitle1 as="p" className={styles.name} data-testid="peer-name">
          <bdi>{person.displayName}</bdi>
        </Subtitle1>
        {person.jobTitle ? (
          <Body1 className={styles.muted}>
            <bdi>{person.jobTitle}</bdi>
          </Body1>
        ) : null}
        {organization ? (
          <Body1 className={styles.muted}>
            <bdi>{organization}</bdi>
          </Body1>
        ) : null}
        <Body1 className={styles.email}>
          <MailRegular aria-hidden />
          <bdi>{person.email}</bdi>
        </Body1>
        <div className={styles.badges}>
          {person.verifiedDomain ? (
            <Badge
              appearance="tint"
              color="success"
              size="large"
              icon={<ShieldCheckmarkFilled />}
              data-testid="verified-badge"
            >
              {t('peer.verified', { domain: person.verifiedDomain })}
            </Badge>
          ) : person.assertedDomain ? (
            <Badge
              appearance="tint"
              color="informative"
              size="large"
              icon={<InfoFilled />}
              data-testid="asserted-badge"
            >
              {t('peer.asserted', { domain: person.assertedDomain })}
            </Badge>
          ) : (
            <Badge
              appearance="tint"
              color="warning"
              size="large"
              icon={<WarningFilled />}
              data-testid="unverified-badge"
            >
              {t('peer.unverified')}
            </Badge>
          )}
        </div>
        {person.verifiedDomain ? null : person.assertedDomain ? (
          <Caption1 className={styles.muted}>{t('peer.assertedHint', { tenant: person.tenantName })}</Caption1>
        ) : (
          <Caption1 className={styles.hint}>{t('peer.unverifiedHint')}</Caption1>
        )}
      </div>
    </div>
  );
}

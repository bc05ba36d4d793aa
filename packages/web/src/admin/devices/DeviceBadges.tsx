/**
 * @module admin/devices/DeviceBadges
 * How the devices pages show a device's facts: OS and version, compliance, enrollment
 * status, online, dates, and a link that navigates inside the app.
 */
import type { MouseEvent, ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { Badge, Link, makeStyles, tokens } from '@fluentui/react-components';
import type { ComplianceState, DeviceView, EnrollmentStatus } from '@remote-help/protocol';
import type { TFunction } from 'i18next';

/** The OS's name ("macOS"). */
export function osName(t: TFunction, inventory: DeviceView['inventory']): string {
  return t(`admin.devices.os.${inventory.os}`);
}

/** The OS version as the device reported it ("14.5", "Debian GNU/Linux 12 (bookworm)"), or "Not reported". */
export function osVersion(t: TFunction, inventory: DeviceView['inventory']): string {
  return inventory.osVersion ?? t('admin.devices.notReported');
}

const useStyles = makeStyles({
  // A badge has a fixed one-line height: a label that wraps in a narrow column ("Not evaluated",
  // longer in other languages) was cut in half. It grows with its lines instead.
  badge: {
    height: 'auto',
    minHeight: '20px',
    whiteSpace: 'normal',
    textAlign: 'center',
    paddingBlock: tokens.spacingVerticalXXS,
  },
});

const COMPLIANCE_COLOR = { compliant: 'success', noncompliant: 'danger', not_evaluated: 'informative' } as const;

export function ComplianceBadge({ state }: { state: ComplianceState }) {
  const { t } = useTranslation();
  const styles = useStyles();
  return (
    <Badge className={styles.badge} appearance="tint" color={COMPLIANCE_COLOR[state]} data-compliance={state}>
      {t(`admin.devices.compliance.${state}`)}
    </Badge>
  );
}

export function EnrollmentBadge({ status }: { status: EnrollmentStatus }) {
  const { t } = useTranslation();
  const styles = useStyles();
  return (
    // Revoked in red: a lost or retired computer must not read like one that is merely offline (grey).
    <Badge className={styles.badge} appearance="tint" color={status === 'enrolled' ? 'brand' : 'danger'}>
      {t(`admin.devices.enrollment.${status}`)}
    </Badge>
  );
}

export function OnlineBadge({ online }: { online: boolean }) {
  const { t } = useTranslation();
  const styles = useStyles();
  return (
    <Badge className={styles.badge} appearance="tint" color={online ? 'success' : 'informative'} data-online={online}>
      {t(online ? 'admin.devices.online' : 'admin.devices.offline')}
    </Badge>
  );
}

/** A date and time as the devices pages write it, in `language` ("6 Dec 2026, 10:45"). */
export function dateTimeText(language: string, iso: string): string {
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/** A date and time in the reader's language, or "Never". */
export function DateText({ iso }: { iso: string | null }) {
  const { t, i18n } = useTranslation();
  if (!iso) return <>{t('admin.devices.never')}</>;
  return <time dateTime={iso}>{dateTimeText(i18n.language, iso)}</time>;
}

/** A link to a page of this app: a real `href` (open in a new tab works), navigated without a reload. */
export function AppLink({ to, children }: { to: string; children: ReactNode }) {
  const navigate = useNavigate();
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    void navigate(to);
  };
  return (
    <Link href={to} onClick={onClick}>
      {children}
    </Link>
  );
}

/**
 * @module SharerDeviceNotice
 * On the helper's trust screen: what the session record says about the sharer's device
 * when they joined. A warning for a noncompliant enrolled device (its failing rules, in
 * words), a notice for a web sharer or an unenrolled device, a short line for a compliant
 * or not-evaluated enrolled one. Neither blocks the session. The device page is linked when
 * the helper may read devices.
 */
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import {
  Caption1,
  Link,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import type { FailingRule, Permission, SessionView } from '@remote-help/protocol';

const useStyles = makeStyles({
  rules: { margin: 0, paddingInlineStart: tokens.spacingHorizontalXL },
  line: { color: tokens.colorNeutralForeground2 },
});

const OS_NAMES = { macos: 'macOS', linux: 'Linux', windows: 'Windows' } as const;

/** One failing rule in words: what the policy asks and what the device reported. */
export function ruleText(t: TFunction, failing: FailingRule): string {
  const { rule, actual } = failing;
  const known = actual !== null;
  switch (rule.type) {
    case 'minOsVersion':
      return t(known ? 'helper.trust.device.rules.minOsVersion' : 'helper.trust.device.rules.minOsVersionUnknown', {
        os: OS_NAMES[rule.os],
        version: rule.version,
        actual,
      });
    case 'checkInWithinDays':
      return t(known ? 'helper.trust.device.rules.checkIn' : 'helper.trust.device.rules.checkInNever', {
        count: rule.days,
        date: known ? new Date(actual).toLocaleDateString() : '',
      });
    default:
      return t(`helper.trust.device.rules.${rule.type}${known ? '' : 'Unknown'}`);
  }
}

export interface SharerDeviceNoticeProps {
  session: SessionView;
  permissions: readonly Permission[];
}

/** See the module description. */
export function SharerDeviceNotice({ session, permissions }: SharerDeviceNoticeProps) {
  const { t } = useTranslation();
  const styles = useStyles();
  const device = session.sharerDevice;
  if (!device) return null;
  const name = session.sharer?.displayName ?? t('common.someone');
  const link =
    device.deviceId && permissions.includes('devices.read') ? (
      <Link href={`/admin/devices/${encodeURIComponent(device.deviceId)}`} target="_blank" rel="noopener">
        {t('helper.trust.device.open')}
      </Link>
    ) : null;

  if (!device.enrolled) {
    return (
      <MessageBar intent="info" layout="multiline" data-testid="unenrolled-notice">
        <MessageBarBody>
          <MessageBarTitle>{t('helper.trust.device.unenrolledTitle')}</MessageBarTitle>
          {t(
            session.sharerClient === 'web' ? 'helper.trust.device.unenrolledWeb' : 'helper.trust.device.unenrolledApp',
            {
              name,
            },
          )}
        </MessageBarBody>
      </MessageBar>
    );
  }
  const deviceName = device.name ?? t('helper.trust.device.unnamed');
  if (device.compliance === 'noncompliant') {
    return (
      <MessageBar intent="warning" layout="multiline" data-testid="compliance-warning">
        <MessageBarBody>
          <MessageBarTitle>{t('helper.trust.device.noncompliantTitle')}</MessageBarTitle>
          {t('helper.trust.device.noncompliant', { device: deviceName, name })}
          <ul className={styles.rules}>
            {device.failingRules.map((failing, i) => (
              <li key={i}>
                {ruleText(t, failing)}{' '}
                <Caption1>{t('helper.trust.device.policy', { policy: failing.policyName })}</Caption1>
              </li>
            ))}
          </ul>
          {link}
        </MessageBarBody>
      </MessageBar>
    );
  }
  return (
    <Caption1 className={styles.line} data-testid="device-line">
      {t(device.compliance === 'compliant' ? 'helper.trust.device.compliant' : 'helper.trust.device.notEvaluated', {
        device: deviceName,
      })}{' '}
      {link}
    </Caption1>
  );
}

/**
 * @module admin/devices/RevokeDevice
 * Revoking a device's enrollment from its page (`devices.manage`), for a computer that was
 * lost, stolen or retired: the "Revoke enrollment" button, the confirmation that says plainly
 * what revoking does, and "Revoked on …" once it is done. The server ends the device's
 * sessions and refuses its app from then on; its record and session history stay.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Body1, Button, makeStyles, tokens } from '@fluentui/react-components';
import { ShieldDismissRegular } from '@fluentui/react-icons';
import type { DeviceView, Permission } from '@remote-help/protocol';
import { api } from '../../common/api';
import { ConfirmDialog } from '../common/ConfirmDialog';
import { mayRevoke } from './availability';
import { dateTimeText } from './DeviceBadges';

const useStyles = makeStyles({
  effects: {
    margin: 0,
    paddingInlineStart: tokens.spacingHorizontalXL,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
  },
  revokedOn: { color: tokens.colorNeutralForeground2 },
});

/** A name set apart from the sentence around it, so a Latin device name reads right in Arabic or Hebrew. */
const isolated = (text: string) => `\u2068${text}\u2069`;

/** What revoking does, as the confirmation says it. */
export function RevokeEffects() {
  const { t } = useTranslation();
  const styles = useStyles();
  return (
    <>
      <Body1>{t('admin.devices.revoke.intro')}</Body1>
      <ul className={styles.effects} data-testid="revoke-device-effects">
        <li>
          <Body1>{t('admin.devices.revoke.app')}</Body1>
        </li>
        <li>
          <Body1>{t('admin.devices.revoke.sessions')}</Body1>
        </li>
        <li>
          <Body1>{t('admin.devices.revoke.history')}</Body1>
        </li>
        <li>
          <Body1>{t('admin.devices.revoke.again')}</Body1>
        </li>
      </ul>
    </>
  );
}

export interface RevokeDeviceButtonProps {
  device: DeviceView;
  permissions: readonly Permission[];
  /** The device as the server answered once revoked, and the success message to show. */
  onRevoked: (device: DeviceView, notice: string) => void;
}

/** "Revoke enrollment" and its confirmation; nothing for a viewer without Manage devices or a revoked device. */
export function RevokeDeviceButton({ device, permissions, onRevoked }: RevokeDeviceButtonProps) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  if (!mayRevoke(permissions, device)) return null;
  return (
    <>
      <Button icon={<ShieldDismissRegular />} onClick={() => setOpen(true)} data-testid="revoke-device">
        {t('admin.devices.revoke.button')}
      </Button>
      <ConfirmDialog
        open={open}
        title={t('admin.devices.revoke.title', { name: isolated(device.name) })}
        confirmLabel={t('admin.devices.revoke.confirm')}
        danger
        testId="revoke-device-dialog"
        onClose={() => setOpen(false)}
        onConfirm={async () => {
          const revoked = await api.revokeDevice({ params: { id: device.id }, body: {} });
          onRevoked(revoked, t('admin.devices.revoke.done', { name: isolated(revoked.name) }));
        }}
      >
        <RevokeEffects />
      </ConfirmDialog>
    </>
  );
}

/** "Revoked on 6 Dec 2026, 10:45" for a revoked device (nothing while its enrollment stands). */
export function RevokedOn({ device }: { device: Pick<DeviceView, 'revokedAt'> }) {
  const { t, i18n } = useTranslation();
  const styles = useStyles();
  if (!device.revokedAt) return null;
  return (
    <Body1 className={styles.revokedOn} data-testid="device-revoked-on">
      <time dateTime={device.revokedAt}>
        {t('admin.devices.revoke.revokedOn', { date: isolated(dateTimeText(i18n.language, device.revokedAt)) })}
      </time>
    </Body1>
  );
}

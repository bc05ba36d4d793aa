/**
 * @module DeviceList
 * Helper, before a session: the organization's enrolled devices. Starting a session on an
 * online device asks the person there to open Remote Help (remote launch, no code).
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Badge, Body1, Button, Caption1, Subtitle2, Tooltip } from '@fluentui/react-components';
import { DesktopRegular, PlayRegular } from '@fluentui/react-icons';
import type { DeviceView } from '@remote-help/protocol';
import { listDevices } from '../common/endpoints';
import { useListStyles } from './listStyles';

/** Props of {@link DeviceList}. */
export interface DeviceListProps {
  busy: boolean;
  onLaunch: (device: DeviceView) => void;
}

type Load = { status: 'loading' } | { status: 'failed' } | { status: 'ready'; devices: DeviceView[] };

/** See the module description. */
export function DeviceList({ busy, onLaunch }: DeviceListProps) {
  const styles = useListStyles();
  const { t } = useTranslation();
  const [load, setLoad] = useState<Load>({ status: 'loading' });

  useEffect(() => {
    let live = true;
    const refresh = () =>
      listDevices().then(
        (devices) => live && setLoad({ status: 'ready', devices }),
        () => live && setLoad({ status: 'failed' }),
      );
    void refresh();
    const timer = setInterval(() => void refresh(), 10_000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);

  if (load.status === 'loading') return null;
  return (
    <section className={styles.section} aria-labelledby="devices-title">
      <Subtitle2 as="h2" id="devices-title">
        {t('helper.devices.title')}
      </Subtitle2>
      <Body1>{t('helper.devices.body')}</Body1>
      {load.status === 'failed' && <Caption1 role="alert">{t('helper.devices.loadFailed')}</Caption1>}
      {load.status === 'ready' && load.devices.length === 0 && <Caption1>{t('helper.devices.empty')}</Caption1>}
      {load.status === 'ready' && load.devices.length > 0 && (
        <ul className={styles.list} data-testid="device-list">
          {load.devices.map((device) => {
            const button = (
              <Button
                icon={<PlayRegular />}
                disabledFocusable={!device.online || busy}
                aria-label={t('helper.devices.startOn', { name: device.name })}
                onClick={() => onLaunch(device)}
              >
                {t('helper.devices.start')}
              </Button>
            );
            return (
              <li key={device.id} className={styles.item}>
                <DesktopRegular fontSize={24} aria-hidden />
                <span className={styles.text}>
                  <Body1>
                    <bdi>{device.name}</bdi>
                  </Body1>
                  <Caption1>
                    <bdi>{[device.inventory.os, device.inventory.osVersion].filter(Boolean).join(' · ')}</bdi>
                  </Caption1>
                </span>
                <Badge appearance="tint" color={device.online ? 'success' : 'informative'}>
                  {device.online ? t('helper.devices.online') : t('helper.devices.offline')}
                </Badge>
                {device.online ? (
                  button
                ) : (
                  <Tooltip
                    content={t('helper.devices.offlineTooltip', { name: device.name })}
                    relationship="description"
                  >
                    {button}
                  </Tooltip>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

/**
 * @module admin/devices/DevicePage
 * One device (`/admin/devices/:id`): its inventory as the agent last reported it, its
 * compliance with the rules it fails, its Remote Help sessions, "New remote assistance
 * session" (or why that is not available to the viewer), and "Revoke enrollment" for those who
 * manage devices (`RevokeDevice`). Online state and compliance are read again every 15 s and
 * when the window gets focus.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import {
  Body1,
  Breadcrumb,
  BreadcrumbButton,
  BreadcrumbDivider,
  BreadcrumbItem,
  Button,
  Caption1,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  Spinner,
  Subtitle2,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { PersonSupportRegular } from '@fluentui/react-icons';
import type { DeviceView, FailingRule } from '@remote-help/protocol';
import type { TFunction } from 'i18next';
import { ApiError, api } from '../../common/api';
import { errorText } from '../../common/errorText';
import { useMe } from '../../common/meContext';
import { Panel } from '../../common/Panel';
import { sessionBlock } from './availability';
import {
  ComplianceBadge,
  DateText,
  EnrollmentBadge,
  OnlineBadge,
  dateTimeText,
  osName,
  osVersion,
} from './DeviceBadges';
import { DeviceSessions } from './DeviceSessions';
import { NewSessionDialog } from './NewSessionDialog';
import { RevokeDeviceButton, RevokedOn } from './RevokeDevice';

const useStyles = makeStyles({
  header: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, alignItems: 'center' },
  actions: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, alignItems: 'flex-start' },
  buttons: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  facts: {
    display: 'grid',
    gridTemplateColumns: 'minmax(160px, max-content) 1fr',
    columnGap: tokens.spacingHorizontalXL,
    rowGap: tokens.spacingVerticalS,
    margin: 0,
    '@media (max-width: 560px)': { gridTemplateColumns: '1fr' },
  },
  term: { color: tokens.colorNeutralForeground2 },
  value: { margin: 0, overflowWrap: 'anywhere' },
  rules: {
    margin: 0,
    paddingInlineStart: tokens.spacingHorizontalXL,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXS,
  },
  reason: { color: tokens.colorNeutralForeground2 },
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
});

type Load = { status: 'loading' } | { status: 'failed'; error: unknown } | { status: 'ready'; device: DeviceView };

/** A reported yes/no, or "Not reported" (null: the agent could not tell). */
function yesNo(t: TFunction, value: boolean | null): string {
  return value === null ? t('admin.devices.notReported') : t(value ? 'admin.devices.yes' : 'admin.devices.no');
}

/** A failing rule in the reader's words (the server's English is only a fallback). */
export function ruleText(t: TFunction, failing: FailingRule, formatDate: (iso: string) => string): string {
  const rule = failing.rule;
  const actual = failing.actual;
  switch (rule.type) {
    case 'minOsVersion': {
      const os = t(`admin.devices.os.${rule.os}`);
      return actual
        ? t('admin.devices.rules.minOsVersion', { os, actual, version: rule.version })
        : t('admin.devices.rules.minOsVersionUnknown', { os, version: rule.version });
    }
    case 'diskEncryption':
      return t(actual === 'false' ? 'admin.devices.rules.diskEncryption' : 'admin.devices.rules.diskEncryptionUnknown');
    case 'firewall':
      return t(actual === 'false' ? 'admin.devices.rules.firewall' : 'admin.devices.rules.firewallUnknown');
    case 'notVirtualMachine':
      return t(
        actual === 'true' ? 'admin.devices.rules.notVirtualMachine' : 'admin.devices.rules.notVirtualMachineUnknown',
      );
    case 'checkInWithinDays':
      return actual
        ? t('admin.devices.rules.checkInWithinDays', { count: rule.days, date: formatDate(actual) })
        : t('admin.devices.rules.checkInNever', { count: rule.days });
  }
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  const styles = useStyles();
  return (
    <>
      <dt className={styles.term}>{label}</dt>
      <dd className={styles.value}>{children}</dd>
    </>
  );
}

/** See the module description. */
export function DevicePage() {
  const { t, i18n } = useTranslation();
  const styles = useStyles();
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const { state: meState } = useMe();
  const permissions = meState.status === 'signedIn' ? meState.me.permissions : [];
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const [reloads, setReloads] = useState(0);
  const [dialogOpen, setDialogOpen] = useState(false);
  const [sessionsKey, setSessionsKey] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);
  const noticeRef = useRef<HTMLDivElement>(null);

  const fetchDevice = useCallback(() => api.getDevice({ params: { id } }), [id]);

  // The revoke button goes away with the dialog: the success message takes the focus it held.
  useEffect(() => {
    if (notice) noticeRef.current?.focus();
  }, [notice]);

  useEffect(() => {
    let live = true;
    setLoad({ status: 'loading' });
    setNotice(null);
    fetchDevice().then(
      (device) => live && setLoad({ status: 'ready', device }),
      (error: unknown) => live && setLoad({ status: 'failed', error }),
    );
    return () => {
      live = false;
    };
  }, [fetchDevice, reloads]);

  // Keep online state and compliance current while the page is open; a failed refresh keeps what is shown.
  useEffect(() => {
    const refresh = () =>
      void fetchDevice().then(
        (device) => setLoad((current) => (current.status === 'ready' ? { status: 'ready', device } : current)),
        () => undefined,
      );
    const timer = setInterval(refresh, 15_000);
    window.addEventListener('focus', refresh);
    return () => {
      clearInterval(timer);
      window.removeEventListener('focus', refresh);
    };
  }, [fetchDevice]);

  const crumbs = (name: string | null) => (
    <Breadcrumb aria-label={t('admin.devices.breadcrumb')}>
      <BreadcrumbItem>
        <BreadcrumbButton
          href="/admin/devices"
          onClick={(event) => {
            event.preventDefault();
            void navigate('/admin/devices');
          }}
        >
          {t('admin.devices.title')}
        </BreadcrumbButton>
      </BreadcrumbItem>
      {name ? (
        <>
          <BreadcrumbDivider />
          <BreadcrumbItem>
            <BreadcrumbButton current>
              <bdi>{name}</bdi>
            </BreadcrumbButton>
          </BreadcrumbItem>
        </>
      ) : null}
    </Breadcrumb>
  );

  if (load.status !== 'ready') {
    const notFound = load.status === 'failed' && load.error instanceof ApiError && load.error.code === 'not_found';
    return (
      <div className={styles.page}>
        {crumbs(null)}
        <Panel title={t('admin.devices.deviceTitle')} width="wide" data-testid="device-page">
          {load.status === 'loading' ? (
            <Spinner label={t('admin.devices.loadingDevice')} />
          ) : (
            <MessageBar intent="error" data-testid="device-error">
              <MessageBarBody>{notFound ? t('admin.devices.notFound') : errorText(t, load.error)}</MessageBarBody>
              {notFound ? null : (
                <MessageBarActions>
                  <Button onClick={() => setReloads((n) => n + 1)}>{t('admin.devices.retry')}</Button>
                </MessageBarActions>
              )}
            </MessageBar>
          )}
        </Panel>
      </div>
    );
  }

  const device = load.device;
  const inv = device.inventory;
  const formatDate = (iso: string) => dateTimeText(i18n.language, iso);
  const block = sessionBlock(permissions, device);

  return (
    <div className={styles.page}>
      {crumbs(device.name)}
      <Panel title={<bdi>{device.name}</bdi>} width="wide" data-testid="device-page">
        {notice ? (
          <MessageBar intent="success" politeness="polite" data-testid="device-notice" ref={noticeRef} tabIndex={-1}>
            <MessageBarBody>{notice}</MessageBarBody>
            <MessageBarActions>
              <Button appearance="transparent" onClick={() => setNotice(null)}>
                {t('admin.devices.dismiss')}
              </Button>
            </MessageBarActions>
          </MessageBar>
        ) : null}
        <div className={styles.header}>
          <OnlineBadge online={device.online} />
          <ComplianceBadge state={device.compliance} />
          <EnrollmentBadge status={device.enrollmentStatus} />
          <RevokedOn device={device} />
        </div>
        <div className={styles.actions}>
          <div className={styles.buttons}>
            <Button
              appearance="primary"
              icon={<PersonSupportRegular />}
              disabledFocusable={block !== null}
              aria-describedby={block ? 'new-session-unavailable' : undefined}
              onClick={() => setDialogOpen(true)}
            >
              {t('admin.devices.newSession.button')}
            </Button>
            <RevokeDeviceButton
              device={device}
              permissions={permissions}
              onRevoked={(revoked, text) => {
                setLoad({ status: 'ready', device: revoked });
                setNotice(text);
                // Its sessions that had not ended have just ended.
                setSessionsKey((n) => n + 1);
              }}
            />
          </div>
          {block ? (
            <Caption1 id="new-session-unavailable" data-testid="new-session-unavailable">
              {t(`admin.devices.newSession.blocked.${block}`, { name: device.name })}
            </Caption1>
          ) : null}
        </div>

        <section className={styles.section} aria-labelledby="device-inventory-title">
          <Subtitle2 as="h2" id="device-inventory-title">
            {t('admin.devices.inventory.title')}
          </Subtitle2>
          <dl className={styles.facts} data-testid="device-inventory">
            <Fact label={t('admin.devices.inventory.hostname')}>
              <bdi>{inv.hostname ?? t('admin.devices.notReported')}</bdi>
            </Fact>
            <Fact label={t('admin.devices.inventory.os')}>{osName(t, inv)}</Fact>
            <Fact label={t('admin.devices.inventory.osVersion')}>
              <bdi>{osVersion(t, inv)}</bdi>
            </Fact>
            <Fact label={t('admin.devices.inventory.model')}>
              <bdi>{inv.model ?? t('admin.devices.notReported')}</bdi>
            </Fact>
            <Fact label={t('admin.devices.inventory.serial')}>
              <bdi>{inv.serial ?? t('admin.devices.notReported')}</bdi>
            </Fact>
            <Fact label={t('admin.devices.inventory.virtualMachine')}>{yesNo(t, inv.isVirtualMachine)}</Fact>
            <Fact label={t('admin.devices.inventory.diskEncrypted')}>{yesNo(t, inv.diskEncrypted)}</Fact>
            <Fact label={t('admin.devices.inventory.firewall')}>{yesNo(t, inv.firewallEnabled)}</Fact>
            <Fact label={t('admin.devices.inventory.screens')}>{inv.screenCount}</Fact>
            <Fact label={t('admin.devices.inventory.agentVersion')}>
              <bdi>{inv.agentVersion}</bdi>
            </Fact>
            <Fact label={t('admin.devices.inventory.enrolledAt')}>
              <DateText iso={device.enrolledAt} />
            </Fact>
            <Fact label={t('admin.devices.inventory.lastCheckIn')}>
              <DateText iso={device.lastCheckInAt} />
            </Fact>
            <Fact label={t('admin.devices.inventory.primaryUser')}>
              {device.primaryUser ? (
                <>
                  <bdi>{device.primaryUser.displayName}</bdi> (<bdi>{device.primaryUser.email}</bdi>)
                </>
              ) : (
                t('admin.devices.noPrimaryUserLong')
              )}
            </Fact>
          </dl>
        </section>

        <section className={styles.section} aria-labelledby="device-compliance-title" data-testid="device-compliance">
          <Subtitle2 as="h2" id="device-compliance-title">
            {t('admin.devices.complianceSection.title')}
          </Subtitle2>
          <div className={styles.header}>
            <ComplianceBadge state={device.compliance} />
          </div>
          {device.compliance === 'noncompliant' ? (
            <>
              <Body1>{t('admin.devices.complianceSection.failing', { count: device.failingRules.length })}</Body1>
              <ul className={styles.rules} data-testid="failing-rules">
                {device.failingRules.map((failing, index) => (
                  <li key={`${failing.policyId}-${index}`}>
                    <Body1>{ruleText(t, failing, formatDate)}</Body1>{' '}
                    <Caption1 className={styles.reason}>
                      {t('admin.devices.complianceSection.policy', { name: failing.policyName })}
                    </Caption1>
                  </li>
                ))}
              </ul>
            </>
          ) : (
            <Body1>{t(`admin.devices.complianceSection.${device.compliance}`)}</Body1>
          )}
        </section>

        <DeviceSessions deviceId={device.id} refreshKey={sessionsKey} />

        {block === null ? (
          <NewSessionDialog
            device={device}
            open={dialogOpen}
            onClose={() => {
              setDialogOpen(false);
              setSessionsKey((n) => n + 1);
            }}
          />
        ) : null}
      </Panel>
    </div>
  );
}

/**
 * @module admin/devices/NewSessionDialog
 * The device page's "New remote assistance session", as in Intune: choose **Remote Help**,
 * **Continue** makes a session and shows its 8-digit security code with **Copy** and
 * **Start**. Start opens the helper app in a new tab on that session (`/help?session=…`; the
 * code is kept in this browser's storage so that tab shows it), and for an enrolled device
 * whose agent is online it also offers the same session to the device (remote launch): its
 * user accepts there, or enters the code, whichever comes first. The server decides every
 * step again; a refusal is shown in words and the code stays usable when it still is.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  Body1,
  Button,
  Caption1,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Link,
  MessageBar,
  MessageBarBody,
  Radio,
  RadioGroup,
  Spinner,
  makeStyles,
  tokens,
  typographyStyles,
} from '@fluentui/react-components';
import { CheckmarkRegular, CopyRegular, OpenRegular } from '@fluentui/react-icons';
import type { DeviceView, SessionView } from '@remote-help/protocol';
import { api } from '../../common/api';
import { saveCode } from '../../common/codeStore';
import { errorText } from '../../common/errorText';
import { useAsyncAction } from '../../common/useAsyncAction';
import { formatCode } from './availability';
import { useCopy } from './useCopy';

const useStyles = makeStyles({
  content: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  codeRow: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' },
  code: {
    ...typographyStyles.largeTitle,
    fontVariantNumeric: 'tabular-nums',
    letterSpacing: '0.08em',
    direction: 'ltr',
    unicodeBidi: 'isolate',
  },
  hint: { color: tokens.colorNeutralForeground2 },
});

type Step =
  | { kind: 'choose' }
  | { kind: 'code'; session: SessionView; code: string }
  | {
      kind: 'started';
      session: SessionView;
      code: string;
      /** The helper app's tab did not open (a blocked pop-up): offer a link instead. */
      tabBlocked: boolean;
      launch: 'sent' | 'offline' | { error: unknown };
    };

/** Props of {@link NewSessionDialog}. */
export interface NewSessionDialogProps {
  device: DeviceView;
  open: boolean;
  onClose: () => void;
}

const helperUrl = (sessionId: string) => `/help?session=${encodeURIComponent(sessionId)}`;

/** See the module description. */
export function NewSessionDialog({ device, open, onClose }: NewSessionDialogProps) {
  const { t, i18n } = useTranslation();
  const styles = useStyles();
  const [step, setStep] = useState<Step>({ kind: 'choose' });
  const action = useAsyncAction();
  const copy = useCopy();
  const name = device.name;

  const close = () => {
    // A session nobody started is ended, so its code does not linger; a started one goes on in its tab.
    if (step.kind === 'code')
      void api.leaveSession({ params: { id: step.session.id }, body: {} }).catch(() => undefined);
    setStep({ kind: 'choose' });
    action.clearError();
    copy.reset();
    onClose();
  };

  const proceed = () =>
    action.run(async () => {
      const created = await api.createSession({ body: {} });
      saveCode(created.session.id, created.code);
      setStep({ kind: 'code', session: created.session, code: created.code });
    });

  const start = () => {
    if (step.kind !== 'code') return;
    // Opened in the click itself (a later one would be a blocked pop-up); it needs no link back to this page.
    const tab = window.open(helperUrl(step.session.id), '_blank');
    if (tab) tab.opener = null;
    const base = { kind: 'started' as const, session: step.session, code: step.code, tabBlocked: !tab };
    if (!device.online) {
      setStep({ ...base, launch: 'offline' });
      return;
    }
    action.run(async () => {
      try {
        await api.launchOnDevice({ params: { id: device.id }, body: { sessionId: step.session.id } });
        setStep({ ...base, launch: 'sent' });
      } catch (error) {
        setStep({ ...base, launch: { error } });
      }
    });
  };

  const expiresAt = step.kind === 'choose' ? null : step.session.codeExpiresAt;
  const expiry = expiresAt
    ? new Intl.DateTimeFormat(i18n.language, { timeStyle: 'short' }).format(new Date(expiresAt))
    : null;

  const codeBlock =
    step.kind === 'choose' ? null : (
      <>
        <Body1>{t('admin.devices.newSession.codeIntro', { name })}</Body1>
        <div className={styles.codeRow}>
          <span
            className={styles.code}
            data-testid="admin-security-code"
            aria-label={t('admin.devices.newSession.codeLabel')}
          >
            {formatCode(step.code)}
          </span>
          <Button
            icon={copy.copied ? <CheckmarkRegular /> : <CopyRegular />}
            onClick={() => copy.copy(step.code)}
            aria-label={t('admin.devices.newSession.copyLabel')}
          >
            {copy.copied ? t('admin.devices.copied') : t('admin.devices.copy')}
          </Button>
        </div>
        {copy.failed ? <Caption1 role="alert">{t('admin.devices.copyFailed')}</Caption1> : null}
        {expiry ? (
          <Caption1 className={styles.hint}>{t('admin.devices.newSession.expires', { time: expiry })}</Caption1>
        ) : null}
      </>
    );

  let content;
  let actions;
  if (step.kind === 'choose') {
    content = (
      <>
        <Body1>{t('admin.devices.newSession.chooseIntro', { name })}</Body1>
        <RadioGroup value="remoteHelp" aria-label={t('admin.devices.newSession.typeLabel')}>
          <Radio value="remoteHelp" label={t('admin.devices.newSession.remoteHelp')} />
        </RadioGroup>
        <Caption1 className={styles.hint}>{t('admin.devices.newSession.remoteHelpHint')}</Caption1>
      </>
    );
    actions = (
      <>
        <Button appearance="primary" disabled={action.busy} onClick={proceed}>
          {action.busy ? (
            <Spinner size="tiny" label={t('admin.devices.newSession.continue')} />
          ) : (
            t('admin.devices.newSession.continue')
          )}
        </Button>
        <Button onClick={close}>{t('admin.devices.cancel')}</Button>
      </>
    );
  } else if (step.kind === 'code') {
    content = (
      <>
        {codeBlock}
        <Body1>
          {device.online
            ? t('admin.devices.newSession.startOnline', { name })
            : t('admin.devices.newSession.startOffline', { name })}
        </Body1>
      </>
    );
    actions = (
      <>
        <Button appearance="primary" icon={<OpenRegular />} disabled={action.busy} onClick={start}>
          {t('admin.devices.newSession.start')}
        </Button>
        <Button onClick={close}>{t('admin.devices.newSession.cancelSession')}</Button>
      </>
    );
  } else {
    const launch = step.launch;
    content = (
      <>
        {codeBlock}
        {launch === 'sent' ? (
          <MessageBar intent="success" data-testid="launch-sent">
            <MessageBarBody>{t('admin.devices.newSession.launchSent', { name })}</MessageBarBody>
          </MessageBar>
        ) : launch === 'offline' ? (
          <MessageBar intent="info" data-testid="launch-offline">
            <MessageBarBody>{t('admin.devices.newSession.launchOffline', { name })}</MessageBarBody>
          </MessageBar>
        ) : (
          <MessageBar intent="warning" data-testid="launch-failed">
            <MessageBarBody>
              {t('admin.devices.newSession.launchFailed', { name })} {errorText(t, launch.error)}
            </MessageBarBody>
          </MessageBar>
        )}
        <Body1>
          {step.tabBlocked ? t('admin.devices.newSession.tabBlocked') : t('admin.devices.newSession.tabOpened')}{' '}
          <Link href={helperUrl(step.session.id)} target="_blank" rel="noopener">
            {t('admin.devices.newSession.openHelper')}
          </Link>
        </Body1>
      </>
    );
    actions = (
      <Button appearance="primary" onClick={close}>
        {t('admin.devices.done')}
      </Button>
    );
  }

  return (
    <Dialog open={open} modalType="alert" onOpenChange={(_, data) => (data.open ? undefined : close())}>
      <DialogSurface aria-describedby={undefined} data-testid="new-session-dialog">
        <DialogBody>
          <DialogTitle>{t('admin.devices.newSession.title')}</DialogTitle>
          <DialogContent className={styles.content}>
            {content}
            {action.busy && step.kind === 'code' ? (
              <Spinner size="tiny" label={t('admin.devices.newSession.starting')} />
            ) : null}
            {action.error ? (
              <MessageBar intent="error" data-testid="new-session-error">
                <MessageBarBody>{errorText(t, action.error)}</MessageBarBody>
              </MessageBar>
            ) : null}
          </DialogContent>
          <DialogActions>{actions}</DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

/**
 * @module admin/devices/CreateTokenDialog
 * Create an enrollment token: how long it lasts and how many devices may enroll with it.
 * The token is shown once, with Copy, and with the agent's command line that enrolls a
 * device with it (`remote-help-agent enroll --server … --token …`).
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
  Dropdown,
  Field,
  MessageBar,
  MessageBarBody,
  Option,
  SpinButton,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { CheckmarkRegular, CopyRegular } from '@fluentui/react-icons';
import type { EnrollmentTokenResponse } from '@remote-help/protocol';
import { api } from '../../common/api';
import { errorText } from '../../common/errorText';
import { useAsyncAction } from '../../common/useAsyncAction';
import { useCopy } from './useCopy';
import { useLeaveGuard } from '../../common/LeaveGuard';

const useStyles = makeStyles({
  content: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  secret: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase300,
    backgroundColor: tokens.colorNeutralBackground3,
    borderRadius: tokens.borderRadiusMedium,
    padding: tokens.spacingHorizontalM,
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
    userSelect: 'all',
    direction: 'ltr',
    textAlign: 'start',
    margin: 0,
  },
  word: { whiteSpace: 'nowrap' },
  row: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, alignItems: 'flex-start' },
});

/** Lifetimes offered, in hours (the contract allows 1 … 720). */
const LIFETIMES = [1, 8, 24, 168, 720] as const;
const MAX_USES = 10_000;

/** The agent's command line that enrolls a device with `token` on this server. */
export const enrollCommand = (origin: string, token: string): string =>
  `remote-help-agent enroll --server ${origin} --token ${token}`;

/** Props of {@link CreateTokenDialog}. */
export interface CreateTokenDialogProps {
  open: boolean;
  onClose: () => void;
  /** A token was made (the list reloads). */
  onCreated: () => void;
}

/** A secret shown once, with its Copy button. */
function CopyBlock({ label, text, testId }: { label: string; text: string; testId: string }) {
  const { t } = useTranslation();
  const styles = useStyles();
  const copy = useCopy();
  return (
    <div className={styles.row}>
      <Body1>{label}</Body1>
      <pre className={styles.secret} data-testid={testId}>
        {/* Lines break between arguments only (not after the hyphens of `--token`). */}
        {text.split(' ').map((part, index) => (
          <span key={index}>
            {index > 0 ? ' ' : ''}
            <span className={styles.word}>{part}</span>
          </span>
        ))}
      </pre>
      <Button size="small" icon={copy.copied ? <CheckmarkRegular /> : <CopyRegular />} onClick={() => copy.copy(text)}>
        {copy.copied ? t('admin.devices.copied') : t('admin.devices.copy')}
      </Button>
      {copy.failed ? <Caption1 role="alert">{t('admin.devices.copyFailed')}</Caption1> : null}
    </div>
  );
}

/** See the module description. */
export function CreateTokenDialog({ open, onClose, onCreated }: CreateTokenDialogProps) {
  const { t, i18n } = useTranslation();
  const styles = useStyles();
  const [hours, setHours] = useState<number>(24);
  const [maxUses, setMaxUses] = useState<number | null>(1);
  const [created, setCreated] = useState<EnrollmentTokenResponse | null>(null);
  const action = useAsyncAction();
  // The token is shown once: Back or a link while it is shown asks first.
  useLeaveGuard(open && created !== null, 'shownOnce');

  const lifetimeText = (h: number) =>
    h % 24 === 0 ? t('admin.devices.tokens.days', { count: h / 24 }) : t('admin.devices.tokens.hours', { count: h });
  const usesValid = maxUses !== null && Number.isInteger(maxUses) && maxUses >= 1 && maxUses <= MAX_USES;

  const close = () => {
    setCreated(null);
    setHours(24);
    setMaxUses(1);
    action.clearError();
    onClose();
  };

  const create = () => {
    if (!usesValid) return;
    action.run(async () => {
      const made = await api.createEnrollmentToken({ body: { expiresInHours: hours, maxUses: maxUses ?? 1 } });
      setCreated(made);
      onCreated();
    });
  };

  const expires = created
    ? new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'short' }).format(
        new Date(created.expiresAt),
      )
    : '';

  return (
    <Dialog open={open} modalType="alert" onOpenChange={(_, data) => (data.open ? undefined : close())}>
      <DialogSurface data-testid="create-token-dialog">
        <DialogBody>
          <DialogTitle>
            {created ? t('admin.devices.tokens.createdTitle') : t('admin.devices.tokens.createTitle')}
          </DialogTitle>
          <DialogContent className={styles.content}>
            {created ? (
              <>
                <MessageBar intent="warning">
                  <MessageBarBody>{t('admin.devices.tokens.shownOnce')}</MessageBarBody>
                </MessageBar>
                <CopyBlock label={t('admin.devices.tokens.tokenLabel')} text={created.token} testId="new-token" />
                <CopyBlock
                  label={t('admin.devices.tokens.commandLabel')}
                  text={enrollCommand(window.location.origin, created.token)}
                  testId="enroll-command"
                />
                <Caption1>
                  {t('admin.devices.tokens.createdSummary', { count: created.maxUses, time: expires })}
                </Caption1>
              </>
            ) : (
              <>
                <Body1>{t('admin.devices.tokens.createIntro')}</Body1>
                <Field label={t('admin.devices.tokens.lifetime')}>
                  <Dropdown
                    value={lifetimeText(hours)}
                    selectedOptions={[String(hours)]}
                    onOptionSelect={(_, data) => setHours(Number(data.optionValue))}
                  >
                    {LIFETIMES.map((h) => (
                      <Option key={h} value={String(h)}>
                        {lifetimeText(h)}
                      </Option>
                    ))}
                  </Dropdown>
                </Field>
                <Field
                  label={t('admin.devices.tokens.maxUses')}
                  hint={t('admin.devices.tokens.maxUsesHint', { max: MAX_USES })}
                  validationState={usesValid ? 'none' : 'error'}
                  validationMessage={
                    usesValid ? undefined : t('admin.devices.tokens.maxUsesInvalid', { max: MAX_USES })
                  }
                >
                  <SpinButton
                    value={maxUses}
                    min={1}
                    max={MAX_USES}
                    onChange={(_, data) => {
                      const next = data.value ?? (data.displayValue !== undefined ? Number(data.displayValue) : null);
                      setMaxUses(next === null || Number.isNaN(next) ? null : next);
                    }}
                  />
                </Field>
              </>
            )}
            {action.error ? (
              <MessageBar intent="error">
                <MessageBarBody>{errorText(t, action.error)}</MessageBarBody>
              </MessageBar>
            ) : null}
          </DialogContent>
          <DialogActions>
            {created ? (
              <Button appearance="primary" onClick={close}>
                {t('admin.devices.done')}
              </Button>
            ) : (
              <>
                <Button appearance="primary" disabled={action.busy || !usesValid} onClick={create}>
                  {t('admin.devices.tokens.create')}
                </Button>
                <Button onClick={close}>{t('admin.devices.cancel')}</Button>
              </>
            )}
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

/**
 * @module admin/tenant/RemoteHelpSettings
 * `/admin/tenant/remote-help`: Tenant administration > Remote Help > Settings. Enable Remote
 * Help, Allow Remote Help to unenrolled devices, Disable chat, the code lifetime and report
 * retention, each with what it does. Checked with the server's ranges before saving; turning
 * Remote Help off asks first, because it ends every live session of the organization.
 */
import { useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import {
  Body1,
  Button,
  Caption1,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Radio,
  RadioGroup,
  Subtitle2,
  Switch,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import type { TenantSettings, TenantSettingsResponse } from '@remote-help/protocol';
import { RETENTION_RANGE } from '@remote-help/protocol';
import { api } from '../../common/api';
import { errorText } from '../../common/errorText';
import { Panel } from '../../common/Panel';
import { useAsyncAction } from '../../common/useAsyncAction';
import { ConfirmDialog } from '../common/ConfirmDialog';
import { Crumbs } from '../roles/Crumbs';
import { AgentUpdateSettings } from './AgentUpdateSettings';
import { LoadState } from '../roles/LoadState';
import { SuccessNotice } from '../roles/PageNotice';
import { useLoader } from '../roles/useLoader';
import type { SettingsFormValues } from './settingsForm';
import {
  CODE_TTL_MINUTES,
  formValues,
  isDirty,
  toSettings,
  turnsRemoteHelpOff,
  validateSettings,
} from './settingsForm';
import { BusySpinner } from '../../common/BusySpinner';
import { useLeaveGuard } from '../../common/LeaveGuard';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXL, maxWidth: '760px' },
  setting: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  explain: { color: tokens.colorNeutralForeground2, paddingInlineStart: tokens.spacingHorizontalXXS },
  number: { maxWidth: '160px' },
  ttl: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  actions: { display: 'flex', gap: tokens.spacingHorizontalM, flexWrap: 'wrap', alignItems: 'center' },
});

const loadSettings = () => api.getTenantSettings();

/** See the module description. */
export function RemoteHelpSettings() {
  const { t } = useTranslation();
  const { state, reload } = useLoader(loadSettings);
  return (
    <Panel title={t('admin.tenant.settings.title')} width="wide" data-testid="remote-help-settings">
      <Crumbs
        items={[{ label: t('admin.tenant.crumb') }, { label: t('admin.tenant.settings.crumb') }]}
        current={t('admin.tenant.settings.currentCrumb')}
      />
      <LoadState state={state} onRetry={reload} label={t('admin.tenant.settings.loading')} />
      {state.status === 'ready' ? <SettingsForm loaded={state.data} /> : null}
      <AgentUpdateSettings />
    </Panel>
  );
}

function SettingsForm({ loaded }: { loaded: TenantSettingsResponse }) {
  const { t } = useTranslation();
  const styles = useStyles();
  const action = useAsyncAction();
  const defaults = loaded.defaults;
  const [saved, setSaved] = useState<TenantSettings>(loaded.settings);
  const [values, setValues] = useState<SettingsFormValues>(() => formValues(loaded.settings, defaults.codeTtlSeconds));
  const [submitted, setSubmitted] = useState(false);
  const [confirmOff, setConfirmOff] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const errors = submitted ? validateSettings(values) : {};
  const dirty = isDirty(saved, values);
  useLeaveGuard(dirty);
  const set = (patch: Partial<SettingsFormValues>) => {
    setNotice(null);
    action.clearError();
    setValues((v) => ({ ...v, ...patch }));
  };
  const defaultMinutes = Math.round((defaults.codeTtlSeconds / 60) * 10) / 10;

  const save = async (next: TenantSettings) => {
    const reply = await api.updateTenantSettings({ body: next });
    setSaved(reply.settings);
    setValues(formValues(reply.settings, reply.defaults.codeTtlSeconds));
    setSubmitted(false);
    setNotice(
      turnsRemoteHelpOff(saved, reply.settings)
        ? t('admin.tenant.settings.savedOff')
        : t('admin.tenant.settings.saved'),
    );
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    setNotice(null);
    if (Object.keys(validateSettings(values)).length > 0) return;
    const next = toSettings(values);
    if (turnsRemoteHelpOff(saved, next)) {
      setConfirmOff(true);
      return;
    }
    action.run(() => save(next));
  };

  const toggle = (
    key: 'remoteHelpEnabled' | 'allowUnenrolledDevices' | 'disableChat',
    label: string,
    explanation: string,
  ) => (
    <div className={styles.setting}>
      <Switch
        label={label}
        checked={values[key]}
        disabled={action.busy}
        onChange={(_, d) => set({ [key]: d.checked })}
        aria-describedby={`setting-${key}`}
        data-testid={`setting-${key}`}
      />
      <Caption1 id={`setting-${key}`} className={styles.explain}>
        {explanation}
      </Caption1>
    </div>
  );

  return (
    <form className={styles.form} onSubmit={submit} noValidate>
      <Body1>{t('admin.tenant.settings.intro')}</Body1>
      {!saved.remoteHelpEnabled ? (
        <MessageBar intent="warning" data-testid="remote-help-off">
          <MessageBarBody>
            <MessageBarTitle>{t('admin.tenant.settings.offTitle')}</MessageBarTitle>
            {t('admin.tenant.settings.offBody')}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <SuccessNotice text={notice} onDismiss={() => setNotice(null)} />
      {toggle('remoteHelpEnabled', t('admin.tenant.settings.enable'), t('admin.tenant.settings.enableHint'))}
      {toggle(
        'allowUnenrolledDevices',
        t('admin.tenant.settings.unenrolled'),
        t('admin.tenant.settings.unenrolledHint'),
      )}
      {toggle('disableChat', t('admin.tenant.settings.disableChat'), t('admin.tenant.settings.disableChatHint'))}

      <div className={styles.ttl}>
        <Subtitle2>{t('admin.tenant.settings.codeTtl')}</Subtitle2>
        <Caption1 className={styles.explain}>
          {t('admin.tenant.settings.codeTtlHint', { min: CODE_TTL_MINUTES.min, max: CODE_TTL_MINUTES.max })}
        </Caption1>
        <RadioGroup
          value={values.codeTtlMode}
          onChange={(_, d) => set({ codeTtlMode: d.value === 'custom' ? 'custom' : 'default' })}
          disabled={action.busy}
          aria-label={t('admin.tenant.settings.codeTtl')}
        >
          <Radio value="default" label={t('admin.tenant.settings.codeTtlDefault', { count: defaultMinutes })} />
          <Radio value="custom" label={t('admin.tenant.settings.codeTtlCustom')} />
        </RadioGroup>
        {values.codeTtlMode === 'custom' ? (
          <Field
            label={t('admin.tenant.settings.codeTtlMinutes')}
            validationMessage={
              errors.codeTtlMinutes
                ? t(errors.codeTtlMinutes, { min: CODE_TTL_MINUTES.min, max: CODE_TTL_MINUTES.max })
                : undefined
            }
          >
            <Input
              className={styles.number}
              inputMode="decimal"
              value={values.codeTtlMinutes}
              disabled={action.busy}
              onChange={(_, d) => set({ codeTtlMinutes: d.value })}
              contentAfter={<Caption1>{t('admin.tenant.settings.minutes')}</Caption1>}
            />
          </Field>
        ) : null}
      </div>

      <Field
        label={t('admin.tenant.settings.retention')}
        hint={t('admin.tenant.settings.retentionHint', { min: RETENTION_RANGE.min, max: RETENTION_RANGE.max })}
        validationMessage={
          errors.reportRetentionDays
            ? t(errors.reportRetentionDays, { min: RETENTION_RANGE.min, max: RETENTION_RANGE.max })
            : undefined
        }
      >
        <Input
          className={styles.number}
          inputMode="numeric"
          value={values.reportRetentionDays}
          disabled={action.busy}
          onChange={(_, d) => set({ reportRetentionDays: d.value })}
          contentAfter={<Caption1>{t('admin.tenant.settings.days')}</Caption1>}
        />
      </Field>

      {action.error ? (
        <MessageBar intent="error" data-testid="settings-error">
          <MessageBarBody>
            <MessageBarTitle>{t('admin.tenant.settings.failed')}</MessageBarTitle>
            {errorText(t, action.error)}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <div className={styles.actions}>
        <Button
          appearance="primary"
          type="submit"
          disabled={action.busy || !dirty}
          icon={action.busy ? <BusySpinner /> : undefined}
        >
          {t('admin.tenant.settings.save')}
        </Button>
        <Button
          disabled={action.busy || !dirty}
          onClick={() => {
            setSubmitted(false);
            action.clearError();
            setValues(formValues(saved, defaults.codeTtlSeconds));
          }}
        >
          {t('admin.tenant.settings.discard')}
        </Button>
        {dirty && !action.busy ? <Caption1>{t('admin.tenant.settings.unsaved')}</Caption1> : null}
      </div>
      <ConfirmDialog
        open={confirmOff}
        title={t('admin.tenant.settings.confirmOffTitle')}
        confirmLabel={t('admin.tenant.settings.confirmOff')}
        onConfirm={() => save(toSettings(values))}
        onClose={() => setConfirmOff(false)}
        testId="confirm-remote-help-off"
      >
        <Body1>{t('admin.tenant.settings.confirmOffBody')}</Body1>
      </ConfirmDialog>
    </form>
  );
}

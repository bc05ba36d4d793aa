/**
 * @module admin/tenant/AgentUpdateSettings
 * Tenant administration > Remote Help settings > Agent updates (ADR 0022): whether the Remote Help
 * app on the organization's devices updates itself, and the minimum agent version (older agents
 * are marked in the devices list and say so on the device). `PUT /api/v1/tenant/agent-updates`,
 * audited by the server; a version is checked with the protocol's schema before it is sent.
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
  Subtitle2,
  Switch,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { isAgentVersion, type AgentUpdatePolicy } from '@remote-help/protocol';
import { api } from '../../common/api';
import { errorText } from '../../common/errorText';
import { useAsyncAction } from '../../common/useAsyncAction';
import { LoadState } from '../roles/LoadState';
import { SuccessNotice } from '../roles/PageNotice';
import { useLoader } from '../roles/useLoader';
import { BusySpinner } from '../../common/BusySpinner';
import { useLeaveGuard } from '../../common/LeaveGuard';

const useStyles = makeStyles({
  form: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalL,
    maxWidth: '760px',
    paddingBlockStart: tokens.spacingVerticalXL,
    borderTopWidth: tokens.strokeWidthThin,
    borderTopStyle: 'solid',
    borderTopColor: tokens.colorNeutralStroke2,
  },
  explain: { color: tokens.colorNeutralForeground2 },
  version: { maxWidth: '200px' },
  actions: { display: 'flex', gap: tokens.spacingHorizontalM, alignItems: 'center' },
});

const loadPolicy = () => api.getAgentUpdatePolicy();

export function AgentUpdateSettings() {
  const { t } = useTranslation();
  const { state, reload } = useLoader(loadPolicy);
  return (
    <>
      <LoadState state={state} onRetry={reload} label={t('admin.tenant.settings.loading')} />
      {state.status === 'ready' ? <AgentUpdateForm loaded={state.data} /> : null}
    </>
  );
}

function AgentUpdateForm({ loaded }: { loaded: AgentUpdatePolicy }) {
  const { t } = useTranslation();
  const styles = useStyles();
  const action = useAsyncAction();
  const [saved, setSaved] = useState(loaded);
  const [autoUpdate, setAutoUpdate] = useState(loaded.autoUpdate);
  const [minimum, setMinimum] = useState(loaded.minimumVersion ?? '');
  const [submitted, setSubmitted] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const trimmed = minimum.trim();
  const invalid = trimmed !== '' && !isAgentVersion(trimmed);
  const dirty = autoUpdate !== saved.autoUpdate || (trimmed || null) !== saved.minimumVersion;
  useLeaveGuard(dirty);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    setNotice(null);
    if (invalid) return;
    action.run(async () => {
      const reply = await api.updateAgentUpdatePolicy({ body: { autoUpdate, minimumVersion: trimmed || null } });
      setSaved(reply);
      setMinimum(reply.minimumVersion ?? '');
      setSubmitted(false);
      setNotice(t('admin.tenant.agentUpdates.saved'));
    });
  };

  return (
    <form className={styles.form} onSubmit={submit} noValidate data-testid="agent-update-settings">
      <Subtitle2 as="h2">{t('admin.tenant.agentUpdates.title')}</Subtitle2>
      <Body1 className={styles.explain}>{t('admin.tenant.agentUpdates.intro')}</Body1>
      <SuccessNotice text={notice} onDismiss={() => setNotice(null)} />
      <Switch
        label={t('admin.tenant.agentUpdates.autoUpdate')}
        checked={autoUpdate}
        disabled={action.busy}
        onChange={(_, d) => {
          setNotice(null);
          setAutoUpdate(d.checked);
        }}
        data-testid="setting-agentAutoUpdate"
      />
      <Field
        label={t('admin.tenant.agentUpdates.minimum')}
        hint={t('admin.tenant.agentUpdates.minimumHint', { example: '1.4.0' })}
        validationMessage={
          submitted && invalid ? t('admin.tenant.agentUpdates.invalid', { example: '1.4.0' }) : undefined
        }
      >
        <Input
          className={styles.version}
          value={minimum}
          maxLength={32}
          disabled={action.busy}
          onChange={(_, d) => {
            setNotice(null);
            setMinimum(d.value);
          }}
          data-testid="setting-agentMinimumVersion"
        />
      </Field>
      {action.error ? (
        <MessageBar intent="error">
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
        {dirty && !action.busy ? <Caption1>{t('admin.tenant.settings.unsaved')}</Caption1> : null}
      </div>
    </form>
  );
}

/**
 * @module admin/conditionalAccess/CaPolicyEditor
 * `…/conditional-access/policies/new` and `…/policies/:policyId`: one conditional access
 * policy, laid out like Entra's — name; users (all, or selected people, groups and roles;
 * exclusions); target apps; conditions; grant (block, or require all / one of the controls);
 * session (sign-in frequency); and Enable policy (Report-only, On, Off). Checked field by
 * field before sending; what the server refuses is shown on its field and in words below,
 * and nothing typed is lost.
 */
import { useCallback, useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import {
  Button,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Radio,
  RadioGroup,
  Switch,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { PersonRegular, ShieldPersonRegular } from '@fluentui/react-icons';
import type { CaPolicy } from '@remote-help/protocol';
import { CA_APPS } from '@remote-help/protocol';
import { api } from '../../common/api';
import { errorText } from '../../common/errorText';
import { Panel } from '../../common/Panel';
import { useAsyncAction } from '../../common/useAsyncAction';
import { Crumbs } from '../roles/Crumbs';
import { FieldGroup } from '../roles/FieldGroup';
import { GroupPicker } from '../roles/GroupPicker';
import { LoadState } from '../roles/LoadState';
import { noticeState } from '../roles/PageNotice';
import { useLoader } from '../roles/useLoader';
import { CA_BASE } from './CaFrame';
import { CaConditions } from './CaConditions';
import type { CaDirectory } from './caData';
import { loadCaDirectory, searchUsers } from './caData';
import { ChoicePicker } from './ChoicePicker';
import { Checks } from './Checks';
import type { CaFormErrors, CaFormField, CaPolicyFormValues } from './caPolicyForm';
import {
  CA_LIMITS,
  GRANT_CONTROLS,
  caPolicyValues,
  locksEveryoneOut,
  serverIssues,
  toCaPolicyInput,
  validateCaPolicy,
} from './caPolicyForm';
import { BusySpinner } from '../../common/BusySpinner';
import { useLeaveGuard } from '../../common/LeaveGuard';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, maxWidth: '820px' },
  card: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
    paddingBlock: tokens.spacingVerticalM,
    paddingInline: tokens.spacingHorizontalL,
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  pickers: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(230px, 1fr))',
    gap: tokens.spacingHorizontalM,
  },
  number: { maxWidth: '180px' },
  details: { margin: 0, paddingInlineStart: tokens.spacingHorizontalL },
  actions: { display: 'flex', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' },
});

interface EditorData {
  policy?: CaPolicy;
  directory: CaDirectory;
}

/** See the module description. */
export function CaPolicyEditor() {
  const { t } = useTranslation();
  const { policyId } = useParams();
  const load = useCallback(async (): Promise<EditorData> => {
    const policies = policyId ? (await api.listCaPolicies()).policies : [];
    const policy = policies.find((p) => p.id === policyId);
    const named = policy
      ? [
          ...(policy.users.include.kind === 'selected' ? policy.users.include.userIds : []),
          ...policy.users.exclude.userIds,
        ]
      : [];
    return { policy, directory: await loadCaDirectory(named) };
  }, [policyId]);
  const { state, reload } = useLoader(load);
  const missing = state.status === 'ready' && policyId !== undefined && !state.data.policy;
  const policy = state.status === 'ready' ? state.data.policy : undefined;

  return (
    <Panel
      title={
        policy
          ? t('admin.conditionalAccess.editor.editTitle', { name: policy.name })
          : t('admin.conditionalAccess.editor.createTitle')
      }
      width="wide"
      data-testid="ca-policy-editor"
    >
      <Crumbs
        items={[
          { label: t('admin.tenant.crumb') },
          { to: `${CA_BASE}/policies`, label: t('admin.conditionalAccess.crumb') },
        ]}
        current={policy?.name ?? t('admin.conditionalAccess.policies.create')}
      />
      <LoadState state={state} onRetry={reload} label={t('admin.conditionalAccess.loading')} />
      {missing ? (
        <MessageBar intent="error">
          <MessageBarBody>{t('admin.conditionalAccess.editor.notFound')}</MessageBarBody>
        </MessageBar>
      ) : null}
      {state.status === 'ready' && !missing ? (
        <PolicyForm key={policy?.id ?? 'new'} policy={policy} directory={state.data.directory} />
      ) : null}
    </Panel>
  );
}

function PolicyForm({ policy, directory }: { policy?: CaPolicy; directory: CaDirectory }) {
  const { t } = useTranslation();
  const styles = useStyles();
  const navigate = useNavigate();
  const action = useAsyncAction();
  const [initial] = useState(() => caPolicyValues(policy));
  const [values, setValues] = useState<CaPolicyFormValues>(initial);
  const leave = useLeaveGuard(JSON.stringify(values) !== JSON.stringify(initial));
  const [submitted, setSubmitted] = useState(false);
  const [refused, setRefused] = useState<ReturnType<typeof serverIssues>>({ fields: {}, details: [] });
  const errors: CaFormErrors = { ...refused.fields, ...(submitted ? validateCaPolicy(values) : {}) };
  const set = (patch: Partial<CaPolicyFormValues>) => {
    setRefused({ fields: {}, details: [] });
    setValues((v) => ({ ...v, ...patch }));
  };
  const message = (field: CaFormField) => {
    const key = errors[field];
    if (!key) return undefined;
    return key === 'admin.conditionalAccess.editor.errors.frequencyInvalid'
      ? t(key, { min: CA_LIMITS.hours.min, max: CA_LIMITS.hours.max })
      : t(key, { max: field === 'name' ? CA_LIMITS.name : CA_LIMITS.ids, locations: CA_LIMITS.locations });
  };
  const busy = action.busy;
  const users = values.users;
  const setUsers = (patch: Partial<CaPolicyFormValues['users']>) => set({ users: { ...users, ...patch } });
  const setExclude = (patch: Partial<CaPolicyFormValues['users']['exclude']>) =>
    setUsers({ exclude: { ...users.exclude, ...patch } });
  const sectionName: Record<CaFormField, string> = {
    name: t('admin.conditionalAccess.editor.name'),
    users: t('admin.conditionalAccess.editor.users'),
    exclude: t('admin.conditionalAccess.editor.exclude'),
    apps: t('admin.conditionalAccess.editor.apps'),
    clientApps: t('admin.conditionalAccess.editor.clientApps'),
    platforms: t('admin.conditionalAccess.editor.platforms'),
    locations: t('admin.conditionalAccess.editor.locations'),
    deviceStates: t('admin.conditionalAccess.editor.deviceStates'),
    grant: t('admin.conditionalAccess.editor.grant'),
    signInFrequency: t('admin.conditionalAccess.editor.signInFrequency'),
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(validateCaPolicy(values)).length > 0) return;
    const body = toCaPolicyInput(values);
    action.run(async () => {
      try {
        const saved = policy
          ? (await api.updateCaPolicy({ params: { id: policy.id }, body })).policy
          : (await api.createCaPolicy({ body })).policy;
        const notice = t(policy ? 'admin.conditionalAccess.editor.saved' : 'admin.conditionalAccess.editor.created', {
          name: saved.name,
        });
        leave.allowLeave();
        void navigate(`${CA_BASE}/policies`, { state: noticeState(notice) });
      } catch (error) {
        setRefused(serverIssues(error));
        throw error;
      }
    });
  };

  const card = (label: string, children: ReactNode, hint?: string, error?: string, required?: boolean) => (
    <FieldGroup label={label} hint={hint} error={error} required={required}>
      <div className={styles.card}>{children}</div>
    </FieldGroup>
  );

  const peoplePickers = (which: 'include' | 'exclude') => {
    const ids = which === 'include' ? users : users.exclude;
    const change = which === 'include' ? setUsers : setExclude;
    const input = (include: string, exclude: string) => (which === 'include' ? include : exclude);
    return (
      <div className={styles.pickers}>
        <Field label={t('admin.conditionalAccess.editor.pickUsers')}>
          <ChoicePicker
            choices={directory.users}
            value={ids.userIds}
            onChange={(userIds) => change({ userIds })}
            search={searchUsers}
            inputLabel={input(
              t('admin.conditionalAccess.editor.usersInput'),
              t('admin.conditionalAccess.editor.excludeUsersInput'),
            )}
            unknownLabel={t('admin.conditionalAccess.editor.unknownUser')}
            icon={<PersonRegular />}
            disabled={busy}
            testId={`ca-${which}-users`}
          />
        </Field>
        <Field label={t('admin.conditionalAccess.editor.pickGroups')}>
          <GroupPicker
            groups={directory.groups}
            kinds={['user']}
            value={ids.groupIds}
            onChange={(groupIds) => change({ groupIds })}
            inputLabel={input(
              t('admin.conditionalAccess.editor.groupsInput'),
              t('admin.conditionalAccess.editor.excludeGroupsInput'),
            )}
            disabled={busy}
            testId={`ca-${which}-groups`}
          />
        </Field>
        <Field label={t('admin.conditionalAccess.editor.pickRoles')}>
          <ChoicePicker
            choices={directory.roles}
            value={ids.roleIds}
            onChange={(roleIds) => change({ roleIds })}
            inputLabel={input(
              t('admin.conditionalAccess.editor.rolesInput'),
              t('admin.conditionalAccess.editor.excludeRolesInput'),
            )}
            unknownLabel={t('admin.conditionalAccess.editor.unknownRole')}
            icon={<ShieldPersonRegular />}
            disabled={busy}
            testId={`ca-${which}-roles`}
          />
        </Field>
      </div>
    );
  };

  return (
    <form className={styles.form} onSubmit={submit} noValidate>
      <Field label={t('admin.conditionalAccess.editor.name')} required validationMessage={message('name')}>
        <Input
          value={values.name}
          maxLength={CA_LIMITS.name + 1}
          disabled={busy}
          onChange={(_, d) => set({ name: d.value })}
          data-testid="ca-policy-name"
        />
      </Field>
      {directory.partial ? (
        <MessageBar intent="info">
          <MessageBarBody>{t('admin.conditionalAccess.editor.directoryHidden')}</MessageBarBody>
        </MessageBar>
      ) : null}
      {card(
        t('admin.conditionalAccess.editor.users'),
        <>
          <Field label={t('admin.conditionalAccess.editor.include')} validationMessage={message('users')}>
            <RadioGroup
              value={users.include}
              disabled={busy}
              onChange={(_, d) => setUsers({ include: d.value === 'all' ? 'all' : 'selected' })}
            >
              <Radio value="all" label={t('admin.conditionalAccess.editor.allUsers')} data-testid="ca-users-all" />
              <Radio
                value="selected"
                label={t('admin.conditionalAccess.editor.selectUsers')}
                data-testid="ca-users-selected"
              />
            </RadioGroup>
          </Field>
          {users.include === 'selected' ? peoplePickers('include') : null}
          <Field
            label={t('admin.conditionalAccess.editor.exclude')}
            hint={t('admin.conditionalAccess.editor.excludeHint')}
            validationMessage={message('exclude')}
          >
            {peoplePickers('exclude')}
          </Field>
        </>,
        t('admin.conditionalAccess.editor.usersHint'),
      )}
      {card(
        t('admin.conditionalAccess.editor.apps'),
        <>
          <RadioGroup
            layout="horizontal"
            value={values.apps.all ? 'all' : 'selected'}
            disabled={busy}
            onChange={(_, d) => set({ apps: { ...values.apps, all: d.value === 'all' } })}
            aria-label={t('admin.conditionalAccess.editor.apps')}
          >
            <Radio value="all" label={t('admin.conditionalAccess.editor.allApps')} />
            <Radio
              value="selected"
              label={t('admin.conditionalAccess.editor.selectApps')}
              data-testid="ca-apps-selected"
            />
          </RadioGroup>
          {values.apps.all ? null : (
            <Checks
              options={CA_APPS.map((value) => ({ value, label: t(`admin.conditionalAccess.apps.${value}`) }))}
              value={values.apps.selected}
              onChange={(selected) => set({ apps: { all: false, selected } })}
              disabled={busy}
              testId="ca-app"
            />
          )}
        </>,
        undefined,
        message('apps'),
      )}
      {card(
        t('admin.conditionalAccess.editor.conditions'),
        <CaConditions
          values={values}
          set={set}
          errors={errors}
          message={message}
          locations={directory.locations}
          disabled={busy}
        />,
        t('admin.conditionalAccess.editor.conditionsHint'),
      )}
      {card(
        t('admin.conditionalAccess.editor.grant'),
        <>
          <RadioGroup
            value={values.grant.kind}
            disabled={busy}
            onChange={(_, d) => set({ grant: { ...values.grant, kind: d.value === 'block' ? 'block' : 'grant' } })}
            aria-label={t('admin.conditionalAccess.editor.grant')}
          >
            <Radio value="block" label={t('admin.conditionalAccess.editor.block')} data-testid="ca-grant-block" />
            <Radio value="grant" label={t('admin.conditionalAccess.editor.grantAccess')} data-testid="ca-grant-grant" />
          </RadioGroup>
          {values.grant.kind === 'grant' ? (
            <>
              <Checks
                layout="column"
                options={GRANT_CONTROLS.map((value) => ({
                  value,
                  label: t(`admin.conditionalAccess.controls.${value}`),
                }))}
                value={values.grant.controls}
                onChange={(controls) => set({ grant: { ...values.grant, controls } })}
                disabled={busy}
                testId="ca-control"
              />
              <RadioGroup
                value={values.grant.operator}
                disabled={busy}
                onChange={(_, d) => set({ grant: { ...values.grant, operator: d.value === 'one' ? 'one' : 'all' } })}
                aria-label={t('admin.conditionalAccess.editor.grant')}
              >
                <Radio value="all" label={t('admin.conditionalAccess.editor.requireAll')} />
                <Radio value="one" label={t('admin.conditionalAccess.editor.requireOne')} />
              </RadioGroup>
            </>
          ) : null}
        </>,
        undefined,
        message('grant'),
      )}
      {card(
        t('admin.conditionalAccess.editor.session'),
        <>
          <Switch
            label={t('admin.conditionalAccess.editor.signInFrequency')}
            checked={values.signInFrequency.on}
            disabled={busy}
            onChange={(_, d) => set({ signInFrequency: { ...values.signInFrequency, on: d.checked } })}
            data-testid="ca-frequency"
          />
          {values.signInFrequency.on ? (
            <Field
              label={t('admin.conditionalAccess.editor.hours')}
              hint={t('admin.conditionalAccess.editor.signInFrequencyHint')}
              validationMessage={message('signInFrequency')}
            >
              <Input
                className={styles.number}
                inputMode="numeric"
                value={values.signInFrequency.hours}
                disabled={busy}
                onChange={(_, d) => set({ signInFrequency: { on: true, hours: d.value } })}
                data-testid="ca-frequency-hours"
              />
            </Field>
          ) : null}
        </>,
      )}
      <Field label={t('admin.conditionalAccess.editor.state')} hint={t('admin.conditionalAccess.editor.stateHint')}>
        <RadioGroup
          layout="horizontal"
          value={values.state}
          disabled={busy}
          onChange={(_, d) => set({ state: d.value === 'on' ? 'on' : d.value === 'off' ? 'off' : 'reportOnly' })}
        >
          <Radio
            value="reportOnly"
            label={t('admin.conditionalAccess.state.reportOnly')}
            data-testid="ca-state-reportOnly"
          />
          <Radio value="on" label={t('admin.conditionalAccess.state.on')} data-testid="ca-state-on" />
          <Radio value="off" label={t('admin.conditionalAccess.state.off')} data-testid="ca-state-off" />
        </RadioGroup>
      </Field>
      {locksEveryoneOut(values) ? (
        <MessageBar intent="warning" data-testid="ca-lockout-warning">
          <MessageBarBody>{t('admin.conditionalAccess.editor.lockout')}</MessageBarBody>
        </MessageBar>
      ) : null}
      {action.error ? (
        <MessageBar intent="error" data-testid="ca-policy-save-error" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>{errorText(t, action.error)}</MessageBarTitle>
            {refused.details.length > 0 ? (
              <>
                {t('admin.conditionalAccess.editor.serverRefused')}
                <ul className={styles.details}>
                  {refused.details.map((d, i) => (
                    <li key={i}>
                      {d.field ? `${sectionName[d.field]}: ` : ''}
                      {'key' in d ? t(d.key) : <bdi>{d.message}</bdi>}
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <div className={styles.actions}>
        <Button
          appearance="primary"
          type="submit"
          disabled={busy}
          icon={busy ? <BusySpinner /> : undefined}
          data-testid="ca-policy-submit"
        >
          {policy ? t('admin.conditionalAccess.editor.save') : t('admin.conditionalAccess.editor.create')}
        </Button>
        <Button disabled={busy} onClick={() => void navigate(`${CA_BASE}/policies`)}>
          {t('admin.roles.cancel')}
        </Button>
      </div>
    </form>
  );
}

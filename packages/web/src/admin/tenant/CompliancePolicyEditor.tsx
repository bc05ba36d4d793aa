/**
 * @module admin/tenant/CompliancePolicyEditor
 * `/admin/tenant/compliance/new` and `/admin/tenant/compliance/:policyId`: a compliance
 * policy's name, its rules over inventory (each a switch, with what a device must report),
 * and whom it applies to (all devices or device groups). Saving evaluates every device again.
 */
import { useCallback, useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import {
  Button,
  Caption1,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Radio,
  RadioGroup,
  Switch,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import type { CompliancePolicy, GroupView } from '@remote-help/protocol';
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
import type { ComplianceFormErrors, ComplianceFormValues, Os } from './complianceForm';
import { LIMITS, OSES, policyValues, toPolicyInput, validatePolicy } from './complianceForm';
import { OS_NAMES } from './ruleText';
import { BusySpinner } from '../../common/BusySpinner';
import { useLeaveGuard } from '../../common/LeaveGuard';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, maxWidth: '760px' },
  rules: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
    margin: 0,
    padding: tokens.spacingHorizontalL,
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  rule: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS },
  detail: { paddingInlineStart: '40px', display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  explain: { color: tokens.colorNeutralForeground2, paddingInlineStart: '40px' },
  number: { maxWidth: '180px' },
  actions: { display: 'flex', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' },
});

interface EditorData {
  policy?: CompliancePolicy;
  groups: GroupView[];
}

/** See the module description. */
export function CompliancePolicyEditor() {
  const { t } = useTranslation();
  const { policyId } = useParams();
  const load = useCallback(async (): Promise<EditorData> => {
    const [policies, groups] = await Promise.all([
      policyId ? api.listCompliancePolicies() : Promise.resolve({ policies: [] }),
      api.listGroups(),
    ]);
    return { policy: policies.policies.find((p) => p.id === policyId), groups: groups.groups };
  }, [policyId]);
  const { state, reload } = useLoader(load);
  const missing = state.status === 'ready' && policyId !== undefined && !state.data.policy;
  const policy = state.status === 'ready' ? state.data.policy : undefined;

  return (
    <Panel
      title={
        policy
          ? t('admin.tenant.compliance.editor.editTitle', { name: policy.name })
          : t('admin.tenant.compliance.editor.createTitle')
      }
      width="wide"
      data-testid="policy-editor"
    >
      <Crumbs
        items={[
          { label: t('admin.tenant.crumb') },
          { to: '/admin/tenant/compliance', label: t('admin.tenant.compliance.crumb') },
        ]}
        current={policy?.name ?? t('admin.tenant.compliance.create')}
      />
      <LoadState state={state} onRetry={reload} label={t('admin.tenant.compliance.loading')} />
      {missing ? (
        <MessageBar intent="error">
          <MessageBarBody>{t('admin.tenant.compliance.notFound')}</MessageBarBody>
        </MessageBar>
      ) : null}
      {state.status === 'ready' && !missing ? (
        <PolicyForm key={policy?.id ?? 'new'} policy={policy} groups={state.data.groups} />
      ) : null}
    </Panel>
  );
}

function PolicyForm({ policy, groups }: { policy?: CompliancePolicy; groups: GroupView[] }) {
  const { t } = useTranslation();
  const styles = useStyles();
  const navigate = useNavigate();
  const action = useAsyncAction();
  const [initial] = useState(() => policyValues(policy));
  const [values, setValues] = useState<ComplianceFormValues>(initial);
  const leave = useLeaveGuard(JSON.stringify(values) !== JSON.stringify(initial));
  const [submitted, setSubmitted] = useState(false);
  const errors: ComplianceFormErrors = submitted ? validatePolicy(values) : {};
  const set = (patch: Partial<ComplianceFormValues>) => setValues((v) => ({ ...v, ...patch }));
  const message = (key: ComplianceFormErrors[keyof ComplianceFormErrors]) =>
    key
      ? t(key, {
          name: LIMITS.name,
          groups: LIMITS.groups,
          minDays: LIMITS.days.min,
          maxDays: LIMITS.days.max,
        })
      : undefined;
  const deviceGroups = groups.filter((g) => g.kind === 'device');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(validatePolicy(values)).length > 0) return;
    const body = toPolicyInput(values);
    action.run(async () => {
      const saved = policy
        ? (await api.updateCompliancePolicy({ params: { id: policy.id }, body })).policy
        : (await api.createCompliancePolicy({ body })).policy;
      const notice = t(policy ? 'admin.tenant.compliance.editor.saved' : 'admin.tenant.compliance.editor.created', {
        name: saved.name,
      });
      leave.allowLeave();
      void navigate('/admin/tenant/compliance', { state: noticeState(notice) });
    });
  };

  const rule = (
    id: string,
    label: string,
    checked: boolean,
    onChange: (on: boolean) => void,
    explain: string,
    detail?: ReactNode,
  ) => (
    <div className={styles.rule}>
      <Switch
        label={label}
        checked={checked}
        disabled={action.busy}
        onChange={(_, d) => onChange(d.checked)}
        aria-describedby={`rule-${id}`}
        data-testid={`rule-${id}`}
      />
      <Caption1 id={`rule-${id}`} className={styles.explain}>
        {explain}
      </Caption1>
      {checked && detail ? <div className={styles.detail}>{detail}</div> : null}
    </div>
  );

  const minOs = (os: Os) =>
    rule(
      `minOs-${os}`,
      t('admin.tenant.compliance.editor.minOs', { os: OS_NAMES[os] }),
      values.minOs[os].on,
      (on) => set({ minOs: { ...values.minOs, [os]: { ...values.minOs[os], on } } }),
      t('admin.tenant.compliance.editor.minOsHint', { os: OS_NAMES[os] }),
      <Field label={t('admin.tenant.compliance.editor.version')} validationMessage={message(errors[os])}>
        <Input
          className={styles.number}
          value={values.minOs[os].version}
          placeholder={os === 'windows' ? '10.0.19045' : os === 'macos' ? '14.5' : '6.8'}
          disabled={action.busy}
          onChange={(_, d) => set({ minOs: { ...values.minOs, [os]: { on: true, version: d.value } } })}
        />
      </Field>,
    );

  return (
    <form className={styles.form} onSubmit={submit} noValidate>
      <Field label={t('admin.tenant.compliance.editor.name')} required validationMessage={message(errors.name)}>
        <Input value={values.name} maxLength={LIMITS.name + 1} onChange={(_, d) => set({ name: d.value })} />
      </Field>
      <FieldGroup
        label={t('admin.tenant.compliance.editor.rules')}
        required
        hint={t('admin.tenant.compliance.editor.rulesHint')}
        error={message(errors.rules)}
      >
        <div className={styles.rules}>
          {OSES.map((os) => (
            <div key={os}>{minOs(os)}</div>
          ))}
          {rule(
            'diskEncryption',
            t('admin.tenant.compliance.rule.diskEncryption'),
            values.diskEncryption,
            (on) => set({ diskEncryption: on }),
            t('admin.tenant.compliance.editor.diskEncryptionHint'),
          )}
          {rule(
            'firewall',
            t('admin.tenant.compliance.rule.firewall'),
            values.firewall,
            (on) => set({ firewall: on }),
            t('admin.tenant.compliance.editor.firewallHint'),
          )}
          {rule(
            'notVirtualMachine',
            t('admin.tenant.compliance.rule.notVirtualMachine'),
            values.notVirtualMachine,
            (on) => set({ notVirtualMachine: on }),
            t('admin.tenant.compliance.editor.notVirtualMachineHint'),
          )}
          {rule(
            'checkIn',
            t('admin.tenant.compliance.editor.checkIn'),
            values.checkIn.on,
            (on) => set({ checkIn: { ...values.checkIn, on } }),
            t('admin.tenant.compliance.editor.checkInHint'),
            <Field label={t('admin.tenant.compliance.editor.days')} validationMessage={message(errors.checkIn)}>
              <Input
                className={styles.number}
                inputMode="numeric"
                value={values.checkIn.days}
                disabled={action.busy}
                onChange={(_, d) => set({ checkIn: { on: true, days: d.value } })}
              />
            </Field>,
          )}
        </div>
      </FieldGroup>
      <Field
        label={t('admin.tenant.compliance.editor.assignment')}
        hint={t('admin.tenant.compliance.editor.assignmentHint')}
      >
        <RadioGroup
          value={values.assignment}
          onChange={(_, d) => set({ assignment: d.value === 'deviceGroups' ? 'deviceGroups' : 'allDevices' })}
          disabled={action.busy}
        >
          <Radio value="allDevices" label={t('admin.tenant.compliance.allDevices')} />
          <Radio value="deviceGroups" label={t('admin.tenant.compliance.editor.deviceGroups')} />
        </RadioGroup>
      </Field>
      {values.assignment === 'deviceGroups' ? (
        <Field label={t('admin.tenant.compliance.editor.groups')} required validationMessage={message(errors.groups)}>
          <GroupPicker
            groups={groups}
            kinds={['device']}
            value={values.groupIds}
            onChange={(groupIds) => set({ groupIds })}
            inputLabel={t('admin.tenant.compliance.editor.groupsInput')}
            disabled={action.busy}
            testId="policy-groups-picker"
          />
        </Field>
      ) : null}
      {values.assignment === 'deviceGroups' && deviceGroups.length === 0 ? (
        <MessageBar intent="warning">
          <MessageBarBody>{t('admin.tenant.compliance.editor.noDeviceGroups')}</MessageBarBody>
        </MessageBar>
      ) : null}
      {action.error ? (
        <MessageBar intent="error" data-testid="policy-save-error">
          <MessageBarBody>{errorText(t, action.error)}</MessageBarBody>
        </MessageBar>
      ) : null}
      <div className={styles.actions}>
        <Button
          appearance="primary"
          type="submit"
          disabled={action.busy}
          icon={action.busy ? <BusySpinner /> : undefined}
        >
          {policy ? t('admin.tenant.compliance.editor.save') : t('admin.tenant.compliance.editor.create')}
        </Button>
        <Button disabled={action.busy} onClick={() => void navigate('/admin/tenant/compliance')}>
          {t('admin.roles.cancel')}
        </Button>
      </div>
    </form>
  );
}

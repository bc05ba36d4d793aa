/**
 * @module admin/roles/AssignmentEditor
 * `/admin/roles/:roleId/assignments/new` and `…/assignments/:assignmentId`: one role
 * assignment — the role, its name, the member groups (user groups whose people get the
 * role), the scope (all users and devices, or user and device groups) and excluded groups
 * (never in scope). Checked before sending with the server's rules; saved, it applies to the
 * members' very next request.
 */
import { useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import {
  Button,
  Dropdown,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Option,
  Radio,
  RadioGroup,
  Textarea,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import type { AssignmentView } from '@remote-help/protocol';
import { ApiError, api } from '../../common/api';
import { errorText } from '../../common/errorText';
import { Panel } from '../../common/Panel';
import { useAsyncAction } from '../../common/useAsyncAction';
import type { AssignmentFormErrors, AssignmentFormValues } from './assignmentForm';
import { assignmentRequest, assignmentValues, validateAssignment } from './assignmentForm';
import { Crumbs } from './Crumbs';
import { GroupPicker } from './GroupPicker';
import { LoadState } from './LoadState';
import { noticeState } from './PageNotice';
import type { RbacData } from './rbacData';
import { loadRbacData } from './rbacData';
import { useLoader } from './useLoader';
import { BusySpinner } from '../../common/BusySpinner';
import { useLeaveGuard } from '../../common/LeaveGuard';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, maxWidth: '760px' },
  actions: { display: 'flex', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' },
});

/** See the module description. */
export function AssignmentEditor() {
  const { t } = useTranslation();
  const { roleId = '', assignmentId } = useParams();
  const { state, reload } = useLoader(loadRbacData);
  const role = state.status === 'ready' ? state.data.roles.find((r) => r.id === roleId) : undefined;
  const existing =
    state.status === 'ready' && assignmentId ? state.data.assignments.find((a) => a.id === assignmentId) : undefined;
  const missing = state.status === 'ready' && (!role || (assignmentId !== undefined && !existing));
  const title = existing
    ? t('admin.roles.assignmentEditor.editTitle', { name: existing.name })
    : t('admin.roles.assignmentEditor.createTitle', { role: role?.name ?? '' });

  return (
    <Panel title={title} width="wide" data-testid="assignment-editor">
      <Crumbs
        items={[
          { to: '/admin/roles', label: t('admin.roles.title') },
          ...(role ? [{ to: `/admin/roles/${encodeURIComponent(role.id)}?tab=assignments`, label: role.name }] : []),
        ]}
        current={existing?.name ?? t('admin.roles.assignments.add')}
      />
      <LoadState state={state} onRetry={reload} label={t('admin.roles.loading')} />
      {missing ? (
        <MessageBar intent="error">
          <MessageBarBody>{t('admin.roles.notFound')}</MessageBarBody>
        </MessageBar>
      ) : null}
      {state.status === 'ready' && role && !missing ? (
        <AssignmentForm key={existing?.id ?? 'new'} data={state.data} roleId={role.id} existing={existing} />
      ) : null}
    </Panel>
  );
}

function AssignmentForm({ data, roleId, existing }: { data: RbacData; roleId: string; existing?: AssignmentView }) {
  const { t } = useTranslation();
  const styles = useStyles();
  const navigate = useNavigate();
  const action = useAsyncAction();
  const [initial] = useState(() => assignmentValues(roleId, existing));
  const [values, setValues] = useState<AssignmentFormValues>(initial);
  const leave = useLeaveGuard(JSON.stringify(values) !== JSON.stringify(initial));
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<AssignmentFormErrors>({});
  const others = data.assignments.filter((a) => a.id !== existing?.id);
  const errors: AssignmentFormErrors = {
    ...(submitted ? validateAssignment(values, data.groups, others) : {}),
    ...serverErrors,
  };
  const set = (patch: Partial<AssignmentFormValues>) => {
    setServerErrors({});
    setValues((v) => ({ ...v, ...patch }));
  };
  const message = (key: AssignmentFormErrors[keyof AssignmentFormErrors]) => (key ? t(key, { max: 100 }) : undefined);
  const selectedRole = data.roles.find((r) => r.id === values.roleId);
  const userGroups = data.groups.filter((g) => g.kind === 'user');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(validateAssignment(values, data.groups, others)).length > 0) return;
    const body = assignmentRequest(values);
    action.run(async () => {
      try {
        const saved = existing
          ? (await api.replaceAssignment({ params: { id: existing.id }, body })).assignment
          : (await api.createAssignment({ body })).assignment;
        const notice = t(existing ? 'admin.roles.assignmentEditor.saved' : 'admin.roles.assignmentEditor.created', {
          name: saved.name,
        });
        leave.allowLeave();
        void navigate(`/admin/roles/${encodeURIComponent(saved.roleId)}?tab=assignments`, {
          state: noticeState(notice),
        });
      } catch (error) {
        if (error instanceof ApiError && error.code === 'conflict') {
          setServerErrors({ name: 'admin.roles.assignmentEditor.nameTaken' });
          return;
        }
        throw error;
      }
    });
  };

  return (
    <form className={styles.form} onSubmit={submit} noValidate>
      <Field label={t('admin.roles.assignmentEditor.role')} hint={t('admin.roles.assignmentEditor.roleHint')}>
        <Dropdown
          value={selectedRole?.name ?? ''}
          selectedOptions={[values.roleId]}
          onOptionSelect={(_, d) => d.optionValue && set({ roleId: d.optionValue })}
          disabled={action.busy}
        >
          {data.roles.map((r) => (
            <Option key={r.id} value={r.id} text={r.name}>
              {r.name}
            </Option>
          ))}
        </Dropdown>
      </Field>
      <Field label={t('admin.roles.assignmentEditor.name')} required validationMessage={message(errors.name)}>
        <Input value={values.name} maxLength={129} onChange={(_, d) => set({ name: d.value })} />
      </Field>
      <Field label={t('admin.roles.assignmentEditor.description')} validationMessage={message(errors.description)}>
        <Textarea
          value={values.description}
          maxLength={1001}
          resize="vertical"
          onChange={(_, d) => set({ description: d.value })}
        />
      </Field>
      <Field
        label={t('admin.roles.assignmentEditor.members')}
        required
        hint={t('admin.roles.assignmentEditor.membersHint')}
        validationMessage={message(errors.members)}
      >
        <GroupPicker
          groups={data.groups}
          kinds={['user']}
          value={values.members}
          onChange={(members) => set({ members })}
          inputLabel={t('admin.roles.assignmentEditor.membersInput')}
          disabled={action.busy}
          testId="members-picker"
        />
      </Field>
      {userGroups.length === 0 ? (
        <MessageBar intent="warning">
          <MessageBarBody>{t('admin.roles.assignmentEditor.noUserGroups')}</MessageBarBody>
        </MessageBar>
      ) : null}
      <Field label={t('admin.roles.assignmentEditor.scope')} hint={t('admin.roles.assignmentEditor.scopeHint')}>
        <RadioGroup
          value={values.scopeAll ? 'all' : 'groups'}
          onChange={(_, d) => set({ scopeAll: d.value === 'all' })}
          disabled={action.busy}
        >
          <Radio value="groups" label={t('admin.roles.assignmentEditor.scopeGroups')} />
          <Radio value="all" label={t('admin.roles.assignmentEditor.scopeAll')} />
        </RadioGroup>
      </Field>
      {values.scopeAll ? null : (
        <Field
          label={t('admin.roles.assignmentEditor.scopeGroupsLabel')}
          required
          hint={t('admin.roles.assignmentEditor.scopeGroupsHint')}
          validationMessage={message(errors.scopeGroups)}
        >
          <GroupPicker
            groups={data.groups}
            kinds={['user', 'device']}
            value={values.scopeGroups}
            onChange={(scopeGroups) => set({ scopeGroups })}
            inputLabel={t('admin.roles.assignmentEditor.scopeGroupsInput')}
            disabled={action.busy}
            testId="scope-picker"
          />
        </Field>
      )}
      <Field
        label={t('admin.roles.assignmentEditor.excluded')}
        hint={t('admin.roles.assignmentEditor.excludedHint')}
        validationMessage={message(errors.excluded)}
      >
        <GroupPicker
          groups={data.groups}
          kinds={['user', 'device']}
          value={values.excluded}
          onChange={(excluded) => set({ excluded })}
          inputLabel={t('admin.roles.assignmentEditor.excludedInput')}
          disabled={action.busy}
          testId="excluded-picker"
        />
      </Field>
      {action.error ? (
        <MessageBar intent="error" data-testid="assignment-save-error">
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
          {existing ? t('admin.roles.assignmentEditor.save') : t('admin.roles.assignmentEditor.create')}
        </Button>
        <Button
          disabled={action.busy}
          onClick={() => void navigate(`/admin/roles/${encodeURIComponent(roleId)}?tab=assignments`)}
        >
          {t('admin.roles.cancel')}
        </Button>
      </div>
    </form>
  );
}

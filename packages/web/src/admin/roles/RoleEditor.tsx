/**
 * @module admin/roles/RoleEditor
 * `/admin/roles/new` and `/admin/roles/:roleId/edit`: a custom role's name, description and
 * permissions. Checked here with the server's limits before sending; the server checks again
 * (a name taken meanwhile is shown on the name field). Built-in roles cannot be edited.
 */
import { useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import {
  Button,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Textarea,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import type { Permission, RoleView } from '@remote-help/protocol';
import { ApiError, api } from '../../common/api';
import { errorText } from '../../common/errorText';
import { Panel } from '../../common/Panel';
import { useAsyncAction } from '../../common/useAsyncAction';
import { Crumbs } from './Crumbs';
import { FieldGroup } from './FieldGroup';
import { LoadState } from './LoadState';
import { noticeState } from './PageNotice';
import { PermissionPicker } from './PermissionPicker';
import { loadRbacData } from './rbacData';
import type { RoleFormErrors, RoleFormValues } from './roleForm';
import { DESCRIPTION_MAX, NAME_MAX, validateRole } from './roleForm';
import { useLoader } from './useLoader';
import { BusySpinner } from '../../common/BusySpinner';
import { useLeaveGuard } from '../../common/LeaveGuard';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
  actions: { display: 'flex', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' },
});

/** See the module description. */
export function RoleEditor({ mode }: { mode: 'create' | 'edit' }) {
  const { t } = useTranslation();
  const { roleId } = useParams();
  const { state, reload } = useLoader(loadRbacData);
  const role = state.status === 'ready' && mode === 'edit' ? state.data.roles.find((r) => r.id === roleId) : undefined;
  const title = mode === 'create' ? t('admin.roles.editor.createTitle') : t('admin.roles.editor.editTitle');

  let body;
  if (state.status !== 'ready') body = <LoadState state={state} onRetry={reload} label={t('admin.roles.loading')} />;
  else if (mode === 'edit' && !role)
    body = (
      <MessageBar intent="error">
        <MessageBarBody>{t('admin.roles.notFound')}</MessageBarBody>
      </MessageBar>
    );
  else if (role?.builtIn)
    body = (
      <MessageBar intent="info">
        <MessageBarBody>{t('admin.roles.detail.builtInNote')}</MessageBarBody>
      </MessageBar>
    );
  else body = <RoleForm roles={state.data.roles} role={role} />;

  return (
    <Panel
      title={role ? t('admin.roles.editor.editTitleNamed', { name: role.name }) : title}
      width="wide"
      data-testid="role-editor"
    >
      <Crumbs
        items={[
          { to: '/admin/roles', label: t('admin.roles.title') },
          ...(role ? [{ to: `/admin/roles/${encodeURIComponent(role.id)}`, label: role.name }] : []),
        ]}
        current={role ? t('admin.roles.detail.edit') : t('admin.roles.create')}
      />
      {body}
    </Panel>
  );
}

function RoleForm({ roles, role }: { roles: readonly RoleView[]; role?: RoleView }) {
  const { t } = useTranslation();
  const styles = useStyles();
  const navigate = useNavigate();
  const action = useAsyncAction();
  const [initial] = useState<RoleFormValues>(() => ({
    name: role?.name ?? '',
    description: role?.description ?? '',
    permissions: role ? [...role.permissions] : [],
  }));
  const [values, setValues] = useState<RoleFormValues>(initial);
  const leave = useLeaveGuard(JSON.stringify(values) !== JSON.stringify(initial));
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<RoleFormErrors>({});
  const errors: RoleFormErrors = { ...(submitted ? validateRole(values, roles, role?.id) : {}), ...serverErrors };
  const set = (patch: Partial<RoleFormValues>) => {
    setServerErrors({});
    setValues((v) => ({ ...v, ...patch }));
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(validateRole(values, roles, role?.id)).length > 0) return;
    const body = { name: values.name.trim(), description: values.description.trim(), permissions: values.permissions };
    action.run(async () => {
      try {
        const saved = role
          ? (await api.updateRole({ params: { id: role.id }, body })).role
          : (await api.createRole({ body })).role;
        const notice = role
          ? t('admin.roles.editor.saved', { name: saved.name })
          : t('admin.roles.editor.created', { name: saved.name });
        leave.allowLeave();
        void navigate(`/admin/roles/${encodeURIComponent(saved.id)}`, { state: noticeState(notice) });
      } catch (error) {
        if (error instanceof ApiError && error.code === 'conflict') {
          setServerErrors({ name: 'admin.roles.editor.nameTaken' });
          return;
        }
        throw error;
      }
    });
  };

  const cancelTo = role ? `/admin/roles/${encodeURIComponent(role.id)}` : '/admin/roles';
  return (
    <form className={styles.form} onSubmit={submit} noValidate>
      <Field
        label={t('admin.roles.editor.name')}
        required
        hint={t('admin.roles.editor.nameHint')}
        validationMessage={errors.name ? t(errors.name) : undefined}
      >
        <Input value={values.name} maxLength={NAME_MAX + 1} onChange={(_, d) => set({ name: d.value })} />
      </Field>
      <Field
        label={t('admin.roles.editor.description')}
        validationMessage={errors.description ? t(errors.description) : undefined}
      >
        <Textarea
          value={values.description}
          maxLength={DESCRIPTION_MAX + 1}
          resize="vertical"
          onChange={(_, d) => set({ description: d.value })}
        />
      </Field>
      <FieldGroup
        label={t('admin.roles.editor.permissions')}
        required
        hint={t('admin.roles.editor.permissionsHint')}
        error={errors.permissions ? t(errors.permissions) : undefined}
      >
        <PermissionPicker
          value={values.permissions}
          onChange={(permissions: Permission[]) => set({ permissions })}
          disabled={action.busy}
        />
      </FieldGroup>
      {action.error ? (
        <MessageBar intent="error" data-testid="role-save-error">
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
          {role ? t('admin.roles.editor.save') : t('admin.roles.editor.create')}
        </Button>
        <Button disabled={action.busy} onClick={() => void navigate(cancelTo)}>
          {t('admin.roles.editor.cancel')}
        </Button>
      </div>
    </form>
  );
}

/**
 * @module admin/roles/RoleDetail
 * `/admin/roles/:roleId`: one role. "Properties" lists what it allows (Yes/No per
 * permission); a custom role can be edited or deleted there. "Assignments" lists who has the
 * role and whom they may help, with Assign, Edit and Delete. A role that assignments still
 * give cannot be deleted: the dialog names them instead.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import {
  Badge,
  Body1,
  Button,
  MessageBar,
  MessageBarBody,
  Tab,
  TabList,
  Toolbar,
  ToolbarButton,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { DeleteRegular, EditRegular } from '@fluentui/react-icons';
import type { RoleView } from '@remote-help/protocol';
import { ApiError, api } from '../../common/api';
import { Panel } from '../../common/Panel';
import { AssignmentList } from './AssignmentList';
import { ConfirmDialog } from '../common/ConfirmDialog';
import { Crumbs } from './Crumbs';
import { LoadState } from './LoadState';
import { SuccessNotice, noticeState, usePageNotice } from './PageNotice';
import { PermissionTable } from './PermissionTable';
import type { RbacData } from './rbacData';
import { assignmentsOf, loadRbacData } from './rbacData';
import { useLoader } from './useLoader';

const useStyles = makeStyles({
  header: { display: 'flex', gap: tokens.spacingHorizontalM, alignItems: 'center', flexWrap: 'wrap' },
  description: { color: tokens.colorNeutralForeground2 },
  toolbar: { paddingInline: 0 },
  inUse: { margin: 0, paddingInlineStart: tokens.spacingHorizontalXL },
});

type TabValue = 'properties' | 'assignments';

/** See the module description. */
export function RoleDetail() {
  const { t } = useTranslation();
  const { roleId = '' } = useParams();
  const { state, reload } = useLoader(loadRbacData);
  const [notice, setNotice] = usePageNotice();
  const role = state.status === 'ready' ? state.data.roles.find((r) => r.id === roleId) : undefined;

  return (
    <Panel title={role?.name ?? t('admin.roles.title')} width="wide" data-testid="role-detail">
      <Crumbs items={[{ to: '/admin/roles', label: t('admin.roles.title') }]} current={role?.name} />
      <SuccessNotice text={notice} onDismiss={() => setNotice(null)} />
      <LoadState state={state} onRetry={reload} label={t('admin.roles.loading')} />
      {state.status === 'ready' && !role ? (
        <MessageBar intent="error">
          <MessageBarBody>{t('admin.roles.notFound')}</MessageBarBody>
        </MessageBar>
      ) : null}
      {state.status === 'ready' && role ? (
        <RoleBody role={role} data={state.data} onChanged={reload} onNotice={setNotice} />
      ) : null}
    </Panel>
  );
}

function RoleBody({
  role,
  data,
  onChanged,
  onNotice,
}: {
  role: RoleView;
  data: RbacData;
  onChanged: () => void;
  onNotice: (text: string) => void;
}) {
  const { t } = useTranslation();
  const styles = useStyles();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const tab: TabValue = params.get('tab') === 'assignments' ? 'assignments' : 'properties';
  const [deleting, setDeleting] = useState(false);
  const [inUseOnServer, setInUseOnServer] = useState(false);
  const assignments = assignmentsOf(data, role.id);
  const base = `/admin/roles/${encodeURIComponent(role.id)}`;

  const deleteRole = async () => {
    try {
      await api.deleteRole({ params: { id: role.id } });
    } catch (error) {
      // An assignment made meanwhile (elsewhere): say so and show it.
      if (error instanceof ApiError && error.code === 'conflict') {
        setInUseOnServer(true);
        onChanged();
        return false;
      }
      throw error;
    }
    void navigate('/admin/roles', { state: noticeState(t('admin.roles.delete.deleted', { name: role.name })) });
    return true;
  };

  return (
    <>
      <div className={styles.header}>
        <Badge appearance="tint" color={role.builtIn ? 'informative' : 'brand'}>
          {t(role.builtIn ? 'admin.roles.builtIn' : 'admin.roles.custom')}
        </Badge>
        {role.description ? <Body1 className={styles.description}>{role.description}</Body1> : null}
      </div>
      <TabList
        selectedValue={tab}
        onTabSelect={(_, d) => setParams(d.value === 'assignments' ? { tab: 'assignments' } : {}, { replace: true })}
      >
        <Tab value="properties">{t('admin.roles.detail.properties')}</Tab>
        <Tab value="assignments" data-testid="assignments-tab">
          {t('admin.roles.detail.assignmentsTab', { count: assignments.length })}
        </Tab>
      </TabList>
      {tab === 'properties' ? (
        <>
          {role.builtIn ? (
            <MessageBar intent="info">
              <MessageBarBody>{t('admin.roles.detail.builtInNote')}</MessageBarBody>
            </MessageBar>
          ) : (
            <Toolbar className={styles.toolbar} aria-label={t('admin.roles.toolbar')}>
              <ToolbarButton icon={<EditRegular />} onClick={() => void navigate(`${base}/edit`)}>
                {t('admin.roles.detail.edit')}
              </ToolbarButton>
              <ToolbarButton
                icon={<DeleteRegular />}
                onClick={() => {
                  setInUseOnServer(false);
                  setDeleting(true);
                }}
              >
                {t('admin.roles.detail.delete')}
              </ToolbarButton>
            </Toolbar>
          )}
          <PermissionTable permissions={role.permissions} />
        </>
      ) : (
        <AssignmentList role={role} data={data} onChanged={onChanged} onNotice={onNotice} />
      )}
      <ConfirmDialog
        open={deleting}
        title={t('admin.roles.delete.title', { name: role.name })}
        confirmLabel={t('admin.roles.delete.confirm')}
        confirmDisabled={assignments.length > 0}
        onConfirm={deleteRole}
        onClose={() => setDeleting(false)}
        testId="delete-role-dialog"
      >
        {assignments.length > 0 ? (
          <MessageBar intent="warning" layout="multiline" data-testid="role-in-use">
            <MessageBarBody>
              {t(inUseOnServer ? 'admin.roles.delete.inUseNow' : 'admin.roles.delete.inUse', {
                name: role.name,
                count: assignments.length,
              })}
              <ul className={styles.inUse}>
                {assignments.map((a) => (
                  <li key={a.id}>{a.name}</li>
                ))}
              </ul>
            </MessageBarBody>
          </MessageBar>
        ) : (
          <Body1>{t('admin.roles.delete.body', { name: role.name })}</Body1>
        )}
        {assignments.length > 0 ? (
          <Button
            appearance="secondary"
            onClick={() => {
              setDeleting(false);
              setParams({ tab: 'assignments' }, { replace: true });
            }}
          >
            {t('admin.roles.delete.showAssignments')}
          </Button>
        ) : null}
      </ConfirmDialog>
    </>
  );
}

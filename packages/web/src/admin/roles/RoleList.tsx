/**
 * @module admin/roles/RoleList
 * `/admin/roles`: every role, the built-in ones first (read-only) and the organization's
 * custom roles, with how many permissions each grants and how many assignments give it.
 * "Create custom role" opens the editor; a role's name opens its page.
 */
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import {
  Badge,
  Body1,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Toolbar,
  ToolbarButton,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { AddRegular, ArrowClockwiseRegular } from '@fluentui/react-icons';
import { Panel } from '../../common/Panel';
import { AppLink } from './AppLink';
import { LoadState } from './LoadState';
import { SuccessNotice, usePageNotice } from './PageNotice';
import { assignmentsOf, loadRbacData } from './rbacData';
import { useLoader } from './useLoader';

const useStyles = makeStyles({
  description: { color: tokens.colorNeutralForeground2 },
  toolbar: { paddingInline: 0 },
  number: { whiteSpace: 'nowrap' },
  colName: { width: '22%' },
  colType: { width: '14%' },
  colDescription: { width: '40%' },
  colCount: { width: '12%' },
});

/** See the module description. */
export function RoleList() {
  const { t } = useTranslation();
  const styles = useStyles();
  const navigate = useNavigate();
  const { state, reload } = useLoader(loadRbacData);
  const [notice, setNotice] = usePageNotice();

  return (
    <Panel title={t('admin.roles.title')} width="wide" data-testid="role-list">
      <Body1>{t('admin.roles.intro')}</Body1>
      <SuccessNotice text={notice} onDismiss={() => setNotice(null)} />
      <Toolbar className={styles.toolbar} aria-label={t('admin.roles.toolbar')}>
        <ToolbarButton appearance="primary" icon={<AddRegular />} onClick={() => void navigate('/admin/roles/new')}>
          {t('admin.roles.create')}
        </ToolbarButton>
        <ToolbarButton icon={<ArrowClockwiseRegular />} onClick={reload}>
          {t('admin.roles.refresh')}
        </ToolbarButton>
      </Toolbar>
      <LoadState state={state} onRetry={reload} label={t('admin.roles.loading')} />
      {state.status === 'ready' ? (
        <Table aria-label={t('admin.roles.title')}>
          <TableHeader>
            <TableRow>
              <TableHeaderCell className={styles.colName}>{t('admin.roles.columns.name')}</TableHeaderCell>
              <TableHeaderCell className={styles.colType}>{t('admin.roles.columns.type')}</TableHeaderCell>
              <TableHeaderCell className={styles.colDescription}>
                {t('admin.roles.columns.description')}
              </TableHeaderCell>
              <TableHeaderCell className={styles.colCount}>{t('admin.roles.columns.permissions')}</TableHeaderCell>
              <TableHeaderCell className={styles.colCount}>{t('admin.roles.columns.assignments')}</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {state.data.roles.map((role) => (
              <TableRow key={role.id} data-testid="role-row" data-role={role.name}>
                <TableCell>
                  <AppLink to={`/admin/roles/${encodeURIComponent(role.id)}`}>{role.name}</AppLink>
                </TableCell>
                <TableCell>
                  <Badge appearance="tint" color={role.builtIn ? 'informative' : 'brand'}>
                    {t(role.builtIn ? 'admin.roles.builtIn' : 'admin.roles.custom')}
                  </Badge>
                </TableCell>
                <TableCell className={styles.description}>{role.description}</TableCell>
                <TableCell className={styles.number}>
                  {t('admin.roles.permissionCount', { count: role.permissions.length })}
                </TableCell>
                <TableCell className={styles.number}>{assignmentsOf(state.data, role.id).length}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : null}
    </Panel>
  );
}

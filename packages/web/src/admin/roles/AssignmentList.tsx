/**
 * @module admin/roles/AssignmentList
 * The assignments of one role (its "Assignments" tab): who gets the role (member groups),
 * whom they may help (scope: all users and devices, or groups) and who is never in scope
 * (excluded groups). Assign opens the editor; Delete asks first.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import {
  Body1,
  Button,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  Toolbar,
  ToolbarButton,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { AddRegular, DeleteRegular, EditRegular } from '@fluentui/react-icons';
import type { AssignmentView, RoleView } from '@remote-help/protocol';
import { api } from '../../common/api';
import { AppLink } from './AppLink';
import { ConfirmDialog } from '../common/ConfirmDialog';
import type { RbacData } from './rbacData';
import { assignmentsOf, groupNames } from './rbacData';

const useStyles = makeStyles({
  toolbar: { paddingInline: 0 },
  muted: { color: tokens.colorNeutralForeground3 },
  srOnly: {
    position: 'absolute',
    width: '1px',
    height: '1px',
    overflow: 'hidden',
    clipPath: 'inset(50%)',
    whiteSpace: 'nowrap',
  },
  actions: { display: 'flex', gap: tokens.spacingHorizontalXS, justifyContent: 'flex-end' },
  empty: {
    padding: tokens.spacingVerticalXL,
    textAlign: 'center',
    color: tokens.colorNeutralForeground2,
    border: `1px dashed ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
});

export interface AssignmentListProps {
  role: RoleView;
  data: RbacData;
  onChanged: () => void;
  onNotice: (text: string) => void;
}

/** See the module description. */
export function AssignmentList({ role, data, onChanged, onNotice }: AssignmentListProps) {
  const { t } = useTranslation();
  const styles = useStyles();
  const navigate = useNavigate();
  const [deleting, setDeleting] = useState<AssignmentView | null>(null);
  const assignments = assignmentsOf(data, role.id);
  const base = `/admin/roles/${encodeURIComponent(role.id)}/assignments`;
  const names = (ids: readonly string[]) => groupNames(data, ids).join(', ');

  return (
    <>
      <Body1>{t('admin.roles.assignments.intro')}</Body1>
      <Toolbar className={styles.toolbar} aria-label={t('admin.roles.toolbar')}>
        <ToolbarButton appearance="primary" icon={<AddRegular />} onClick={() => void navigate(`${base}/new`)}>
          {t('admin.roles.assignments.add')}
        </ToolbarButton>
      </Toolbar>
      {assignments.length === 0 ? (
        <div className={styles.empty} data-testid="assignments-empty">
          {t('admin.roles.assignments.empty')}
        </div>
      ) : (
        <Table aria-label={t('admin.roles.assignments.title')} data-testid="assignment-table">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>{t('admin.roles.assignments.columns.name')}</TableHeaderCell>
              <TableHeaderCell>{t('admin.roles.assignments.columns.members')}</TableHeaderCell>
              <TableHeaderCell>{t('admin.roles.assignments.columns.scope')}</TableHeaderCell>
              <TableHeaderCell>{t('admin.roles.assignments.columns.excluded')}</TableHeaderCell>
              <TableHeaderCell>
                <span className={styles.srOnly}>{t('admin.roles.assignments.columns.actions')}</span>
              </TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {assignments.map((a) => (
              <TableRow key={a.id} data-testid="assignment-row" data-assignment={a.name}>
                <TableCell>
                  <AppLink to={`${base}/${encodeURIComponent(a.id)}`}>{a.name}</AppLink>
                </TableCell>
                <TableCell>{names(a.members)}</TableCell>
                <TableCell>{a.scope.all ? t('admin.roles.assignments.allScope') : names(a.scope.groups)}</TableCell>
                <TableCell>
                  {a.scope.excluded.length ? (
                    names(a.scope.excluded)
                  ) : (
                    <Text className={styles.muted}>{t('admin.roles.assignments.none')}</Text>
                  )}
                </TableCell>
                <TableCell>
                  <div className={styles.actions}>
                    <Button
                      appearance="subtle"
                      icon={<EditRegular />}
                      aria-label={t('admin.roles.assignments.editNamed', { name: a.name })}
                      onClick={() => void navigate(`${base}/${encodeURIComponent(a.id)}`)}
                    />
                    <Button
                      appearance="subtle"
                      icon={<DeleteRegular />}
                      aria-label={t('admin.roles.assignments.deleteNamed', { name: a.name })}
                      onClick={() => setDeleting(a)}
                    />
                  </div>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      <ConfirmDialog
        open={deleting !== null}
        title={t('admin.roles.assignments.deleteTitle')}
        confirmLabel={t('admin.roles.assignments.deleteConfirm')}
        onConfirm={async () => {
          if (!deleting) return;
          await api.deleteAssignment({ params: { id: deleting.id } });
          onNotice(t('admin.roles.assignments.deleted', { name: deleting.name }));
          onChanged();
        }}
        onClose={() => setDeleting(null)}
        testId="delete-assignment-dialog"
      >
        <Body1>
          {deleting
            ? t('admin.roles.assignments.deleteBody', {
                name: deleting.name,
                role: role.name,
                members: names(deleting.members),
              })
            : null}
        </Body1>
      </ConfirmDialog>
    </>
  );
}

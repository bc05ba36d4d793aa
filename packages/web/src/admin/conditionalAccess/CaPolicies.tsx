/**
 * @module admin/conditionalAccess/CaPolicies
 * Conditional access > Policies: the organization's policies — name, state (On, Off,
 * Report-only) as a badge, what each grants or blocks in a short sentence, the apps and
 * people it targets — with New policy, Edit, and Delete (asks first).
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import {
  Badge,
  Body1,
  Button,
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
import type { BadgeProps } from '@fluentui/react-components';
import { AddRegular, ArrowClockwiseRegular, DeleteRegular, EditRegular } from '@fluentui/react-icons';
import type { CaPolicy } from '@remote-help/protocol';
import { api } from '../../common/api';
import { ConfirmDialog } from '../common/ConfirmDialog';
import { DateTime, useReportStyles } from '../reports/ReportParts';
import { AppLink } from '../roles/AppLink';
import { LoadState } from '../roles/LoadState';
import { SuccessNotice, usePageNotice } from '../roles/PageNotice';
import { useLoader } from '../roles/useLoader';
import { CA_BASE, CaFrame } from './CaFrame';
import { appsText, grantSentence, usersText } from './caText';

const useStyles = makeStyles({
  toolbar: { paddingInline: 0 },
  actions: { display: 'flex', gap: tokens.spacingHorizontalXS, justifyContent: 'flex-end' },
  empty: {
    padding: tokens.spacingVerticalXL,
    textAlign: 'center',
    color: tokens.colorNeutralForeground2,
    border: `1px dashed ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
});

/** The colour of a state's badge: On is green, Report-only blue, Off grey. */
export const STATE_COLOR: Record<CaPolicy['state'], BadgeProps['color']> = {
  on: 'success',
  reportOnly: 'informative',
  off: 'subtle',
};

const loadPolicies = async () => (await api.listCaPolicies()).policies;

/** See the module description. */
export function CaPolicies() {
  const { t, i18n } = useTranslation();
  const styles = useStyles();
  const report = useReportStyles();
  const navigate = useNavigate();
  const { state, reload } = useLoader(loadPolicies);
  const [notice, setNotice] = usePageNotice();
  const [deleting, setDeleting] = useState<CaPolicy | null>(null);

  return (
    <CaFrame tab="policies">
      <SuccessNotice text={notice} onDismiss={() => setNotice(null)} />
      <Toolbar className={styles.toolbar} aria-label={t('admin.conditionalAccess.policies.toolbar')}>
        <ToolbarButton
          appearance="primary"
          icon={<AddRegular />}
          onClick={() => void navigate(`${CA_BASE}/policies/new`)}
          data-testid="ca-new-policy"
        >
          {t('admin.conditionalAccess.policies.create')}
        </ToolbarButton>
        <ToolbarButton icon={<ArrowClockwiseRegular />} onClick={reload}>
          {t('admin.conditionalAccess.refresh')}
        </ToolbarButton>
      </Toolbar>
      <LoadState state={state} onRetry={reload} label={t('admin.conditionalAccess.loading')} />
      {state.status === 'ready' && state.data.length === 0 ? (
        <div className={styles.empty} data-testid="ca-policies-empty">
          {t('admin.conditionalAccess.policies.empty')}
        </div>
      ) : null}
      {state.status === 'ready' && state.data.length > 0 ? (
        <div className={report.tableWrap}>
          <Table
            className={report.table}
            aria-label={t('admin.conditionalAccess.policies.tableLabel')}
            data-testid="ca-policy-table"
          >
            <TableHeader>
              <TableRow>
                <TableHeaderCell>{t('admin.conditionalAccess.policies.columns.name')}</TableHeaderCell>
                <TableHeaderCell>{t('admin.conditionalAccess.policies.columns.state')}</TableHeaderCell>
                <TableHeaderCell>{t('admin.conditionalAccess.policies.columns.grant')}</TableHeaderCell>
                <TableHeaderCell>{t('admin.conditionalAccess.policies.columns.apps')}</TableHeaderCell>
                <TableHeaderCell>{t('admin.conditionalAccess.policies.columns.users')}</TableHeaderCell>
                <TableHeaderCell>{t('admin.conditionalAccess.policies.columns.modified')}</TableHeaderCell>
                <TableHeaderCell aria-label={t('admin.conditionalAccess.policies.columns.actions')} />
              </TableRow>
            </TableHeader>
            <TableBody>
              {state.data.map((policy) => {
                const to = `${CA_BASE}/policies/${encodeURIComponent(policy.id)}`;
                return (
                  <TableRow key={policy.id} data-testid="ca-policy-row" data-policy={policy.name}>
                    <TableCell>
                      <AppLink to={to}>{policy.name}</AppLink>
                    </TableCell>
                    <TableCell className={report.nowrap}>
                      <Badge
                        className={report.nowrap}
                        appearance="tint"
                        color={STATE_COLOR[policy.state]}
                        data-state={policy.state}
                        data-testid="ca-policy-state"
                      >
                        {t(`admin.conditionalAccess.state.${policy.state}`)}
                      </Badge>
                    </TableCell>
                    <TableCell data-testid="ca-policy-grant">{grantSentence(t, i18n.language, policy)}</TableCell>
                    <TableCell data-testid="ca-policy-apps">{appsText(t, i18n.language, policy.apps)}</TableCell>
                    <TableCell>{usersText(t, policy.users)}</TableCell>
                    <TableCell className={report.nowrap}>
                      <DateTime iso={policy.updatedAt} />
                    </TableCell>
                    <TableCell>
                      <div className={styles.actions}>
                        <Button
                          appearance="subtle"
                          icon={<EditRegular />}
                          aria-label={t('admin.conditionalAccess.policies.editNamed', { name: policy.name })}
                          onClick={() => void navigate(to)}
                        />
                        <Button
                          appearance="subtle"
                          icon={<DeleteRegular />}
                          aria-label={t('admin.conditionalAccess.policies.deleteNamed', { name: policy.name })}
                          onClick={() => setDeleting(policy)}
                        />
                      </div>
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </div>
      ) : null}
      <ConfirmDialog
        open={deleting !== null}
        title={t('admin.conditionalAccess.policies.deleteTitle', { name: deleting?.name ?? '' })}
        confirmLabel={t('admin.conditionalAccess.policies.deleteConfirm')}
        danger
        onConfirm={async () => {
          if (!deleting) return;
          await api.deleteCaPolicy({ params: { id: deleting.id } });
          setNotice(t('admin.conditionalAccess.policies.deleted', { name: deleting.name }));
          reload();
        }}
        onClose={() => setDeleting(null)}
        testId="ca-delete-policy-dialog"
      >
        <Body1>{t('admin.conditionalAccess.policies.deleteBody')}</Body1>
      </ConfirmDialog>
    </CaFrame>
  );
}

/**
 * @module admin/tenant/CompliancePolicies
 * `/admin/tenant/compliance`: the organization's compliance policies (their rules, whom each
 * applies to, and how many of those devices pass or fail it, evaluated now by the server), the
 * overall count of compliant, noncompliant and not evaluated devices, and Create, Edit and
 * Delete (which asks first).
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import {
  Body1,
  Button,
  Caption1,
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
import { AddRegular, ArrowClockwiseRegular, DeleteRegular, EditRegular } from '@fluentui/react-icons';
import type { CompliancePolicy, ComplianceStatus, GroupView } from '@remote-help/protocol';
import { api } from '../../common/api';
import { Panel } from '../../common/Panel';
import { AppLink } from '../roles/AppLink';
import { ConfirmDialog } from '../common/ConfirmDialog';
import { Crumbs } from '../roles/Crumbs';
import { LoadState } from '../roles/LoadState';
import { SuccessNotice, usePageNotice } from '../roles/PageNotice';
import { useLoader } from '../roles/useLoader';
import { ruleSummary } from './ruleText';

const useStyles = makeStyles({
  toolbar: { paddingInline: 0 },
  summary: { display: 'flex', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' },
  tile: {
    display: 'flex',
    flexDirection: 'column',
    minWidth: '160px',
    paddingBlock: tokens.spacingVerticalM,
    paddingInline: tokens.spacingHorizontalL,
    borderRadius: tokens.borderRadiusMedium,
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderInlineStartWidth: '4px',
  },
  compliant: { borderInlineStartColor: tokens.colorPaletteGreenBorderActive },
  noncompliant: { borderInlineStartColor: tokens.colorPaletteRedBorderActive },
  notEvaluated: { borderInlineStartColor: tokens.colorNeutralStroke1 },
  count: { fontSize: tokens.fontSizeHero700, lineHeight: tokens.lineHeightHero700, fontWeight: 600 },
  rules: { margin: 0, paddingInlineStart: tokens.spacingHorizontalL },
  good: { color: tokens.colorPaletteGreenForeground1, fontWeight: 600 },
  bad: { color: tokens.colorPaletteRedForeground1, fontWeight: 600 },
  muted: { color: tokens.colorNeutralForeground3 },
  actions: { display: 'flex', gap: tokens.spacingHorizontalXS, justifyContent: 'flex-end' },
  colName: { width: '16%' },
  colRules: { width: '24%' },
  colAssigned: { width: '15%' },
  colCount: { width: '13%' },
  colModified: { width: '13%' },
  colActions: { width: '88px' },
  empty: {
    padding: tokens.spacingVerticalXL,
    textAlign: 'center',
    color: tokens.colorNeutralForeground2,
    border: `1px dashed ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
});

interface PoliciesData {
  policies: CompliancePolicy[];
  status: ComplianceStatus;
  groups: GroupView[];
}

const loadPolicies = async (): Promise<PoliciesData> => {
  const [policies, status, groups] = await Promise.all([
    api.listCompliancePolicies(),
    api.getComplianceStatus(),
    api.listGroups(),
  ]);
  return { policies: policies.policies, status, groups: groups.groups };
};

/** See the module description. */
export function CompliancePolicies() {
  const { t } = useTranslation();
  const styles = useStyles();
  const navigate = useNavigate();
  const { state, reload } = useLoader(loadPolicies);
  const [notice, setNotice] = usePageNotice();
  const [deleting, setDeleting] = useState<CompliancePolicy | null>(null);

  const assignedTo = (policy: CompliancePolicy, groups: readonly GroupView[]) => {
    if (policy.assignment.kind === 'allDevices') return t('admin.tenant.compliance.allDevices');
    const names = new Map(groups.map((g) => [g.id, g.name]));
    return policy.assignment.groupIds.map((id) => names.get(id) ?? t('admin.roles.groups.unknown')).join(', ');
  };

  return (
    <Panel title={t('admin.tenant.compliance.title')} width="wide" data-testid="compliance-policies">
      <Crumbs items={[{ label: t('admin.tenant.crumb') }]} current={t('admin.tenant.compliance.crumb')} />
      <Body1>{t('admin.tenant.compliance.intro')}</Body1>
      <SuccessNotice text={notice} onDismiss={() => setNotice(null)} />
      <Toolbar className={styles.toolbar} aria-label={t('admin.tenant.compliance.toolbar')}>
        <ToolbarButton
          appearance="primary"
          icon={<AddRegular />}
          onClick={() => void navigate('/admin/tenant/compliance/new')}
        >
          {t('admin.tenant.compliance.create')}
        </ToolbarButton>
        <ToolbarButton icon={<ArrowClockwiseRegular />} onClick={reload}>
          {t('admin.roles.refresh')}
        </ToolbarButton>
      </Toolbar>
      <LoadState state={state} onRetry={reload} label={t('admin.tenant.compliance.loading')} />
      {state.status === 'ready' ? (
        <>
          <section
            className={styles.summary}
            aria-label={t('admin.tenant.compliance.summary')}
            data-testid="compliance-summary"
          >
            {(['compliant', 'noncompliant', 'notEvaluated'] as const).map((key) => (
              <div key={key} className={`${styles.tile} ${styles[key]}`} data-testid={`summary-${key}`}>
                <span className={styles.count}>{state.data.status.devices[key]}</span>
                <Caption1>{t(`admin.tenant.compliance.devices.${key}`)}</Caption1>
              </div>
            ))}
          </section>
          <Caption1 className={styles.muted}>
            {t('admin.tenant.compliance.evaluatedAt', {
              time: new Date(state.data.status.evaluatedAt).toLocaleTimeString(),
            })}
          </Caption1>
          {state.data.policies.length === 0 ? (
            <div className={styles.empty} data-testid="compliance-empty">
              {t('admin.tenant.compliance.empty')}
            </div>
          ) : (
            <Table aria-label={t('admin.tenant.compliance.title')} data-testid="policy-table">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell className={styles.colName}>
                    {t('admin.tenant.compliance.columns.name')}
                  </TableHeaderCell>
                  <TableHeaderCell className={styles.colRules}>
                    {t('admin.tenant.compliance.columns.rules')}
                  </TableHeaderCell>
                  <TableHeaderCell className={styles.colAssigned}>
                    {t('admin.tenant.compliance.columns.assignedTo')}
                  </TableHeaderCell>
                  <TableHeaderCell className={styles.colCount}>
                    {t('admin.tenant.compliance.columns.compliant')}
                  </TableHeaderCell>
                  <TableHeaderCell className={styles.colCount}>
                    {t('admin.tenant.compliance.columns.noncompliant')}
                  </TableHeaderCell>
                  <TableHeaderCell className={styles.colModified}>
                    {t('admin.tenant.compliance.columns.modified')}
                  </TableHeaderCell>
                  <TableHeaderCell
                    className={styles.colActions}
                    aria-label={t('admin.roles.assignments.columns.actions')}
                  />
                </TableRow>
              </TableHeader>
              <TableBody>
                {state.data.policies.map((policy) => {
                  const counts = state.data.status.policies.find((p) => p.policyId === policy.id);
                  const to = `/admin/tenant/compliance/${encodeURIComponent(policy.id)}`;
                  return (
                    <TableRow key={policy.id} data-testid="policy-row" data-policy={policy.name}>
                      <TableCell>
                        <AppLink to={to}>{policy.name}</AppLink>
                      </TableCell>
                      <TableCell>
                        <ul className={styles.rules}>
                          {policy.rules.map((rule, i) => (
                            <li key={i}>{ruleSummary(t, rule)}</li>
                          ))}
                        </ul>
                      </TableCell>
                      <TableCell>{assignedTo(policy, state.data.groups)}</TableCell>
                      <TableCell data-testid="policy-compliant">
                        <Text className={counts?.compliant ? styles.good : styles.muted}>{counts?.compliant ?? 0}</Text>
                      </TableCell>
                      <TableCell data-testid="policy-noncompliant">
                        <Text className={counts?.noncompliant ? styles.bad : styles.muted}>
                          {counts?.noncompliant ?? 0}
                        </Text>
                      </TableCell>
                      <TableCell>{new Date(policy.updatedAt).toLocaleString()}</TableCell>
                      <TableCell>
                        <div className={styles.actions}>
                          <Button
                            appearance="subtle"
                            icon={<EditRegular />}
                            aria-label={t('admin.tenant.compliance.editNamed', { name: policy.name })}
                            onClick={() => void navigate(to)}
                          />
                          <Button
                            appearance="subtle"
                            icon={<DeleteRegular />}
                            aria-label={t('admin.tenant.compliance.deleteNamed', { name: policy.name })}
                            onClick={() => setDeleting(policy)}
                          />
                        </div>
                      </TableCell>
                    </TableRow>
                  );
                })}
              </TableBody>
            </Table>
          )}
        </>
      ) : null}
      <ConfirmDialog
        open={deleting !== null}
        title={t('admin.tenant.compliance.deleteTitle', { name: deleting?.name ?? '' })}
        confirmLabel={t('admin.tenant.compliance.deleteConfirm')}
        onConfirm={async () => {
          if (!deleting) return;
          await api.deleteCompliancePolicy({ params: { id: deleting.id } });
          setNotice(t('admin.tenant.compliance.deleted', { name: deleting.name }));
          reload();
        }}
        onClose={() => setDeleting(null)}
        testId="delete-policy-dialog"
      >
        <Body1>{t('admin.tenant.compliance.deleteBody')}</Body1>
      </ConfirmDialog>
    </Panel>
  );
}

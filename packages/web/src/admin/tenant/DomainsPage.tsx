/**
 * @module admin/tenant/DomainsPage
 * `/admin/tenant/domains` (Tenant administration > Domains, `settings.manage`): the
 * organization's email domains with their state (pending, verified by DNS, asserted by the
 * administrator), how many people use each, *Add domain* (the TXT record to publish, with Copy
 * buttons), *Verify* for a pending one (a spinner while the server asks DNS; the refusal in words
 * under its record) and *Remove*, which asks first and is refused while people or an identity
 * provider use the domain (the dialog says which, and offers no Remove then).
 */
import { Fragment, useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  Badge,
  Body1,
  Button,
  Caption1,
  MessageBar,
  MessageBarBody,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Toolbar,
  ToolbarButton,
  Tooltip,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { AddRegular, ArrowClockwiseRegular, DeleteRegular, ShieldCheckmarkRegular } from '@fluentui/react-icons';
import type { TenantDomain } from '@remote-help/protocol';
import { api } from '../../common/api';
import { errorText } from '../../common/errorText';
import { Panel } from '../../common/Panel';
import { ConfirmDialog } from '../common/ConfirmDialog';
import { LoadState } from '../roles/LoadState';
import { SuccessNotice, usePageNotice } from '../roles/PageNotice';
import { useLoader } from '../roles/useLoader';
import { AddDomainDialog } from './AddDomainDialog';
import { TxtRecord } from './TxtRecord';
import { BusySpinner } from '../../common/BusySpinner';

const useStyles = makeStyles({
  toolbar: { paddingInline: 0 },
  muted: { color: tokens.colorNeutralForeground3 },
  name: { fontWeight: tokens.fontWeightSemibold, overflowWrap: 'anywhere' },
  actions: { display: 'flex', gap: tokens.spacingHorizontalXS, justifyContent: 'flex-end', flexWrap: 'wrap' },
  detail: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    paddingBlock: tokens.spacingVerticalS,
  },
  colStatus: { width: '26%' },
  colPeople: { width: '10%' },
  colDate: { width: '20%' },
  colActions: { width: '150px' },
  empty: {
    padding: tokens.spacingVerticalXL,
    textAlign: 'center',
    color: tokens.colorNeutralForeground2,
    border: `1px dashed ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
});

function StatusBadge({ domain }: { domain: TenantDomain }) {
  const { t } = useTranslation();
  if (domain.status === 'pending')
    return (
      <Badge appearance="tint" color="warning" data-testid="domain-status">
        {t('admin.domains.pending')}
      </Badge>
    );
  if (domain.proof === 'dns')
    return (
      <Badge appearance="tint" color="success" icon={<ShieldCheckmarkRegular />} data-testid="domain-status">
        {t('admin.domains.verifiedDns')}
      </Badge>
    );
  return (
    <Tooltip content={t('admin.domains.assertedHint')} relationship="description">
      <Badge appearance="tint" color="informative" data-testid="domain-status">
        {t('admin.domains.asserted')}
      </Badge>
    </Tooltip>
  );
}

/** See the module description. */
export function DomainsPage() {
  const { t, i18n } = useTranslation();
  const styles = useStyles();
  const load = useCallback(() => api.listDomains().then((r) => r.domains), []);
  const { state, reload } = useLoader(load);
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<TenantDomain | null>(null);
  const [notice, setNotice] = usePageNotice();
  const [verifying, setVerifying] = useState<string | null>(null);
  const [failures, setFailures] = useState<Record<string, unknown>>({});
  const date = (iso: string) =>
    new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));

  const verify = (domain: string) => {
    if (verifying) return;
    setVerifying(domain);
    setFailures((f) => Object.fromEntries(Object.entries(f).filter(([name]) => name !== domain)));
    api.verifyDomain({ params: { id: domain } }).then(
      () => {
        setVerifying(null);
        setNotice(t('admin.domains.verifiedNotice', { domain }));
        reload();
      },
      (error: unknown) => {
        setVerifying(null);
        setFailures((f) => ({ ...f, [domain]: error }));
      },
    );
  };

  const inUse = removing !== null && (removing.users > 0 || removing.identityProviders.length > 0);

  return (
    <Panel title={t('admin.domains.title')} width="wide" data-testid="domains-page">
      <Body1 className={styles.muted}>{t('admin.domains.intro')}</Body1>
      <SuccessNotice text={notice} onDismiss={() => setNotice(null)} />
      <Toolbar className={styles.toolbar}>
        <ToolbarButton icon={<AddRegular />} appearance="primary" onClick={() => setAdding(true)}>
          {t('admin.domains.add')}
        </ToolbarButton>
        <ToolbarButton icon={<ArrowClockwiseRegular />} onClick={reload}>
          {t('admin.domains.refresh')}
        </ToolbarButton>
      </Toolbar>
      <LoadState state={state} onRetry={reload} label={t('admin.domains.loading')} />
      {state.status === 'ready' &&
        (state.data.length === 0 ? (
          <div className={styles.empty}>{t('admin.domains.empty')}</div>
        ) : (
          <Table aria-label={t('admin.domains.title')} data-testid="domain-table">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>{t('admin.domains.domain')}</TableHeaderCell>
                <TableHeaderCell className={styles.colStatus}>{t('admin.domains.status')}</TableHeaderCell>
                <TableHeaderCell className={styles.colPeople}>{t('admin.domains.people')}</TableHeaderCell>
                <TableHeaderCell className={styles.colDate}>{t('admin.domains.verifiedOn')}</TableHeaderCell>
                <TableHeaderCell className={styles.colActions} />
              </TableRow>
            </TableHeader>
            <TableBody>
              {state.data.map((d) => (
                <Fragment key={d.domain}>
                  <TableRow data-testid={`domain-${d.domain}`}>
                    <TableCell className={styles.name}>{d.domain}</TableCell>
                    <TableCell>
                      <StatusBadge domain={d} />
                    </TableCell>
                    <TableCell>{d.users}</TableCell>
                    <TableCell>{d.verifiedAt ? date(d.verifiedAt) : '—'}</TableCell>
                    <TableCell>
                      <div className={styles.actions}>
                        {d.status === 'pending' ? (
                          <Button
                            size="small"
                            appearance="primary"
                            disabled={verifying !== null}
                            icon={verifying === d.domain ? <BusySpinner /> : undefined}
                            aria-label={t('admin.domains.verifyLabel', { domain: d.domain })}
                            onClick={() => verify(d.domain)}
                          >
                            {verifying === d.domain ? t('admin.domains.verifying') : t('admin.domains.verify')}
                          </Button>
                        ) : null}
                        <Button
                          size="small"
                          icon={<DeleteRegular />}
                          aria-label={t('admin.domains.remove', { domain: d.domain })}
                          onClick={() => setRemoving(d)}
                        />
                      </div>
                    </TableCell>
                  </TableRow>
                  {d.status === 'pending' && d.txtRecord ? (
                    <TableRow data-testid={`domain-record-${d.domain}`}>
                      <TableCell colSpan={5}>
                        <div className={styles.detail}>
                          <Caption1>{t('admin.domains.recordIntro', { domain: d.domain })}</Caption1>
                          <TxtRecord name={d.txtRecord.name} value={d.txtRecord.value} />
                          {failures[d.domain] ? (
                            <MessageBar intent="error" data-testid="domain-error">
                              <MessageBarBody>{errorText(t, failures[d.domain])}</MessageBarBody>
                            </MessageBar>
                          ) : null}
                        </div>
                      </TableCell>
                    </TableRow>
                  ) : null}
                </Fragment>
              ))}
            </TableBody>
          </Table>
        ))}
      <AddDomainDialog
        open={adding}
        onClose={({ added, verified }) => {
          setAdding(false);
          if (added && verified) setNotice(t('admin.domains.verifiedNotice', { domain: added.domain }));
          if (added) reload();
        }}
      />
      <ConfirmDialog
        open={removing !== null}
        title={t('admin.domains.removeTitle', { domain: removing?.domain ?? '' })}
        confirmLabel={t('admin.domains.removeConfirm')}
        confirmDisabled={inUse}
        // The red of `danger` would hide that Remove is off while the domain is in use.
        danger={!inUse}
        testId="remove-domain-dialog"
        onClose={() => setRemoving(null)}
        onConfirm={async () => {
          if (!removing) return;
          await api.removeDomain({ params: { id: removing.domain } });
          setNotice(t('admin.domains.removed', { domain: removing.domain }));
          reload();
        }}
      >
        {removing && removing.users > 0 ? (
          <Body1>{t('admin.domains.removeInUse', { domain: removing.domain, count: removing.users })}</Body1>
        ) : removing && removing.identityProviders.length > 0 ? (
          <Body1>
            {t('admin.domains.removeInUseProviders', {
              domain: removing.domain,
              providers: removing.identityProviders.join(', '),
            })}
          </Body1>
        ) : (
          <Body1>{t('admin.domains.removeBody', { domain: removing?.domain ?? '' })}</Body1>
        )}
      </ConfirmDialog>
    </Panel>
  );
}

/**
 * @module admin/devices/EnrollmentTokensPage
 * Devices > Enrollment tokens (`/admin/devices/enrollment`, `devices.manage`): the
 * organization's tokens (never the tokens themselves: the last four characters tell them
 * apart), who made each, when it expires, how many devices used it, its state; create one
 * (`CreateTokenDialog`) and revoke one after a confirmation.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  Badge,
  Body1,
  Button,
  Caption1,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Dropdown,
  Field,
  Link,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  Option,
  Spinner,
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
  useFluent,
} from '@fluentui/react-components';
import {
  AddRegular,
  ArrowClockwiseRegular,
  ChevronLeftRegular,
  ChevronRightRegular,
  DeleteRegular,
} from '@fluentui/react-icons';
import type { EnrollmentTokenState, EnrollmentTokenView } from '@remote-help/protocol';
import { api } from '../../common/api';
import { errorText } from '../../common/errorText';
import { Panel } from '../../common/Panel';
import { useAsyncAction } from '../../common/useAsyncAction';
import { CreateTokenDialog } from './CreateTokenDialog';
import { DateText } from './DeviceBadges';

const PAGE = 50;
const STATES = ['active', 'expired', 'used_up', 'revoked'] as const;
const STATE_COLOR = { active: 'success', expired: 'warning', used_up: 'informative', revoked: 'subtle' } as const;

const useStyles = makeStyles({
  toolbar: {
    paddingInline: 0,
    display: 'flex',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalM,
    alignItems: 'flex-end',
  },
  filter: { minWidth: '160px' },
  tableWrap: { overflowX: 'auto' },
  nowrap: { whiteSpace: 'nowrap' },
  mono: { fontFamily: tokens.fontFamilyMonospace, direction: 'ltr', unicodeBidi: 'isolate' },
  secondary: { color: tokens.colorNeutralForeground3 },
  pager: { display: 'flex', alignItems: 'center', justifyContent: 'flex-end', gap: tokens.spacingHorizontalS },
});

type Load =
  | { status: 'loading' }
  | { status: 'failed'; error: unknown }
  | { status: 'ready'; tokens: EnrollmentTokenView[]; total: number };

/** The token as the list names it: its last four characters. */
const tokenName = (token: EnrollmentTokenView): string => (token.hint ? `rhe_…${token.hint}` : '—');

/** See the module description. */
export function EnrollmentTokensPage() {
  const { t } = useTranslation();
  const styles = useStyles();
  const { dir } = useFluent();
  const [state, setState] = useState<EnrollmentTokenState | 'all'>('all');
  const [page, setPage] = useState(0);
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const [reloads, setReloads] = useState(0);
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<EnrollmentTokenView | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const revoke = useAsyncAction();

  useEffect(() => {
    let live = true;
    api.listEnrollmentTokens({ query: { state, limit: PAGE, offset: page * PAGE } }).then(
      (list) => live && setLoad({ status: 'ready', tokens: list.tokens, total: list.total }),
      (error: unknown) => live && setLoad({ status: 'failed', error }),
    );
    return () => {
      live = false;
    };
  }, [state, page, reloads]);

  const reload = () => setReloads((n) => n + 1);
  const confirmRevoke = () => {
    const target = revoking;
    if (!target) return;
    revoke.run(async () => {
      await api.revokeEnrollmentToken({ params: { id: target.id }, body: {} });
      setRevoking(null);
      setNotice(t('admin.devices.tokens.revoked', { name: tokenName(target) }));
      reload();
    });
  };

  const stateText = (s: EnrollmentTokenState) => t(`admin.devices.tokens.state.${s}`);
  const pages = load.status === 'ready' ? Math.max(1, Math.ceil(load.total / PAGE)) : 1;

  let body;
  if (load.status === 'loading') body = <Spinner label={t('admin.devices.tokens.loading')} />;
  else if (load.status === 'failed') {
    body = (
      <MessageBar intent="error">
        <MessageBarBody>{errorText(t, load.error)}</MessageBarBody>
        <MessageBarActions>
          <Button onClick={reload}>{t('admin.devices.retry')}</Button>
        </MessageBarActions>
      </MessageBar>
    );
  } else if (load.tokens.length === 0) {
    body = (
      <Body1 data-testid="tokens-empty">
        {state === 'all' ? t('admin.devices.tokens.empty') : t('admin.devices.tokens.emptyFiltered')}
      </Body1>
    );
  } else {
    body = (
      <div className={styles.tableWrap}>
        <Table aria-label={t('admin.devices.tokens.title')} data-testid="token-table">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>{t('admin.devices.tokens.columns.token')}</TableHeaderCell>
              <TableHeaderCell>{t('admin.devices.tokens.columns.created')}</TableHeaderCell>
              <TableHeaderCell>{t('admin.devices.tokens.columns.createdBy')}</TableHeaderCell>
              <TableHeaderCell>{t('admin.devices.tokens.columns.expires')}</TableHeaderCell>
              <TableHeaderCell>{t('admin.devices.tokens.columns.uses')}</TableHeaderCell>
              <TableHeaderCell>{t('admin.devices.tokens.columns.state')}</TableHeaderCell>
              <TableHeaderCell>
                <span className={styles.secondary}>{t('admin.devices.tokens.columns.actions')}</span>
              </TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {load.tokens.map((token) => (
              <TableRow key={token.id} data-testid="token-row" data-hint={token.hint ?? ''} data-state={token.state}>
                <TableCell className={styles.mono}>{tokenName(token)}</TableCell>
                <TableCell>
                  <DateText iso={token.createdAt} />
                </TableCell>
                <TableCell>
                  {token.createdBy ? (
                    <bdi>{token.createdBy.displayName}</bdi>
                  ) : (
                    <span className={styles.secondary}>{t('admin.devices.tokens.unknownCreator')}</span>
                  )}
                </TableCell>
                <TableCell>
                  <DateText iso={token.expiresAt} />
                </TableCell>
                <TableCell className={styles.nowrap}>
                  {t('admin.devices.tokens.usesOf', { uses: token.uses, max: token.maxUses })}
                </TableCell>
                <TableCell>
                  <Badge appearance="tint" color={STATE_COLOR[token.state]}>
                    {stateText(token.state)}
                  </Badge>
                </TableCell>
                <TableCell>
                  {token.state !== 'active' ? null : (
                    <Button
                      size="small"
                      icon={<DeleteRegular />}
                      aria-label={t('admin.devices.tokens.revokeLabel', { name: tokenName(token) })}
                      onClick={() => {
                        revoke.clearError();
                        setRevoking(token);
                      }}
                    >
                      {t('admin.devices.tokens.revoke')}
                    </Button>
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
    );
  }

  return (
    <Panel title={t('admin.devices.tokens.title')} width="wide" data-testid="enrollment-tokens-page">
      <Body1>{t('admin.devices.tokens.intro')}</Body1>
      <Link href="/download">{t('common.downloadApp')}</Link>
      {notice ? (
        <MessageBar intent="success" data-testid="tokens-notice">
          <MessageBarBody>{notice}</MessageBarBody>
          <MessageBarActions>
            <Button appearance="transparent" onClick={() => setNotice(null)}>
              {t('admin.devices.dismiss')}
            </Button>
          </MessageBarActions>
        </MessageBar>
      ) : null}
      <div className={styles.toolbar}>
        <Toolbar aria-label={t('admin.devices.tokens.toolbar')}>
          <ToolbarButton appearance="primary" icon={<AddRegular />} onClick={() => setCreating(true)}>
            {t('admin.devices.tokens.create')}
          </ToolbarButton>
          <ToolbarButton icon={<ArrowClockwiseRegular />} onClick={reload}>
            {t('admin.devices.refresh')}
          </ToolbarButton>
        </Toolbar>
        <Field label={t('admin.devices.tokens.columns.state')} className={styles.filter}>
          <Dropdown
            value={state === 'all' ? t('admin.devices.all') : stateText(state)}
            selectedOptions={[state]}
            onOptionSelect={(_, data) => {
              setState((data.optionValue ?? 'all') as EnrollmentTokenState | 'all');
              setPage(0);
            }}
          >
            <Option value="all">{t('admin.devices.all')}</Option>
            {STATES.map((s) => (
              <Option key={s} value={s}>
                {stateText(s)}
              </Option>
            ))}
          </Dropdown>
        </Field>
      </div>
      {load.status === 'ready' ? (
        <Caption1 aria-live="polite">{t('admin.devices.tokens.count', { count: load.total })}</Caption1>
      ) : null}
      {body}
      {load.status === 'ready' && load.total > PAGE ? (
        <nav className={styles.pager} aria-label={t('admin.devices.paging')}>
          <Button
            icon={dir === 'rtl' ? <ChevronRightRegular /> : <ChevronLeftRegular />}
            disabled={page === 0}
            onClick={() => setPage(page - 1)}
          >
            {t('admin.devices.previous')}
          </Button>
          <Caption1>{t('admin.devices.page', { page: page + 1, pages })}</Caption1>
          <Button
            icon={dir === 'rtl' ? <ChevronLeftRegular /> : <ChevronRightRegular />}
            iconPosition="after"
            disabled={page + 1 >= pages}
            onClick={() => setPage(page + 1)}
          >
            {t('admin.devices.next')}
          </Button>
        </nav>
      ) : null}

      <CreateTokenDialog open={creating} onClose={() => setCreating(false)} onCreated={reload} />

      <Dialog
        open={revoking !== null}
        modalType="alert"
        onOpenChange={(_, data) => (data.open ? undefined : setRevoking(null))}
      >
        <DialogSurface data-testid="revoke-token-dialog">
          <DialogBody>
            <DialogTitle>
              {t('admin.devices.tokens.revokeTitle', { name: revoking ? tokenName(revoking) : '' })}
            </DialogTitle>
            <DialogContent>
              <Body1>{t('admin.devices.tokens.revokeBody')}</Body1>
              {revoke.error ? (
                <MessageBar intent="error">
                  <MessageBarBody>{errorText(t, revoke.error)}</MessageBarBody>
                </MessageBar>
              ) : null}
            </DialogContent>
            <DialogActions>
              <Button appearance="primary" disabled={revoke.busy} onClick={confirmRevoke}>
                {t('admin.devices.tokens.revokeConfirm')}
              </Button>
              <Button onClick={() => setRevoking(null)}>{t('admin.devices.cancel')}</Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </Panel>
  );
}

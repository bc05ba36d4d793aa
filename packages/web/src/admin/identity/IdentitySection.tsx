/**
 * @module admin/identity/IdentitySection
 * Tenant administration > Identity (`/admin/identity`): the organization's own OpenID Connect
 * providers (federation). A list with Create, Edit, Delete (asks first) and *Test sign-in*
 * (opens the federated sign-in in a new window; the server shows the mapped claims there and
 * signs no one in). The client secret is write-only: the page only says whether one is stored.
 */
import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Route, Routes, useNavigate, useParams } from 'react-router';
import {
  Badge,
  Body1,
  Button,
  Caption1,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Textarea,
  Toolbar,
  ToolbarButton,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { AddRegular, ArrowClockwiseRegular, DeleteRegular, EditRegular, PersonKeyRegular } from '@fluentui/react-icons';
import type { IdentityProvider, IdentityProviderInput } from '@remote-help/protocol';
import { api } from '../../common/api';
import { errorText } from '../../common/errorText';
import { Panel } from '../../common/Panel';
import { useAsyncAction } from '../../common/useAsyncAction';
import { ConfirmDialog } from '../common/ConfirmDialog';
import { LoadState } from '../roles/LoadState';
import { SuccessNotice, usePageNotice } from '../roles/PageNotice';
import { useLoader } from '../roles/useLoader';
import { useLeaveGuard } from '../../common/LeaveGuard';

const useStyles = makeStyles({
  toolbar: { paddingInline: 0 },
  actions: { display: 'flex', gap: tokens.spacingHorizontalXS, justifyContent: 'flex-end', flexWrap: 'wrap' },
  muted: { color: tokens.colorNeutralForeground3 },
  empty: {
    padding: tokens.spacingVerticalXL,
    textAlign: 'center',
    color: tokens.colorNeutralForeground2,
    border: `1px dashed ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, maxWidth: '640px' },
  grid: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(200px, 1fr))',
    gap: tokens.spacingHorizontalM,
    // A field beside one with a hint keeps its own height: stretched, its input moved down out of line.
    alignItems: 'start',
  },
  // Fluent's inputs have a minimum width wider than a column of three: they ran into each other.
  input: { minWidth: 0 },
  buttons: { display: 'flex', gap: tokens.spacingHorizontalS, marginBlockStart: tokens.spacingVerticalM },
  code: { fontFamily: tokens.fontFamilyMonospace, wordBreak: 'break-all' },
});

export function IdentitySection() {
  return (
    <Routes>
      <Route index element={<ProviderList />} />
      <Route path="new" element={<ProviderEditor />} />
      <Route path=":id" element={<ProviderEditor />} />
    </Routes>
  );
}

/** Opens the server's test sign-in for a provider in a new window. */
function openTest(id: string) {
  window.open(`/auth/federation/test/${encodeURIComponent(id)}`, '_blank', 'noopener,width=640,height=760');
}

function ProviderList() {
  const { t } = useTranslation();
  const styles = useStyles();
  const navigate = useNavigate();
  const load = useCallback(() => api.listIdentityProviders(), []);
  const { state, reload } = useLoader(load);
  const [deleting, setDeleting] = useState<IdentityProvider | null>(null);
  const [notice, setNotice] = usePageNotice();
  return (
    <Panel title={t('admin.identity.title')} width="wide" data-testid="identity-providers">
      <Body1 className={styles.muted}>{t('admin.identity.intro')}</Body1>
      <SuccessNotice text={notice} onDismiss={() => setNotice(null)} />
      <Toolbar className={styles.toolbar}>
        <ToolbarButton icon={<AddRegular />} appearance="primary" onClick={() => navigate('new')}>
          {t('admin.identity.add')}
        </ToolbarButton>
        <ToolbarButton icon={<ArrowClockwiseRegular />} onClick={reload}>
          {t('admin.identity.refresh')}
        </ToolbarButton>
      </Toolbar>
      <LoadState state={state} onRetry={reload} label={t('admin.identity.loading')} />
      {state.status === 'ready' && (
        <>
          <Caption1>
            {t('admin.identity.redirectUri')} <span className={styles.code}>{state.data.redirectUri}</span>
          </Caption1>
          {state.data.providers.length === 0 ? (
            <div className={styles.empty}>{t('admin.identity.empty')}</div>
          ) : (
            <Table aria-label={t('admin.identity.title')}>
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>{t('admin.identity.name')}</TableHeaderCell>
                  <TableHeaderCell>{t('admin.identity.issuer')}</TableHeaderCell>
                  <TableHeaderCell>{t('admin.identity.domains')}</TableHeaderCell>
                  <TableHeaderCell>{t('admin.identity.status')}</TableHeaderCell>
                  <TableHeaderCell />
                </TableRow>
              </TableHeader>
              <TableBody>
                {state.data.providers.map((p) => (
                  <TableRow key={p.id} data-testid={`provider-${p.name}`}>
                    <TableCell>{p.name}</TableCell>
                    <TableCell className={styles.code}>{p.issuer}</TableCell>
                    <TableCell>{p.domains.join(', ')}</TableCell>
                    <TableCell>
                      <Badge appearance="tint" color={p.enabled ? 'success' : 'subtle'}>
                        {p.enabled ? t('admin.identity.enabled') : t('admin.identity.disabled')}
                      </Badge>
                    </TableCell>
                    <TableCell>
                      <div className={styles.actions}>
                        <Button size="small" icon={<PersonKeyRegular />} onClick={() => openTest(p.id)}>
                          {t('admin.identity.test')}
                        </Button>
                        <Button
                          size="small"
                          icon={<EditRegular />}
                          aria-label={t('admin.identity.edit', { name: p.name })}
                          onClick={() => navigate(p.id)}
                        />
                        <Button
                          size="small"
                          icon={<DeleteRegular />}
                          aria-label={t('admin.identity.delete', { name: p.name })}
                          onClick={() => setDeleting(p)}
                        />
                      </div>
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </>
      )}
      <ConfirmDialog
        open={deleting !== null}
        title={t('admin.identity.deleteTitle', { name: deleting?.name ?? '' })}
        confirmLabel={t('admin.identity.deleteConfirm')}
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          if (!deleting) return;
          await api.deleteIdentityProvider({ params: { id: deleting.id } });
          setNotice(t('admin.identity.deleted', { name: deleting.name }));
          reload();
        }}
      >
        {t('admin.identity.deleteBody')}
      </ConfirmDialog>
    </Panel>
  );
}

interface FormState {
  name: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  scopes: string;
  domains: string;
  displayName: string;
  email: string;
  jobTitle: string;
  company: string;
  photoUrl: string;
  groups: string;
  groupMappings: string;
  matchGroupsByName: boolean;
  countProviderMfa: boolean;
  enabled: boolean;
}

const EMPTY: FormState = {
  name: '',
  issuer: '',
  clientId: '',
  clientSecret: '',
  scopes: 'openid email profile',
  domains: '',
  displayName: 'name',
  email: 'email',
  jobTitle: 'job_title',
  company: 'company',
  photoUrl: 'picture',
  groups: 'groups',
  groupMappings: '',
  matchGroupsByName: true,
  countProviderMfa: true,
  enabled: true,
};

const words = (text: string) => text.split(/[\s,]+/).filter(Boolean);

function fromProvider(p: IdentityProvider): FormState {
  return {
    name: p.name,
    issuer: p.issuer,
    clientId: p.clientId,
    clientSecret: '',
    scopes: p.scopes.join(' '),
    domains: p.domains.join(', '),
    ...p.claims,
    groupMappings: p.groupMappings.map((m) => `${m.externalId} = ${m.groupId}`).join('\n'),
    matchGroupsByName: p.matchGroupsByName,
    countProviderMfa: p.countProviderMfa,
    enabled: p.enabled,
  };
}

/** The form as the contract's input; an empty secret field keeps the stored secret. */
export function toInput(f: FormState): IdentityProviderInput {
  return {
    name: f.name,
    issuer: f.issuer.trim(),
    clientId: f.clientId,
    ...(f.clientSecret ? { clientSecret: f.clientSecret } : {}),
    scopes: words(f.scopes),
    domains: words(f.domains.toLowerCase()),
    claims: {
      displayName: f.displayName,
      email: f.email,
      jobTitle: f.jobTitle,
      company: f.company,
      photoUrl: f.photoUrl,
      groups: f.groups,
    },
    groupMappings: f.groupMappings
      .split('\n')
      .map((line) => line.split('=').map((part) => part.trim()))
      .flatMap(([externalId, groupId, ...rest]) =>
        externalId && groupId && rest.length === 0 ? [{ externalId, groupId }] : [],
      ),
    matchGroupsByName: f.matchGroupsByName,
    countProviderMfa: f.countProviderMfa,
    enabled: f.enabled,
  };
}

function ProviderEditor() {
  const { t } = useTranslation();
  const styles = useStyles();
  const navigate = useNavigate();
  const { id } = useParams();
  const load = useCallback(
    () => (id ? api.getIdentityProvider({ params: { id } }).then((r) => r.provider) : Promise.resolve(null)),
    [id],
  );
  const { state, reload } = useLoader(load);
  const [form, setForm] = useState<FormState | null>(null);
  const save = useAsyncAction();
  // Unsaved: anything typed (the form exists only once the person changed something).
  const leave = useLeaveGuard(form !== null);
  const current = form ?? (state.status === 'ready' ? (state.data ? fromProvider(state.data) : EMPTY) : null);
  const set = (patch: Partial<FormState>) => setForm({ ...(current ?? EMPTY), ...patch });
  const text = (key: keyof FormState, label: string, hint?: string, type: 'text' | 'password' = 'text') => (
    <Field label={label} hint={hint}>
      <Input
        className={styles.input}
        type={type}
        value={String(current?.[key] ?? '')}
        onChange={(_, d) => set({ [key]: d.value } as Partial<FormState>)}
        data-testid={`idp-${key}`}
      />
    </Field>
  );
  return (
    <Panel title={id ? t('admin.identity.editTitle') : t('admin.identity.newTitle')} width="wide">
      <LoadState state={state} onRetry={reload} label={t('admin.identity.loading')} />
      {current && (
        <form
          className={styles.form}
          onSubmit={(event) => {
            event.preventDefault();
            save.run(async () => {
              const body = toInput(current);
              if (id) await api.updateIdentityProvider({ params: { id }, body });
              else await api.createIdentityProvider({ body });
              leave.allowLeave();
              navigate('..', { relative: 'path' });
            });
          }}
        >
          {text('name', t('admin.identity.name'))}
          {text('issuer', t('admin.identity.issuer'), t('admin.identity.issuerHint'))}
          <div className={styles.grid}>
            {text('clientId', t('admin.identity.clientId'))}
            {text(
              'clientSecret',
              t('admin.identity.clientSecret'),
              state.status === 'ready' && state.data?.hasClientSecret
                ? t('admin.identity.secretStored')
                : t('admin.identity.secretNone'),
              'password',
            )}
          </div>
          {text('scopes', t('admin.identity.scopes'))}
          {text('domains', t('admin.identity.domains'), t('admin.identity.domainsHint'))}
          <Body1>{t('admin.identity.claims')}</Body1>
          <div className={styles.grid}>
            {text('displayName', t('admin.identity.claim.displayName'))}
            {text('email', t('admin.identity.claim.email'))}
            {text('jobTitle', t('admin.identity.claim.jobTitle'))}
            {text('company', t('admin.identity.claim.company'))}
            {text('photoUrl', t('admin.identity.claim.photoUrl'))}
            {text('groups', t('admin.identity.claim.groups'))}
          </div>
          <Field label={t('admin.identity.groupMappings')} hint={t('admin.identity.groupMappingsHint')}>
            <Textarea
              value={current.groupMappings}
              onChange={(_, d) => set({ groupMappings: d.value })}
              resize="vertical"
            />
          </Field>
          <Switch
            checked={current.matchGroupsByName}
            onChange={(_, d) => set({ matchGroupsByName: d.checked })}
            label={t('admin.identity.matchByName')}
          />
          <Field hint={t('admin.identity.countMfaHint')}>
            <Switch
              checked={current.countProviderMfa}
              onChange={(_, d) => set({ countProviderMfa: d.checked })}
              label={t('admin.identity.countMfa')}
            />
          </Field>
          <Switch
            checked={current.enabled}
            onChange={(_, d) => set({ enabled: d.checked })}
            label={t('admin.identity.enabledLabel')}
          />
          {save.error ? (
            <MessageBar intent="error">
              <MessageBarBody>{errorText(t, save.error)}</MessageBarBody>
            </MessageBar>
          ) : null}
          <div className={styles.buttons}>
            <Button appearance="primary" type="submit" disabled={save.busy} data-testid="idp-save">
              {save.busy ? t('admin.identity.saving') : t('admin.identity.save')}
            </Button>
            <Button onClick={() => navigate('..', { relative: 'path' })}>{t('admin.identity.cancel')}</Button>
            {id && (
              <Button icon={<PersonKeyRegular />} onClick={() => openTest(id)}>
                {t('admin.identity.test')}
              </Button>
            )}
          </div>
        </form>
      )}
    </Panel>
  );
}

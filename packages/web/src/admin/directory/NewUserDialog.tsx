/**
 * @module admin/directory/NewUserDialog
 * "New user": display name, user name @ one of the organization's verified domains (the
 * sign-in name, as a UPN in Entra ID), job title, company, and either a generated password or
 * one the administrator types. After the server creates the person the dialog shows the
 * generated password once, then opens the person's page. An organization without a verified
 * domain is told why nobody can be added.
 */
import { useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import {
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
  Input,
  MessageBar,
  MessageBarBody,
  Option,
  Radio,
  RadioGroup,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { api } from '../../common/api';
import { errorText } from '../../common/errorText';
import { useMe } from '../../common/meContext';
import { useAsyncAction } from '../../common/useAsyncAction';
import { OneTimePassword } from './OneTimePassword';
import { BusySpinner } from '../../common/BusySpinner';
import { useLeaveGuard } from '../../common/LeaveGuard';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  upn: { display: 'flex', alignItems: 'flex-end', gap: tokens.spacingHorizontalS },
  local: { flex: '1 1 200px', minWidth: 0 },
  at: { paddingBlockEnd: tokens.spacingVerticalSNudge },
  domain: { flex: '0 1 220px', minWidth: 0 },
  hint: { color: tokens.colorNeutralForeground3, marginBlockStart: `calc(-1 * ${tokens.spacingVerticalS})` },
});

export interface NewUserDialogProps {
  open: boolean;
  onClose: () => void;
  /** The person was created (after their generated password, if any, was shown). */
  onCreated: (id: string) => void;
}

const blank = { displayName: '', local: '', jobTitle: '', company: '', password: '' };

/** See the module description. */
export function NewUserDialog({ open, onClose, onCreated }: NewUserDialogProps) {
  const { t } = useTranslation();
  const styles = useStyles();
  const { state } = useMe();
  const domains = state.status === 'signedIn' ? state.me.tenant.verifiedDomains : [];
  const [form, setForm] = useState(blank);
  const [domain, setDomain] = useState<string | null>(null);
  const [passwordMode, setPasswordMode] = useState<'generate' | 'type'>('generate');
  const [created, setCreated] = useState<{ id: string; email: string; password: string | null } | null>(null);
  const action = useAsyncAction();
  const chosenDomain = domain ?? domains[0] ?? '';
  // Back or a link while something is typed asks first (the dialog would close and lose it).
  const { allowLeave } = useLeaveGuard(open && !created && Object.values(form).some((v) => v.trim() !== ''));
  const set = (key: keyof typeof blank) => (_: unknown, d: { value: string }) => setForm({ ...form, [key]: d.value });

  const reset = () => {
    setForm(blank);
    setPasswordMode('generate');
    action.clearError();
  };
  const close = () => {
    if (action.busy) return;
    reset();
    onClose();
  };
  const finish = (id: string) => {
    setCreated(null);
    reset();
    onClose();
    allowLeave(); // onCreated opens the new person's page
    onCreated(id);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    action.run(async () => {
      const email = `${form.local.trim()}@${chosenDomain}`;
      const result = await api.createUser({
        body: {
          displayName: form.displayName,
          email,
          jobTitle: form.jobTitle.trim() || null,
          company: form.company.trim() || null,
          ...(passwordMode === 'type' ? { password: form.password } : {}),
        },
      });
      if (result.generatedPassword) {
        setCreated({ id: result.user.id, email: result.user.email, password: result.generatedPassword });
      } else finish(result.user.id);
    });
  };

  const tooShort = passwordMode === 'type' && form.password.length > 0 && form.password.length < 12;
  const ready =
    form.displayName.trim() !== '' &&
    /^[^\s@]+$/.test(form.local.trim()) &&
    chosenDomain !== '' &&
    (passwordMode === 'generate' || form.password.length >= 12);

  return (
    <>
      <Dialog open={open && !created} onOpenChange={(_, d) => (d.open ? undefined : close())}>
        <DialogSurface data-testid="new-user-dialog">
          <form onSubmit={submit}>
            <DialogBody>
              <DialogTitle>{t('admin.directory.newUser.title')}</DialogTitle>
              <DialogContent className={styles.form}>
                {domains.length === 0 ? (
                  <MessageBar intent="warning">
                    <MessageBarBody>{t('admin.directory.newUser.noDomain')}</MessageBarBody>
                  </MessageBar>
                ) : null}
                <Field label={t('admin.directory.fields.displayName')} required>
                  <Input value={form.displayName} onChange={set('displayName')} maxLength={128} dir="auto" />
                </Field>
                <div className={styles.upn}>
                  <Field className={styles.local} label={t('admin.directory.fields.userName')} required>
                    <Input value={form.local} onChange={set('local')} maxLength={64} dir="ltr" />
                  </Field>
                  <Text className={styles.at} aria-hidden>
                    @
                  </Text>
                  <Field className={styles.domain} label={t('admin.directory.fields.domain')}>
                    <Dropdown
                      value={chosenDomain}
                      selectedOptions={chosenDomain ? [chosenDomain] : []}
                      disabled={domains.length === 0}
                      onOptionSelect={(_, d) => setDomain(d.optionValue ?? null)}
                    >
                      {domains.map((d) => (
                        <Option key={d} value={d}>
                          {d}
                        </Option>
                      ))}
                    </Dropdown>
                  </Field>
                </div>
                <Caption1 className={styles.hint} data-testid="upn-preview">
                  {form.local.trim()
                    ? t('admin.directory.newUser.signInName', { upn: `${form.local.trim()}@${chosenDomain}` })
                    : t('admin.directory.newUser.userNameHint')}
                </Caption1>
                <Field label={t('admin.directory.fields.jobTitle')}>
                  <Input value={form.jobTitle} onChange={set('jobTitle')} maxLength={128} dir="auto" />
                </Field>
                <Field label={t('admin.directory.fields.company')}>
                  <Input value={form.company} onChange={set('company')} maxLength={128} dir="auto" />
                </Field>
                <Field label={t('admin.directory.fields.password')}>
                  <RadioGroup
                    value={passwordMode}
                    onChange={(_, d) => setPasswordMode(d.value === 'type' ? 'type' : 'generate')}
                  >
                    <Radio value="generate" label={t('admin.directory.newUser.generate')} />
                    <Radio value="type" label={t('admin.directory.newUser.type')} />
                  </RadioGroup>
                </Field>
                {passwordMode === 'type' ? (
                  <Field
                    label={t('admin.directory.fields.initialPassword')}
                    validationState={tooShort ? 'error' : 'none'}
                    validationMessage={tooShort ? t('admin.directory.newUser.passwordTooShort') : undefined}
                    required
                  >
                    <Input
                      type="password"
                      value={form.password}
                      onChange={set('password')}
                      maxLength={256}
                      autoComplete="new-password"
                    />
                  </Field>
                ) : null}
                {action.error ? (
                  <MessageBar intent="error" data-testid="new-user-error">
                    <MessageBarBody>{errorText(t, action.error)}</MessageBarBody>
                  </MessageBar>
                ) : null}
              </DialogContent>
              <DialogActions>
                <Button
                  appearance="primary"
                  type="submit"
                  disabled={!ready || action.busy}
                  icon={action.busy ? <BusySpinner /> : undefined}
                >
                  {t('admin.directory.newUser.create')}
                </Button>
                <Button disabled={action.busy} onClick={close}>
                  {t('admin.directory.cancel')}
                </Button>
              </DialogActions>
            </DialogBody>
          </form>
        </DialogSurface>
      </Dialog>
      <OneTimePassword
        password={created?.password ?? null}
        account={created?.email ?? ''}
        onClose={() => created && finish(created.id)}
      />
    </>
  );
}

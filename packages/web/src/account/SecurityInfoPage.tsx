/**
 * @module account/SecurityInfoPage
 * `/account/security`: the signed-in person's security info (as in My Account's "Security
 * info"): set up or remove an authenticator app (QR code, secret, first code, recovery codes
 * shown once), how many recovery codes are left, passkeys (`PasskeysPanel`), change the password,
 * sign out everywhere.
 */
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import {
  Badge,
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import type { MfaEnrollment, SecurityInfo } from '@remote-help/protocol';
import { api, ApiError } from '../common/api';
import { errorText } from '../common/errorText';
import { useMe } from '../common/meContext';
import { Panel } from '../common/Panel';
import { useAsyncAction } from '../common/useAsyncAction';
import { LeaveGuardProvider, useLeaveGuard } from '../common/LeaveGuard';
import { PasskeysPanel } from './PasskeysPanel';

const useStyles = makeStyles({
  page: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalL,
    paddingBlock: tokens.spacingVerticalXL,
  },
  row: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' },
  qr: {
    width: '200px',
    height: '200px',
    imageRendering: 'pixelated',
    border: `1px solid ${tokens.colorNeutralStroke2}`,
  },
  secret: { fontFamily: tokens.fontFamilyMonospace, wordBreak: 'break-all' },
  codes: {
    display: 'grid',
    gridTemplateColumns: 'repeat(2, max-content)',
    columnGap: tokens.spacingHorizontalXXL,
    rowGap: tokens.spacingVerticalXS,
    fontFamily: tokens.fontFamilyMonospace,
    paddingInlineStart: 0,
    listStyleType: 'none',
  },
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, maxWidth: '420px' },
});

/** A failure in words; the server's field and reason pick a precise sentence. */
function failureText(t: TFunction, error: unknown): string {
  if (error instanceof ApiError && error.code === 'validation_failed') {
    const field = error.data?.['field'];
    const reason = error.data?.['reason'];
    if (field === 'code') return t('account.security.errors.wrongCode');
    if (field === 'password' || field === 'currentPassword') return t('account.security.errors.wrongPassword');
    if (reason === 'common') return t('account.security.errors.commonPassword');
    if (reason === 'too_short') return t('account.security.errors.shortPassword');
  }
  return errorText(t, error);
}

/** See the module description; leaving while something would be lost asks first (`LeaveGuard`). */
export function SecurityInfoPage() {
  return (
    <LeaveGuardProvider>
      <SecurityInfoPanels />
    </LeaveGuardProvider>
  );
}

function SecurityInfoPanels() {
  const { t } = useTranslation();
  const styles = useStyles();
  const { signOut } = useMe();
  const [info, setInfo] = useState<SecurityInfo | null>(null);
  const load = useAsyncAction();
  const reload = useCallback(() => load.run(async () => setInfo(await api.getMySecurityInfo())), [load]);
  useEffect(reload, []); // eslint-disable-line react-hooks/exhaustive-deps

  const [enrollment, setEnrollment] = useState<MfaEnrollment | null>(null);
  const [code, setCode] = useState('');
  // Replacing an authenticator already on asks for the password too (the server requires it).
  const [replacePassword, setReplacePassword] = useState('');
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const enroll = useAsyncAction();
  const [removing, setRemoving] = useState(false);
  const [removePassword, setRemovePassword] = useState('');
  const remove = useAsyncAction();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [passwordDone, setPasswordDone] = useState(false);
  const password = useAsyncAction();
  const [confirmSignOut, setConfirmSignOut] = useState(false);
  const everywhere = useAsyncAction();
  // Recovery codes are shown once; a new password or a first code half typed is work to keep.
  useLeaveGuard(recoveryCodes !== null, 'shownOnce');
  useLeaveGuard(
    current !== '' || next !== '' || (enrollment !== null && (code.trim() !== '' || replacePassword !== '')),
  );

  if (!info) {
    return (
      <div className={styles.page}>
        <Panel title={t('account.security.title')}>
          {load.error ? (
            <MessageBar intent="error">
              <MessageBarBody>{failureText(t, load.error)}</MessageBarBody>
            </MessageBar>
          ) : (
            <Spinner label={t('account.security.loading')} />
          )}
        </Panel>
      </div>
    );
  }

  return (
    <div className={styles.page}>
      <Panel title={t('account.security.title')}>
        <Text>{t('account.security.intro')}</Text>
      </Panel>

      <Panel
        title={t('account.security.mfa.title')}
        data-testid="mfa-panel"
        actions={
          !enrollment && !recoveryCodes ? (
            <>
              <Button
                appearance="primary"
                disabled={enroll.busy}
                onClick={() =>
                  enroll.run(async () => {
                    setEnrollment(await api.startMfaEnrollment({ body: {} }));
                    setCode('');
                    setReplacePassword('');
                  })
                }
              >
                {info.mfa.enabled ? t('account.security.mfa.replace') : t('account.security.mfa.setUp')}
              </Button>
              {info.mfa.enabled && (
                <Button onClick={() => setRemoving(true)}>{t('account.security.mfa.remove')}</Button>
              )}
            </>
          ) : undefined
        }
      >
        <div className={styles.row}>
          <Badge appearance="tint" color={info.mfa.enabled ? 'success' : 'warning'}>
            {info.mfa.enabled ? t('account.security.mfa.on') : t('account.security.mfa.off')}
          </Badge>
          {info.mfa.enabled && (
            <Text data-testid="recovery-left">
              {t('account.security.mfa.recoveryLeft', { count: info.mfa.recoveryCodesLeft })}
            </Text>
          )}
        </div>
        {enroll.error && !enrollment ? (
          <MessageBar intent="error">
            <MessageBarBody>{failureText(t, enroll.error)}</MessageBarBody>
          </MessageBar>
        ) : null}
        {enrollment && (
          <form
            className={styles.stack}
            onSubmit={(event) => {
              event.preventDefault();
              enroll.run(async () => {
                const result = await api.confirmMfaEnrollment({
                  body: info.mfa.enabled ? { code, password: replacePassword } : { code },
                });
                setReplacePassword('');
                setRecoveryCodes(result.recoveryCodes);
                setEnrollment(null);
                reload();
              });
            }}
          >
            <Text>{t('account.security.mfa.scan')}</Text>
            <img className={styles.qr} src={enrollment.qrCode} alt={t('account.security.mfa.qrAlt')} />
            <Text>{t('account.security.mfa.manual')}</Text>
            <Text className={styles.secret} data-testid="mfa-secret">
              {enrollment.secret}
            </Text>
            <Field label={t('account.security.mfa.code')} required>
              <Input
                value={code}
                inputMode="numeric"
                autoComplete="one-time-code"
                maxLength={8}
                onChange={(_, data) => setCode(data.value)}
              />
            </Field>
            {info.mfa.enabled && (
              <Field label={t('account.security.password.current')} required>
                <Input
                  type="password"
                  autoComplete="current-password"
                  value={replacePassword}
                  onChange={(_, data) => setReplacePassword(data.value)}
                />
              </Field>
            )}
            {enroll.error ? (
              <MessageBar intent="error">
                <MessageBarBody>{failureText(t, enroll.error)}</MessageBarBody>
              </MessageBar>
            ) : null}
            <div className={styles.row}>
              <Button
                appearance="primary"
                type="submit"
                disabled={enroll.busy || code.trim().length < 6 || (info.mfa.enabled && replacePassword === '')}
              >
                {t('account.security.mfa.verify')}
              </Button>
              <Button onClick={() => setEnrollment(null)}>{t('account.security.cancel')}</Button>
            </div>
          </form>
        )}
        {recoveryCodes && (
          <div className={styles.stack}>
            <MessageBar intent="success">
              <MessageBarBody>{t('account.security.mfa.done')}</MessageBarBody>
            </MessageBar>
            <Text weight="semibold">{t('account.security.mfa.recoveryTitle')}</Text>
            <Text>{t('account.security.mfa.recoveryHelp')}</Text>
            <ul className={styles.codes} data-testid="recovery-codes">
              {recoveryCodes.map((c) => (
                <li key={c}>{c}</li>
              ))}
            </ul>
            <div>
              <Button appearance="primary" onClick={() => setRecoveryCodes(null)}>
                {t('account.security.mfa.saved')}
              </Button>
            </div>
          </div>
        )}
      </Panel>

      <PasskeysPanel />

      {info.hasPassword && (
        <Panel title={t('account.security.password.title')}>
          <form
            className={styles.stack}
            onSubmit={(event) => {
              event.preventDefault();
              setPasswordDone(false);
              password.run(async () => {
                await api.changeMyPassword({ body: { currentPassword: current, newPassword: next } });
                setCurrent('');
                setNext('');
                setPasswordDone(true);
              });
            }}
          >
            <Field label={t('account.security.password.current')} required>
              <Input
                type="password"
                autoComplete="current-password"
                value={current}
                onChange={(_, data) => setCurrent(data.value)}
              />
            </Field>
            <Field
              label={t('account.security.password.new')}
              hint={t('account.security.password.rules', { count: info.passwordPolicy.minLength })}
              required
            >
              <Input
                type="password"
                autoComplete="new-password"
                value={next}
                maxLength={256}
                onChange={(_, data) => setNext(data.value)}
              />
            </Field>
            {password.error ? (
              <MessageBar intent="error">
                <MessageBarBody>{failureText(t, password.error)}</MessageBarBody>
              </MessageBar>
            ) : null}
            {passwordDone && (
              <MessageBar intent="success">
                <MessageBarBody>{t('account.security.password.changed')}</MessageBarBody>
              </MessageBar>
            )}
            <div>
              <Button
                appearance="primary"
                type="submit"
                disabled={password.busy || !current || next.length < info.passwordPolicy.minLength}
              >
                {t('account.security.password.change')}
              </Button>
            </div>
          </form>
        </Panel>
      )}

      <Panel
        title={t('account.security.signOut.title')}
        actions={<Button onClick={() => setConfirmSignOut(true)}>{t('account.security.signOut.button')}</Button>}
      >
        <Text>{t('account.security.signOut.help')}</Text>
      </Panel>

      <Dialog open={removing} onOpenChange={(_, data) => setRemoving(data.open)}>
        <DialogSurface>
          <form
            onSubmit={(event) => {
              event.preventDefault();
              remove.run(async () => {
                await api.removeMyMfa({ body: { password: removePassword } });
                setRemoving(false);
                setRemovePassword('');
                reload();
              });
            }}
          >
            <DialogBody>
              <DialogTitle>{t('account.security.mfa.removeTitle')}</DialogTitle>
              <DialogContent className={styles.stack}>
                <Text>{t('account.security.mfa.removeHelp')}</Text>
                <Field label={t('account.security.password.current')} required>
                  <Input
                    type="password"
                    autoComplete="current-password"
                    value={removePassword}
                    onChange={(_, data) => setRemovePassword(data.value)}
                  />
                </Field>
                {remove.error ? (
                  <MessageBar intent="error">
                    <MessageBarBody>{failureText(t, remove.error)}</MessageBarBody>
                  </MessageBar>
                ) : null}
              </DialogContent>
              <DialogActions>
                <Button appearance="primary" type="submit" disabled={remove.busy || !removePassword}>
                  {t('account.security.mfa.remove')}
                </Button>
                <Button onClick={() => setRemoving(false)}>{t('account.security.cancel')}</Button>
              </DialogActions>
            </DialogBody>
          </form>
        </DialogSurface>
      </Dialog>

      <Dialog open={confirmSignOut} onOpenChange={(_, data) => setConfirmSignOut(data.open)}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>{t('account.security.signOut.confirmTitle')}</DialogTitle>
            <DialogContent className={styles.stack}>
              <Text>{t('account.security.signOut.confirm')}</Text>
              {everywhere.error ? (
                <MessageBar intent="error">
                  <MessageBarBody>{failureText(t, everywhere.error)}</MessageBarBody>
                </MessageBar>
              ) : null}
            </DialogContent>
            <DialogActions>
              <Button
                appearance="primary"
                disabled={everywhere.busy}
                onClick={() =>
                  everywhere.run(async () => {
                    await api.signOutEverywhere({ body: {} });
                    await signOut();
                  })
                }
              >
                {t('account.security.signOut.button')}
              </Button>
              <Button onClick={() => setConfirmSignOut(false)}>{t('account.security.cancel')}</Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </div>
  );
}

/**
 * @module account/PasskeysPanel
 * Security info's "Passkeys": the person's passkeys (name, when added, when last used, synced or
 * on one device), "Add a passkey" (a name, the password again when this browser's sign-in is not
 * recent, then the browser's own passkey dialog through `@simplewebauthn/browser`), rename, and
 * remove after a confirmation. Signing in with a passkey happens on the sign-in pages.
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
import { startRegistration } from '@simplewebauthn/browser';
import type { MyPasskeys, Passkey } from '@remote-help/protocol';
import { PASSKEY_NAME_MAX } from '@remote-help/protocol';
import { api, ApiError } from '../common/api';
import { errorText } from '../common/errorText';
import { Panel } from '../common/Panel';
import { useAsyncAction } from '../common/useAsyncAction';

const useStyles = makeStyles({
  list: { listStyleType: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column' },
  item: {
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalM,
    flexWrap: 'wrap',
    paddingBlock: tokens.spacingVerticalS,
    borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
  },
  name: { display: 'flex', flexDirection: 'column', flexGrow: 1, minWidth: '200px', overflowWrap: 'anywhere' },
  meta: { color: tokens.colorNeutralForeground3 },
  row: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
});

/** A failure in words: the browser's own refusals, then the server's reason. */
export function passkeyFailureText(t: TFunction, error: unknown): string {
  if (error instanceof Error && error.name === 'NotAllowedError') return t('account.passkeys.errors.cancelled');
  if (error instanceof Error && error.name === 'InvalidStateError') return t('account.passkeys.errors.alreadyAdded');
  if (error instanceof ApiError) {
    const reason = error.data?.['reason'];
    const field = error.data?.['field'];
    if (reason === 'recent_sign_in_required') return t('account.passkeys.errors.passwordNeeded');
    if (field === 'password') return t('account.security.errors.wrongPassword');
    if (reason === 'already_added') return t('account.passkeys.errors.alreadyAdded');
    if (reason === 'challenge') return t('account.passkeys.errors.expired');
    if (reason === 'origin' || reason === 'rp_id') return t('account.passkeys.errors.otherSite');
    if (field === 'passkey') return t('account.passkeys.errors.invalid');
  }
  return errorText(t, error);
}

/** See the module description. */
export function PasskeysPanel() {
  const { t, i18n } = useTranslation();
  const styles = useStyles();
  const [mine, setMine] = useState<MyPasskeys | null>(null);
  const load = useAsyncAction();
  const reload = useCallback(() => load.run(async () => setMine(await api.listMyPasskeys())), [load]);
  useEffect(reload, []); // eslint-disable-line react-hooks/exhaustive-deps

  const [adding, setAdding] = useState(false);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [added, setAdded] = useState<string | null>(null);
  const add = useAsyncAction();
  const [renaming, setRenaming] = useState<Passkey | null>(null);
  const [newName, setNewName] = useState('');
  const rename = useAsyncAction();
  const [removing, setRemoving] = useState<Passkey | null>(null);
  const remove = useAsyncAction();

  const date = (iso: string) => new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium' }).format(new Date(iso));

  const openAdd = () => {
    setName('');
    setPassword('');
    setAdded(null);
    add.clearError();
    setAdding(true);
  };

  const submitAdd = () =>
    add.run(async () => {
      const optionsJSON = await api.startPasskeyRegistration({
        body: mine?.passwordRequired ? { password } : {},
      });
      // The browser's own dialog: Windows Hello, Touch ID, a phone or a security key.
      const response = await startRegistration({ optionsJSON });
      const passkey = await api.finishPasskeyRegistration({ body: { name: name.trim(), response } });
      setAdding(false);
      setAdded(passkey.name);
      reload();
    });

  return (
    <Panel
      title={t('account.passkeys.title')}
      focusHeading={false}
      data-testid="passkeys-panel"
      actions={
        mine?.canAdd ? (
          <Button appearance="primary" onClick={openAdd}>
            {t('account.passkeys.add')}
          </Button>
        ) : undefined
      }
    >
      <Text>{t('account.passkeys.intro')}</Text>
      {!mine && !load.error && <Spinner size="small" label={t('account.passkeys.loading')} />}
      {load.error ? (
        <MessageBar intent="error">
          <MessageBarBody>{passkeyFailureText(t, load.error)}</MessageBarBody>
        </MessageBar>
      ) : null}
      {added && (
        <MessageBar intent="success">
          <MessageBarBody>{t('account.passkeys.added', { name: added })}</MessageBarBody>
        </MessageBar>
      )}
      {mine && !mine.canAdd && <Text>{t('account.passkeys.federated')}</Text>}
      {mine && mine.canAdd && mine.passkeys.length === 0 && (
        <Badge appearance="tint" color="informative">
          {t('account.passkeys.none')}
        </Badge>
      )}
      {mine && mine.passkeys.length > 0 && (
        <ul className={styles.list} aria-label={t('account.passkeys.title')}>
          {mine.passkeys.map((p) => (
            <li key={p.id} className={styles.item} data-testid="passkey">
              <div className={styles.name}>
                <Text weight="semibold">{p.name}</Text>
                <Text size={200} className={styles.meta}>
                  {t('account.passkeys.addedOn', { date: date(p.createdAt) })} ·{' '}
                  {p.lastUsedAt
                    ? t('account.passkeys.lastUsed', { date: date(p.lastUsedAt) })
                    : t('account.passkeys.neverUsed')}
                </Text>
              </div>
              <Badge appearance="outline" color={p.synced ? 'brand' : 'informative'}>
                {p.synced ? t('account.passkeys.synced') : t('account.passkeys.thisDevice')}
              </Badge>
              <div className={styles.row}>
                <Button
                  size="small"
                  aria-label={t('account.passkeys.renameOne', { name: p.name })}
                  onClick={() => {
                    setNewName(p.name);
                    rename.clearError();
                    setRenaming(p);
                  }}
                >
                  {t('account.passkeys.rename')}
                </Button>
                <Button
                  size="small"
                  aria-label={t('account.passkeys.removeOne', { name: p.name })}
                  onClick={() => {
                    remove.clearError();
                    setRemoving(p);
                  }}
                >
                  {t('account.passkeys.remove')}
                </Button>
              </div>
            </li>
          ))}
        </ul>
      )}

      <Dialog open={adding} onOpenChange={(_, data) => setAdding(data.open)}>
        <DialogSurface>
          <form
            onSubmit={(event) => {
              event.preventDefault();
              submitAdd();
            }}
          >
            <DialogBody>
              <DialogTitle>{t('account.passkeys.addTitle')}</DialogTitle>
              <DialogContent className={styles.stack}>
                <Text>{t('account.passkeys.addHelp')}</Text>
                <Field label={t('account.passkeys.name')} hint={t('account.passkeys.nameHint')} required>
                  <Input
                    value={name}
                    maxLength={PASSKEY_NAME_MAX}
                    onChange={(_, data) => setName(data.value)}
                    autoFocus
                  />
                </Field>
                {mine?.passwordRequired && (
                  <Field
                    label={t('account.security.password.current')}
                    hint={t('account.passkeys.passwordHint')}
                    required
                  >
                    <Input
                      type="password"
                      autoComplete="current-password"
                      value={password}
                      onChange={(_, data) => setPassword(data.value)}
                    />
                  </Field>
                )}
                {add.error ? (
                  <MessageBar intent="error">
                    <MessageBarBody>{passkeyFailureText(t, add.error)}</MessageBarBody>
                  </MessageBar>
                ) : null}
              </DialogContent>
              <DialogActions>
                <Button
                  appearance="primary"
                  type="submit"
                  disabled={add.busy || !name.trim() || (mine?.passwordRequired === true && !password)}
                >
                  {add.busy ? t('account.passkeys.waiting') : t('account.passkeys.continue')}
                </Button>
                <Button onClick={() => setAdding(false)}>{t('account.security.cancel')}</Button>
              </DialogActions>
            </DialogBody>
          </form>
        </DialogSurface>
      </Dialog>

      <Dialog open={renaming !== null} onOpenChange={(_, data) => !data.open && setRenaming(null)}>
        <DialogSurface>
          <form
            onSubmit={(event) => {
              event.preventDefault();
              const target = renaming;
              if (!target) return;
              rename.run(async () => {
                await api.renameMyPasskey({ body: { id: target.id, name: newName.trim() } });
                setRenaming(null);
                reload();
              });
            }}
          >
            <DialogBody>
              <DialogTitle>{t('account.passkeys.renameTitle')}</DialogTitle>
              <DialogContent className={styles.stack}>
                <Field label={t('account.passkeys.name')} required>
                  <Input
                    value={newName}
                    maxLength={PASSKEY_NAME_MAX}
                    onChange={(_, data) => setNewName(data.value)}
                    autoFocus
                  />
                </Field>
                {rename.error ? (
                  <MessageBar intent="error">
                    <MessageBarBody>{passkeyFailureText(t, rename.error)}</MessageBarBody>
                  </MessageBar>
                ) : null}
              </DialogContent>
              <DialogActions>
                <Button appearance="primary" type="submit" disabled={rename.busy || !newName.trim()}>
                  {t('account.passkeys.save')}
                </Button>
                <Button onClick={() => setRenaming(null)}>{t('account.security.cancel')}</Button>
              </DialogActions>
            </DialogBody>
          </form>
        </DialogSurface>
      </Dialog>

      <Dialog open={removing !== null} onOpenChange={(_, data) => !data.open && setRemoving(null)}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>{t('account.passkeys.removeTitle', { name: removing?.name ?? '' })}</DialogTitle>
            <DialogContent className={styles.stack}>
              <Text>{t('account.passkeys.removeHelp')}</Text>
              {remove.error ? (
                <MessageBar intent="error">
                  <MessageBarBody>{passkeyFailureText(t, remove.error)}</MessageBarBody>
                </MessageBar>
              ) : null}
            </DialogContent>
            <DialogActions>
              <Button
                appearance="primary"
                disabled={remove.busy}
                onClick={() => {
                  const target = removing;
                  if (!target) return;
                  remove.run(async () => {
                    await api.removeMyPasskey({ body: { id: target.id } });
                    setRemoving(null);
                    setAdded(null);
                    reload();
                  });
                }}
              >
                {t('account.passkeys.remove')}
              </Button>
              <Button onClick={() => setRemoving(null)}>{t('account.security.cancel')}</Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </Panel>
  );
}

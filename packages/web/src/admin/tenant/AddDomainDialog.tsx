/**
 * @module admin/tenant/AddDomainDialog
 * Add a domain in two steps: the name (the server checks it strictly and answers the TXT
 * record), then the record to publish with Copy buttons, and *Verify now* (a spinner while the
 * server asks DNS, the refusal in words when it fails) or *Verify later* (the domain stays in
 * the list as pending, its record shown there too).
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  Body1,
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
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import type { TenantDomain } from '@remote-help/protocol';
import { api } from '../../common/api';
import { errorText } from '../../common/errorText';
import { useAsyncAction } from '../../common/useAsyncAction';
import { TxtRecord } from './TxtRecord';
import { BusySpinner } from '../../common/BusySpinner';
import { useLeaveGuard } from '../../common/LeaveGuard';

const useStyles = makeStyles({
  content: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  surface: { maxWidth: '680px' },
});

export interface AddDomainDialogProps {
  open: boolean;
  /** Called when the dialog closes; `changed`: a domain was added (and maybe verified). */
  onClose: (changed: { added: TenantDomain | null; verified: boolean }) => void;
}

/** See the module description. */
export function AddDomainDialog({ open, onClose }: AddDomainDialogProps) {
  const { t } = useTranslation();
  const styles = useStyles();
  const [name, setName] = useState('');
  const [added, setAdded] = useState<TenantDomain | null>(null);
  const add = useAsyncAction();
  const verify = useAsyncAction();
  const busy = add.busy || verify.busy;
  // Back or a link while a name is typed and not yet added asks first.
  useLeaveGuard(open && !added && name.trim() !== '');

  const close = (verified = false) => {
    if (busy) return;
    onClose({ added, verified });
    setName('');
    setAdded(null);
    add.clearError();
    verify.clearError();
  };

  return (
    <Dialog open={open} onOpenChange={(_, d) => (d.open ? undefined : close())}>
      <DialogSurface className={styles.surface} data-testid="add-domain-dialog">
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (added)
              verify.run(async () => {
                const r = await api.verifyDomain({ params: { id: added.domain } });
                setAdded(r.domain);
                onClose({ added: r.domain, verified: true });
                setName('');
                setAdded(null);
              });
            else
              add.run(async () => {
                setAdded((await api.addDomain({ body: { domain: name } })).domain);
              });
          }}
        >
          <DialogBody>
            <DialogTitle>{added ? t('admin.domains.recordTitle') : t('admin.domains.addTitle')}</DialogTitle>
            <DialogContent className={styles.content}>
              {added?.txtRecord ? (
                <>
                  <Body1>{t('admin.domains.recordIntro', { domain: added.domain })}</Body1>
                  <TxtRecord name={added.txtRecord.name} value={added.txtRecord.value} />
                </>
              ) : (
                <Field label={t('admin.domains.addLabel')} hint={t('admin.domains.addHint')} required>
                  <Input
                    value={name}
                    onChange={(_, d) => setName(d.value)}
                    placeholder="contoso.com"
                    autoComplete="off"
                    spellCheck={false}
                    data-testid="domain-name"
                  />
                </Field>
              )}
              {add.error || verify.error ? (
                <MessageBar intent="error" data-testid="domain-error">
                  <MessageBarBody>{errorText(t, add.error ?? verify.error)}</MessageBarBody>
                </MessageBar>
              ) : null}
            </DialogContent>
            <DialogActions>
              <Button
                appearance="primary"
                type="submit"
                disabled={busy || (!added && !name.trim())}
                icon={busy ? <BusySpinner /> : undefined}
              >
                {added
                  ? verify.busy
                    ? t('admin.domains.verifying')
                    : t('admin.domains.verifyNow')
                  : add.busy
                    ? t('admin.domains.adding')
                    : t('admin.domains.addButton')}
              </Button>
              <Button disabled={busy} onClick={() => close()}>
                {added ? t('admin.domains.later') : t('common.cancel')}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}

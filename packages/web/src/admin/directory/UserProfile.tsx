/**
 * @module admin/directory/UserProfile
 * A person's profile as others see it (display name, job title, company): edited in place,
 * saved with one PATCH, "Saved" once the server has it.
 */
import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, Field, Input, MessageBar, MessageBarBody, makeStyles, tokens } from '@fluentui/react-components';
import type { DirectoryUserView } from '@remote-help/protocol';
import { api } from '../../common/api';
import { errorText } from '../../common/errorText';
import { useAsyncAction } from '../../common/useAsyncAction';
import { Card } from './Card';
import { BusySpinner } from '../../common/BusySpinner';
import { useLeaveGuard } from '../../common/LeaveGuard';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  actions: { display: 'flex', gap: tokens.spacingHorizontalM, alignItems: 'center' },
});

const valuesOf = (user: DirectoryUserView) => ({
  displayName: user.displayName,
  jobTitle: user.jobTitle ?? '',
  company: user.company ?? '',
});

/** See the module description. */
export function UserProfile({
  user,
  onSaved,
}: {
  user: DirectoryUserView;
  onSaved: (user: DirectoryUserView) => void;
}) {
  const { t } = useTranslation();
  const styles = useStyles();
  const [values, setValues] = useState(valuesOf(user));
  const [saved, setSaved] = useState(false);
  const action = useAsyncAction();
  useEffect(() => setValues(valuesOf(user)), [user]);

  const initial = valuesOf(user);
  const changed = (Object.keys(values) as (keyof typeof values)[]).some((k) => values[k] !== initial[k]);
  useLeaveGuard(changed);
  const set = (key: keyof typeof values) => (_: unknown, d: { value: string }) => {
    setSaved(false);
    setValues({ ...values, [key]: d.value });
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    action.run(async () => {
      const { user: next } = await api.updateUser({
        params: { id: user.id },
        body: {
          displayName: values.displayName,
          jobTitle: values.jobTitle.trim() || null,
          company: values.company.trim() || null,
        },
      });
      setSaved(true);
      onSaved(next);
    });
  };

  return (
    <Card title={t('admin.directory.user.profile')} testId="user-profile">
      <form className={styles.form} onSubmit={submit}>
        <Field label={t('admin.directory.fields.displayName')} required>
          <Input value={values.displayName} onChange={set('displayName')} maxLength={128} dir="auto" />
        </Field>
        <Field label={t('admin.directory.fields.jobTitle')}>
          <Input value={values.jobTitle} onChange={set('jobTitle')} maxLength={128} dir="auto" />
        </Field>
        <Field label={t('admin.directory.fields.company')}>
          <Input value={values.company} onChange={set('company')} maxLength={128} dir="auto" />
        </Field>
        {action.error ? (
          <MessageBar intent="error">
            <MessageBarBody>{errorText(t, action.error)}</MessageBarBody>
          </MessageBar>
        ) : null}
        {saved && !changed ? (
          <MessageBar intent="success" data-testid="profile-saved">
            <MessageBarBody>{t('admin.directory.user.saved')}</MessageBarBody>
          </MessageBar>
        ) : null}
        <div className={styles.actions}>
          <Button
            appearance="primary"
            type="submit"
            disabled={!changed || values.displayName.trim() === '' || action.busy}
            icon={action.busy ? <BusySpinner /> : undefined}
          >
            {t('admin.directory.save')}
          </Button>
          <Button disabled={!changed || action.busy} onClick={() => setValues(initial)}>
            {t('admin.directory.discard')}
          </Button>
        </div>
      </form>
    </Card>
  );
}

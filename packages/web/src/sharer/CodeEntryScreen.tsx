/**
 * @module CodeEntryScreen
 * Sharer, before a session: the security code field (`1234 5678` or `12345678`),
 * Submit (enabled at 8 digits) and the translated error under the field.
 */
import { useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Body1, Button, Field, Input, Link, makeStyles, tokens } from '@fluentui/react-components';
import { ArrowRightRegular } from '@fluentui/react-icons';
import type { SessionView } from '@remote-help/protocol';
import { redeemCode } from '../common/endpoints';
import { errorText, retryAfterSeconds } from '../common/errorText';
import { SignInAgainLink } from '../common/SignInAgainLink';
import { Panel } from '../common/Panel';
import { useNow } from '../common/useNow';
import { cleanCodeInput, codeDigits } from './codeInput';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
  input: {
    maxWidth: '320px',
    '& input': {
      fontFamily: tokens.fontFamilyMonospace,
      fontSize: tokens.fontSizeBase500,
      letterSpacing: '0.08em',
      direction: 'ltr',
    },
  },
  submit: { alignSelf: 'flex-start' },
});

/** Props of {@link CodeEntryScreen}. */
export interface CodeEntryScreenProps {
  onJoined: (session: SessionView) => void;
}

/** See the module description. */
export function CodeEntryScreen({ onJoined }: CodeEntryScreenProps) {
  const styles = useStyles();
  const { t } = useTranslation();
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [lockedUntil, setLockedUntil] = useState(0);
  const now = useNow(1000, lockedUntil > 0);
  const locked = lockedUntil > now;
  const digits = codeDigits(value);
  const canSubmit = digits.length === 8 && !busy && !locked;
  const message = locked ? (
    t('errors.rate_limited', { count: Math.ceil((lockedUntil - now) / 1000) })
  ) : error ? (
    <>
      {errorText(t, error)} <SignInAgainLink error={error} />
    </>
  ) : undefined;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!canSubmit) return;
    setBusy(true);
    setError(null);
    redeemCode(digits).then(
      (session) => onJoined(session),
      (failure: unknown) => {
        setBusy(false);
        setError(failure);
        const wait = retryAfterSeconds(failure);
        setLockedUntil(wait ? Date.now() + wait * 1000 : 0);
      },
    );
  };

  return (
    <Panel title={t('sharer.title')}>
      <Body1>{t('sharer.start.body')}</Body1>
      <form className={styles.form} onSubmit={submit} noValidate>
        <Field
          label={t('sharer.start.label')}
          hint={t('sharer.start.hint')}
          validationState={error ? 'error' : 'none'}
          validationMessage={message}
          size="large"
        >
          <Input
            className={styles.input}
            size="large"
            value={value}
            onChange={(_event, data) => setValue(cleanCodeInput(data.value))}
            inputMode="numeric"
            autoComplete="off"
            autoCorrect="off"
            spellCheck={false}
            placeholder="1234 5678"
            data-testid="code-input"
          />
        </Field>
        <Button
          className={styles.submit}
          type="submit"
          appearance="primary"
          size="large"
          icon={<ArrowRightRegular />}
          iconPosition="after"
          disabled={!canSubmit}
        >
          {t('sharer.start.submit')}
        </Button>
      </form>
      <Link href="/download">{t('common.downloadApp')}</Link>
    </Panel>
  );
}

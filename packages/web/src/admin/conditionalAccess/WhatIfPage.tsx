/**
 * @module admin/conditionalAccess/WhatIfPage
 * Conditional access > What if: pick a person and describe a request (app, client app,
 * platform, IP address, device state, whether they signed in with MFA); Evaluate asks the
 * server to run the current policies on it (nothing is changed or logged). The answer: the
 * decision and what is unmet, the policies that apply with their result (Report-only marked:
 * logged, not enforced), and the ones that do not apply with the reason.
 */
import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import {
  Button,
  Combobox,
  Dropdown,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Option,
  Switch,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import type { CaApp, CaClientApp, CaDeviceState, CaPlatform, WhatIfResponse } from '@remote-help/protocol';
import { CA_APPS, CA_PLATFORMS, parseIp } from '@remote-help/protocol';
import { errorText } from '../../common/errorText';
import { api } from '../../common/api';
import { useAsyncAction } from '../../common/useAsyncAction';
import { CaFrame } from './CaFrame';
import type { Choice } from './ChoicePicker';
import { searchUsers } from './caData';
import { CLIENT_APPS, DEVICE_STATES } from './caPolicyForm';
import { PolicyResults } from './PolicyResults';
import { BusySpinner } from '../../common/BusySpinner';

const useStyles = makeStyles({
  form: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(220px, 1fr))',
    gap: tokens.spacingHorizontalL,
    alignItems: 'start',
    maxWidth: '1000px',
  },
  wide: { gridColumn: '1 / -1' },
  actions: { display: 'flex', gap: tokens.spacingHorizontalM, alignItems: 'center', gridColumn: '1 / -1' },
});

interface Request {
  user: Choice | null;
  app: CaApp;
  clientApp: CaClientApp;
  platform: CaPlatform;
  ip: string;
  deviceState: CaDeviceState;
  mfa: boolean;
}

/** A drop-down over fixed values with their words. */
function Pick<T extends string>({
  label,
  value,
  options,
  onChange,
  testId,
}: {
  label: string;
  value: T;
  options: readonly { value: T; text: string }[];
  onChange: (value: T) => void;
  testId: string;
}) {
  return (
    <Field label={label}>
      <Dropdown
        value={options.find((o) => o.value === value)?.text ?? ''}
        selectedOptions={[value]}
        onOptionSelect={(_, d) => d.optionValue && onChange(d.optionValue as T)}
        data-testid={testId}
      >
        {options.map((o) => (
          <Option key={o.value} value={o.value}>
            {o.text}
          </Option>
        ))}
      </Dropdown>
    </Field>
  );
}

/** See the module description. */
export function WhatIfPage() {
  const { t } = useTranslation();
  const styles = useStyles();
  const action = useAsyncAction();
  const [request, setRequest] = useState<Request>({
    user: null,
    app: 'helper',
    clientApp: 'browser',
    platform: 'windows',
    ip: '',
    deviceState: 'unknown',
    mfa: false,
  });
  const [submitted, setSubmitted] = useState(false);
  const [result, setResult] = useState<WhatIfResponse | null>(null);
  const [text, setText] = useState('');
  const [found, setFound] = useState<Choice[]>([]);
  const [searching, setSearching] = useState(false);
  const set = (patch: Partial<Request>) => setRequest((r) => ({ ...r, ...patch }));

  useEffect(() => {
    if (request.user && request.user.label === text) return;
    let live = true;
    const timer = setTimeout(() => {
      setSearching(true);
      searchUsers(text.trim())
        .then((list) => live && setFound(list))
        .catch(() => live && setFound([]))
        .finally(() => live && setSearching(false));
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
    // The typed text decides when to search.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [text]);

  const ip = request.ip.trim();
  const errors = {
    user: submitted && !request.user ? t('admin.conditionalAccess.whatIf.userRequired') : undefined,
    ip: submitted && ip && parseIp(ip) === null ? t('admin.conditionalAccess.whatIf.ipInvalid') : undefined,
  };

  const evaluate = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    const user = request.user;
    if (!user || (ip && parseIp(ip) === null)) return;
    action.run(async () => {
      setResult(null);
      setResult(
        await api.whatIf({
          body: {
            userId: user.id,
            app: request.app,
            clientApp: request.clientApp,
            platform: request.platform,
            ip: ip || null,
            deviceState: request.deviceState,
            mfa: request.mfa,
          },
        }),
      );
    });
  };

  return (
    <CaFrame tab="what-if">
      <MessageBar intent="info">
        <MessageBarBody>{t('admin.conditionalAccess.whatIf.intro')}</MessageBarBody>
      </MessageBar>
      <form className={styles.form} onSubmit={evaluate} noValidate>
        <Field
          className={styles.wide}
          label={t('admin.conditionalAccess.whatIf.user')}
          required
          validationMessage={errors.user}
        >
          <Combobox
            freeform
            placeholder={t('admin.conditionalAccess.whatIf.userPlaceholder')}
            value={text}
            selectedOptions={request.user ? [request.user.id] : []}
            onInput={(event) => {
              setText((event.target as HTMLInputElement).value);
              set({ user: null });
            }}
            onOptionSelect={(_, d) => {
              const user = found.find((c) => c.id === d.optionValue) ?? null;
              set({ user });
              setText(user?.label ?? '');
            }}
            expandIcon={searching ? <BusySpinner size="extra-tiny" /> : undefined}
            data-testid="ca-whatif-user"
          >
            {found.length === 0 ? (
              <Option value="" disabled text="">
                {t('admin.conditionalAccess.editor.noMatches')}
              </Option>
            ) : (
              found.map((c) => (
                <Option key={c.id} value={c.id} text={c.label}>
                  <span>
                    <bdi>{c.label}</bdi> <small>{c.detail ? <bdi>{c.detail}</bdi> : null}</small>
                  </span>
                </Option>
              ))
            )}
          </Combobox>
        </Field>
        <Pick
          label={t('admin.conditionalAccess.whatIf.app')}
          value={request.app}
          options={CA_APPS.map((value) => ({ value, text: t(`admin.conditionalAccess.apps.${value}`) }))}
          onChange={(app) => set({ app })}
          testId="ca-whatif-app"
        />
        <Pick
          label={t('admin.conditionalAccess.whatIf.clientApp')}
          value={request.clientApp}
          options={CLIENT_APPS.map((value) => ({ value, text: t(`admin.conditionalAccess.clientApps.${value}`) }))}
          onChange={(clientApp) => set({ clientApp })}
          testId="ca-whatif-client-app"
        />
        <Pick
          label={t('admin.conditionalAccess.whatIf.platform')}
          value={request.platform}
          options={CA_PLATFORMS.map((value) => ({ value, text: t(`admin.conditionalAccess.platforms.${value}`) }))}
          onChange={(platform) => set({ platform })}
          testId="ca-whatif-platform"
        />
        <Field
          label={t('admin.conditionalAccess.whatIf.ip')}
          hint={t('admin.conditionalAccess.whatIf.ipHint')}
          validationMessage={errors.ip}
        >
          <Input
            value={request.ip}
            input={{ dir: 'ltr' }}
            placeholder="198.51.100.7"
            onChange={(_, d) => set({ ip: d.value })}
            data-testid="ca-whatif-ip"
          />
        </Field>
        <Pick
          label={t('admin.conditionalAccess.whatIf.deviceState')}
          value={request.deviceState}
          options={DEVICE_STATES.map((value) => ({ value, text: t(`admin.conditionalAccess.deviceStates.${value}`) }))}
          onChange={(deviceState) => set({ deviceState })}
          testId="ca-whatif-device-state"
        />
        <Field className={styles.wide}>
          <Switch
            label={t('admin.conditionalAccess.whatIf.mfa')}
            checked={request.mfa}
            onChange={(_, d) => set({ mfa: d.checked })}
            data-testid="ca-whatif-mfa"
          />
        </Field>
        <div className={styles.actions}>
          <Button
            appearance="primary"
            type="submit"
            disabled={action.busy}
            icon={action.busy ? <BusySpinner /> : undefined}
            data-testid="ca-whatif-evaluate"
          >
            {t('admin.conditionalAccess.whatIf.evaluate')}
          </Button>
        </div>
      </form>
      {action.error ? (
        <MessageBar intent="error" data-testid="ca-whatif-error">
          <MessageBarBody>{errorText(t, action.error)}</MessageBarBody>
        </MessageBar>
      ) : null}
      {result ? <PolicyResults result={result} /> : null}
    </CaFrame>
  );
}

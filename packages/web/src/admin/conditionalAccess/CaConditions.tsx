/**
 * @module admin/conditionalAccess/CaConditions
 * The Conditions part of the policy editor: client apps, device platforms (include, exclude),
 * locations (any, or selected named locations and "All trusted locations"; exclusions) and
 * device state. Each is off (not configured: it matches anything) until switched on.
 */
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import {
  Caption1,
  Field,
  MessageBar,
  MessageBarBody,
  Radio,
  RadioGroup,
  Switch,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { LocationRegular } from '@fluentui/react-icons';
import type { NamedLocation } from '@remote-help/protocol';
import { CA_PLATFORMS } from '@remote-help/protocol';
import type { Choice } from './ChoicePicker';
import { ChoicePicker } from './ChoicePicker';
import { Checks } from './Checks';
import type { CaFormErrors, CaPolicyFormValues } from './caPolicyForm';
import { CLIENT_APPS, DEVICE_STATES } from './caPolicyForm';

const useStyles = makeStyles({
  list: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  condition: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    paddingBlockEnd: tokens.spacingVerticalM,
    // Block-end is the bottom in every script this app shows (top to bottom), left-to-right or not.
    borderBottomWidth: '1px',
    borderBottomStyle: 'solid',
    borderBottomColor: tokens.colorNeutralStroke3,
  },
  body: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, paddingInlineStart: '40px' },
});

export interface CaConditionsProps {
  values: CaPolicyFormValues;
  set: (patch: Partial<CaPolicyFormValues>) => void;
  errors: CaFormErrors;
  message: (field: keyof CaFormErrors) => string | undefined;
  locations: readonly NamedLocation[];
  disabled: boolean;
}

/** See the module description. */
export function CaConditions({ values, set, errors, message, locations, disabled }: CaConditionsProps) {
  const { t } = useTranslation();
  const styles = useStyles();
  const { clientApps, platforms, locations: where, deviceStates } = values;
  const platformOptions = CA_PLATFORMS.map((value) => ({
    value,
    label: t(`admin.conditionalAccess.platforms.${value}`),
  }));
  const locationChoices: Choice[] = [
    { id: 'trusted', label: t('admin.conditionalAccess.editor.trustedLocations') },
    ...locations.map((l) => ({ id: l.id, label: l.name, detail: l.ranges.join(', ') })),
  ];
  const unknownLocation = t('admin.conditionalAccess.editor.unknownLocation');

  const condition = (id: string, label: string, on: boolean, toggle: (on: boolean) => void, body: ReactNode) => (
    <div className={styles.condition}>
      <Switch
        label={label}
        checked={on}
        disabled={disabled}
        onChange={(_, d) => toggle(d.checked)}
        data-testid={`ca-condition-${id}`}
      />
      {on ? <div className={styles.body}>{body}</div> : null}
    </div>
  );

  return (
    <div className={styles.list}>
      {condition(
        'clientApps',
        t('admin.conditionalAccess.editor.clientApps'),
        clientApps.on,
        (on) => set({ clientApps: { ...clientApps, on } }),
        <Field validationMessage={message('clientApps')} validationState={errors.clientApps ? 'error' : 'none'}>
          <Checks
            options={CLIENT_APPS.map((value) => ({ value, label: t(`admin.conditionalAccess.clientApps.${value}`) }))}
            value={clientApps.selected}
            onChange={(selected) => set({ clientApps: { ...clientApps, selected } })}
            disabled={disabled}
            testId="ca-client-app"
          />
        </Field>,
      )}
      {condition(
        'platforms',
        t('admin.conditionalAccess.editor.platforms'),
        platforms.on,
        (on) => set({ platforms: { ...platforms, on } }),
        <>
          <RadioGroup
            layout="horizontal"
            value={platforms.include}
            disabled={disabled}
            onChange={(_, d) => set({ platforms: { ...platforms, include: d.value === 'all' ? 'all' : 'selected' } })}
            aria-label={t('admin.conditionalAccess.editor.include')}
          >
            <Radio value="all" label={t('admin.conditionalAccess.editor.anyPlatform')} />
            <Radio value="selected" label={t('admin.conditionalAccess.editor.selectPlatforms')} />
          </RadioGroup>
          {platforms.include === 'selected' ? (
            <Field validationMessage={message('platforms')} validationState={errors.platforms ? 'error' : 'none'}>
              <Checks
                options={platformOptions}
                value={platforms.selected}
                onChange={(selected) => set({ platforms: { ...platforms, selected } })}
                disabled={disabled}
                testId="ca-platform"
              />
            </Field>
          ) : null}
          <Caption1>{t('admin.conditionalAccess.editor.platformsExclude')}</Caption1>
          <Checks
            options={platformOptions}
            value={platforms.exclude}
            onChange={(exclude) => set({ platforms: { ...platforms, exclude } })}
            disabled={disabled}
            testId="ca-platform-exclude"
          />
        </>,
      )}
      {condition(
        'locations',
        t('admin.conditionalAccess.editor.locations'),
        where.on,
        (on) => set({ locations: { ...where, on } }),
        <>
          {locations.length === 0 ? (
            <MessageBar intent="info">
              <MessageBarBody>{t('admin.conditionalAccess.editor.noLocations')}</MessageBarBody>
            </MessageBar>
          ) : null}
          <RadioGroup
            layout="horizontal"
            value={where.include}
            disabled={disabled}
            onChange={(_, d) => set({ locations: { ...where, include: d.value === 'any' ? 'any' : 'selected' } })}
            aria-label={t('admin.conditionalAccess.editor.include')}
          >
            <Radio value="any" label={t('admin.conditionalAccess.editor.anyLocation')} />
            <Radio value="selected" label={t('admin.conditionalAccess.editor.selectLocations')} />
          </RadioGroup>
          {where.include === 'selected' ? (
            <Field
              label={t('admin.conditionalAccess.editor.selectLocations')}
              validationMessage={message('locations')}
              validationState={errors.locations ? 'error' : 'none'}
            >
              <ChoicePicker
                choices={locationChoices}
                value={where.selected}
                onChange={(selected) => set({ locations: { ...where, selected } })}
                inputLabel={t('admin.conditionalAccess.editor.locationsInput')}
                unknownLabel={unknownLocation}
                icon={<LocationRegular />}
                disabled={disabled}
                testId="ca-locations-picker"
              />
            </Field>
          ) : null}
          <Field
            label={t('admin.conditionalAccess.editor.locationsExclude')}
            validationMessage={where.include === 'selected' ? undefined : message('locations')}
            validationState={errors.locations && where.include !== 'selected' ? 'error' : 'none'}
          >
            <ChoicePicker
              choices={locationChoices}
              value={where.exclude}
              onChange={(exclude) => set({ locations: { ...where, exclude } })}
              inputLabel={t('admin.conditionalAccess.editor.locationsExcludeInput')}
              unknownLabel={unknownLocation}
              icon={<LocationRegular />}
              disabled={disabled}
              testId="ca-locations-exclude-picker"
            />
          </Field>
        </>,
      )}
      {condition(
        'deviceStates',
        t('admin.conditionalAccess.editor.deviceStates'),
        deviceStates.on,
        (on) => set({ deviceStates: { ...deviceStates, on } }),
        <Field validationMessage={message('deviceStates')} validationState={errors.deviceStates ? 'error' : 'none'}>
          <Checks
            options={DEVICE_STATES.map((value) => ({
              value,
              label: t(`admin.conditionalAccess.deviceStates.${value}`),
            }))}
            value={deviceStates.selected}
            onChange={(selected) => set({ deviceStates: { ...deviceStates, selected } })}
            disabled={disabled}
            testId="ca-device-state"
          />
        </Field>,
      )}
    </div>
  );
}

/**
 * @module ControlToolbar
 * The control part of the remote view's toolbar: laser pointer, display picker, the
 * mode pill ("Full control" / "View only") and, with the native agent, Request full
 * control, the wait for the sharer's answer, and the wait for their device to start
 * taking input. The server decides every mode change; this only reflects it. The displays'
 * names are the sharer's device's own: normalised like a device's name ({@link displayName})
 * and isolated (FSI … PDI) inside a sentence.
 */
import { useId } from 'react';
import type { ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import {
  Badge,
  Button,
  Dropdown,
  Label,
  makeStyles,
  Option,
  Spinner,
  ToggleButton,
  tokens,
  Tooltip,
} from '@fluentui/react-components';
import { CursorClickRegular, DesktopRegular, TargetRegular } from '@fluentui/react-icons';
import { displayText } from '@remote-help/protocol';
import type { DisplayInfo, Permission, SessionView } from '@remote-help/protocol';
import type { ControlSnapshot } from './ControlChannels';

const useStyles = makeStyles({
  group: { display: 'inline-flex', alignItems: 'center', gap: tokens.spacingHorizontalS },
  dropdown: { minWidth: '160px', maxWidth: '260px' },
});

/** Props of {@link ControlToolbar}. */
export interface ControlToolbarProps {
  session: SessionView;
  permissions: readonly Permission[];
  snapshot: ControlSnapshot;
  laser: boolean;
  onLaserChange: (on: boolean) => void;
  onSelectDisplay: (id: string) => void;
  onRequestControl: () => void;
  busy: boolean;
}

/**
 * A display's name as shown: the agent reports what the sharer's system calls it, so it gets the
 * normaliser device names get (no bidi overrides, controls or invisible characters; at most 64
 * characters).
 */
export function displayName(display: DisplayInfo): string {
  return displayText(display.name);
}

/** Can be wrapped in a tooltip that explains why it is disabled. */
function withReason(reason: string | null, element: ReactElement) {
  if (!reason) return element;
  return (
    <Tooltip content={reason} relationship="description" withArrow>
      {element}
    </Tooltip>
  );
}

function DisplayPicker({
  displays,
  current,
  onSelect,
}: {
  displays: readonly DisplayInfo[];
  current: string | null;
  onSelect: (id: string) => void;
}) {
  const styles = useStyles();
  const { t } = useTranslation();
  const labelId = useId();
  const text = (display: DisplayInfo) =>
    t(display.primary ? 'helper.control.displayPrimary' : 'helper.control.displayOption', {
      // The name is the device's own: isolated inside the sentence.
      name: `\u2068${displayName(display)}\u2069`,
      width: display.width,
      height: display.height,
    });
  const selected = displays.find((display) => display.id === current);
  return (
    <span className={styles.group}>
      <Label id={labelId}>{t('helper.control.display')}</Label>
      <Dropdown
        className={styles.dropdown}
        aria-labelledby={labelId}
        data-testid="display-picker"
        value={selected ? displayName(selected) : ''}
        selectedOptions={current ? [current] : []}
        onOptionSelect={(_, data) => {
          if (data.optionValue && data.optionValue !== current) onSelect(data.optionValue);
        }}
      >
        {displays.map((display) => (
          <Option key={display.id} value={display.id} text={text(display)}>
            <DesktopRegular aria-hidden /> {text(display)}
          </Option>
        ))}
      </Dropdown>
    </span>
  );
}

/** See the module description. */
export function ControlToolbar({
  session,
  permissions,
  snapshot,
  laser,
  onLaserChange,
  onSelectDisplay,
  onRequestControl,
  busy,
}: ControlToolbarProps) {
  const { t } = useTranslation();
  const name = session.sharer?.displayName ?? t('common.someone');
  const agent = session.sharerClient === 'agent';
  const control = session.mode === 'control';
  const laserBlocked = !agent
    ? t('helper.control.laserNeedsAgent')
    : !snapshot.controlOpen
      ? t('helper.control.laserConnecting')
      : null;
  const requestBlocked = permissions.includes('remoteHelp.takeFullControl') ? null : t('helper.trust.noPermission');
  const waitingForDevice = control && !(snapshot.inputOpen && snapshot.injecting === true);

  return (
    <>
      {withReason(
        laserBlocked,
        <ToggleButton
          checked={laser && laserBlocked === null}
          icon={<TargetRegular />}
          disabledFocusable={laserBlocked !== null}
          onClick={() => onLaserChange(!laser)}
        >
          {t('helper.control.laser')}
        </ToggleButton>,
      )}
      {snapshot.displays.length > 1 ? (
        <DisplayPicker displays={snapshot.displays} current={snapshot.currentDisplay} onSelect={onSelectDisplay} />
      ) : null}
      <Badge appearance="tint" color={control ? 'brand' : 'informative'} data-testid="mode-pill">
        {control ? t('helper.remote.controlMode') : t('helper.remote.viewMode')}
      </Badge>
      {waitingForDevice ? (
        <span role="status" data-testid="waiting-for-device">
          <Spinner size="extra-tiny" labelPosition="after" label={t('helper.control.waitingDevice')} />
        </span>
      ) : null}
      {agent && !control && session.pendingMode === 'control' ? (
        <span role="status" data-testid="waiting-for-control">
          <Spinner size="extra-tiny" labelPosition="after" label={t('helper.requested.control', { name })} />
        </span>
      ) : null}
      {agent && !control && session.pendingMode === null
        ? withReason(
            requestBlocked,
            <Button
              icon={<CursorClickRegular />}
              disabledFocusable={busy || requestBlocked !== null}
              onClick={onRequestControl}
            >
              {t('helper.control.request')}
            </Button>,
          )
        : null}
    </>
  );
}

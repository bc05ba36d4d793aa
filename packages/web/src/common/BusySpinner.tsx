import { Spinner } from '@fluentui/react-components';

/**
 * The spinner shown as the icon of a busy button or picker. Decorative: the control is
 * disabled and its label says what it does, so the spinner is hidden from assistive
 * technology (a visible `progressbar` would need a name of its own; axe checks it). A
 * spinner that stands alone for a loading page or list takes a `label` instead.
 */
export function BusySpinner({ size = 'tiny' }: { size?: 'tiny' | 'extra-tiny' }) {
  return <Spinner size={size} aria-hidden />;
}

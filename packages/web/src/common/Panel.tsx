/**
 * @module Panel
 * The white surface every screen sits on: a heading that takes focus when the screen
 * appears (so keyboard and screen-reader users land on the new content), a body and
 * an action row.
 */
import { useEffect, useId, useRef } from 'react';
import type { ReactNode } from 'react';
import { makeStyles, mergeClasses, tokens, typographyStyles } from '@fluentui/react-components';

const useStyles = makeStyles({
  panel: {
    boxSizing: 'border-box',
    width: '100%',
    marginInline: 'auto',
    padding: tokens.spacingHorizontalXXL,
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusXLarge,
    boxShadow: tokens.shadow4,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalL,
    '@media (max-width: 480px)': { padding: tokens.spacingHorizontalL },
  },
  narrow: { maxWidth: '640px' },
  wide: { maxWidth: '1400px' },
  heading: {
    ...typographyStyles.title2,
    margin: 0,
    overflowWrap: 'anywhere',
    outlineStyle: 'none',
  },
  actions: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalM,
    alignItems: 'center',
  },
});

/** Props of {@link Panel}. */
export interface PanelProps {
  title: ReactNode;
  children?: ReactNode;
  /** Buttons shown in a row under the body. */
  actions?: ReactNode;
  /** `wide` for the remote screen, `narrow` (default) for everything else. */
  width?: 'narrow' | 'wide';
  /** ARIA role of the panel (e.g. `dialog` for a question the user must answer). */
  role?: 'dialog' | 'region';
  /** Moves focus to the heading when the panel appears (default true). */
  focusHeading?: boolean;
  className?: string;
  'data-testid'?: string;
}

/** A screen of the app; see the module description. */
export function Panel({
  title,
  children,
  actions,
  width = 'narrow',
  role = 'region',
  focusHeading = true,
  className,
  ...rest
}: PanelProps) {
  const styles = useStyles();
  const headingId = useId();
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (!focusHeading) return;
    // Only take focus from the page itself or from a control that has just disappeared.
    const active = document.activeElement;
    if (!active || active === document.body || !active.isConnected) heading.current?.focus({ preventScroll: true });
  }, [focusHeading]);

  return (
    <section
      className={mergeClasses(styles.panel, width === 'wide' ? styles.wide : styles.narrow, className)}
      role={role}
      aria-labelledby={headingId}
      data-testid={rest['data-testid']}
    >
      <h1 id={headingId} ref={heading} tabIndex={-1} className={styles.heading}>
        {title}
      </h1>
      {children}
      {actions ? <div className={styles.actions}>{actions}</div> : null}
    </section>
  );
}

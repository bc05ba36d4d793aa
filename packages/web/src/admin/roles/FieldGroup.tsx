/**
 * @module admin/roles/FieldGroup
 * A labelled group of several controls (the permissions of a role, the rules of a policy)
 * with a hint and a validation message that look like a Fluent `Field`'s. A `Field` is meant
 * for one control: it would hand its label and id to every control inside.
 */
import { useId } from 'react';
import type { ReactNode } from 'react';
import { Caption1, Label, makeStyles, tokens } from '@fluentui/react-components';
import { ErrorCircle12Filled } from '@fluentui/react-icons';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  hint: { color: tokens.colorNeutralForeground3 },
  error: {
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalXS,
    color: tokens.colorPaletteRedForeground1,
    fontSize: tokens.fontSizeBase200,
  },
});

export interface FieldGroupProps {
  label: string;
  hint?: string;
  /** The validation message, or nothing. */
  error?: string;
  required?: boolean;
  children: ReactNode;
}

/** See the module description. */
export function FieldGroup({ label, hint, error, required, children }: FieldGroupProps) {
  const styles = useStyles();
  const id = useId();
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className={styles.root} role="group" aria-labelledby={`${id}-label`} aria-describedby={described || undefined}>
      <Label id={`${id}-label`} required={required} weight="semibold">
        {label}
      </Label>
      {hint ? (
        <Caption1 id={`${id}-hint`} className={styles.hint}>
          {hint}
        </Caption1>
      ) : null}
      {children}
      {error ? (
        <span id={`${id}-error`} className={styles.error} role="alert">
          <ErrorCircle12Filled aria-hidden />
          {error}
        </span>
      ) : null}
    </div>
  );
}

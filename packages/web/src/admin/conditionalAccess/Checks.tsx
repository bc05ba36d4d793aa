/**
 * @module admin/conditionalAccess/Checks
 * A row of check boxes over a fixed set of values (apps, platforms, device states, grant
 * controls): which are selected, in the order the page shows them.
 */
import { Checkbox, makeStyles, tokens } from '@fluentui/react-components';

const useStyles = makeStyles({
  row: { display: 'flex', flexWrap: 'wrap', columnGap: tokens.spacingHorizontalL },
  column: { display: 'flex', flexDirection: 'column' },
});

export interface ChecksProps<T extends string> {
  options: readonly { value: T; label: string }[];
  value: readonly T[];
  onChange: (value: T[]) => void;
  disabled?: boolean;
  layout?: 'row' | 'column';
  /** Prefix of each box's test id (`${testId}-${value}`). */
  testId?: string;
}

/** See the module description. */
export function Checks<T extends string>({
  options,
  value,
  onChange,
  disabled,
  layout = 'row',
  testId,
}: ChecksProps<T>) {
  const styles = useStyles();
  return (
    <div className={layout === 'row' ? styles.row : styles.column}>
      {options.map((o) => (
        <Checkbox
          key={o.value}
          label={o.label}
          checked={value.includes(o.value)}
          disabled={disabled}
          data-testid={testId ? `${testId}-${o.value}` : undefined}
          onChange={(_, d) =>
            onChange(
              d.checked === true
                ? options.map((x) => x.value).filter((v) => v === o.value || value.includes(v))
                : value.filter((v) => v !== o.value),
            )
          }
        />
      ))}
    </div>
  );
}

/**
 * @module admin/directory/MemberPicker
 * Finds someone or something to add to a group: type part of a name (or an email, a serial),
 * pick from what the server finds, press Add. Searches after a short pause in typing.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, Combobox, Field, Option, makeStyles, tokens } from '@fluentui/react-components';
import { AddRegular } from '@fluentui/react-icons';
import { BusySpinner } from '../../common/BusySpinner';

const useStyles = makeStyles({
  row: { display: 'flex', alignItems: 'flex-end', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  combo: { minWidth: '300px' },
});

/** One search result: its id, the text shown, and a secondary line. */
export interface Candidate {
  id: string;
  label: string;
  detail: string;
}

export interface MemberPickerProps {
  label: string;
  placeholder: string;
  /** Finds candidates for the typed text (already-members are left out by the caller). */
  search: (text: string) => Promise<Candidate[]>;
  onAdd: (id: string) => void;
  busy: boolean;
  disabled?: boolean;
}

/** See the module description. */
export function MemberPicker({ label, placeholder, search, onAdd, busy, disabled }: MemberPickerProps) {
  const { t } = useTranslation();
  const styles = useStyles();
  const [text, setText] = useState('');
  const [choice, setChoice] = useState<Candidate | null>(null);
  const [found, setFound] = useState<Candidate[]>([]);
  const [searching, setSearching] = useState(false);

  useEffect(() => {
    if (choice && choice.label === text) return;
    let cancelled = false;
    const timer = setTimeout(() => {
      setSearching(true);
      search(text.trim())
        .then((list) => !cancelled && setFound(list))
        .catch(() => !cancelled && setFound([]))
        .finally(() => !cancelled && setSearching(false));
    }, 250);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
    // `search` changes with the members; the text decides when to search.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [text]);

  return (
    <div className={styles.row}>
      <Field label={label}>
        <Combobox
          className={styles.combo}
          disabled={disabled}
          placeholder={placeholder}
          value={text}
          freeform
          selectedOptions={choice ? [choice.id] : []}
          onInput={(event) => {
            setText((event.target as HTMLInputElement).value);
            setChoice(null);
          }}
          onOptionSelect={(_, d) => {
            const picked = found.find((c) => c.id === d.optionValue) ?? null;
            setChoice(picked);
            setText(picked?.label ?? '');
          }}
          expandIcon={searching ? <BusySpinner size="extra-tiny" /> : undefined}
          data-testid="member-picker"
        >
          {found.length === 0 ? (
            <Option value="" disabled text="">
              {t('admin.directory.members.noneFound')}
            </Option>
          ) : (
            found.map((c) => (
              <Option key={c.id} value={c.id} text={c.label}>
                <span>
                  <bdi>{c.label}</bdi>{' '}
                  <small>
                    <bdi>{c.detail}</bdi>
                  </small>
                </span>
              </Option>
            ))
          )}
        </Combobox>
      </Field>
      <Button
        icon={busy ? <BusySpinner /> : <AddRegular />}
        disabled={!choice || busy || disabled}
        onClick={() => {
          if (!choice) return;
          onAdd(choice.id);
          setChoice(null);
          setText('');
        }}
      >
        {t('admin.directory.add')}
      </Button>
    </div>
  );
}

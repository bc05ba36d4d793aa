/**
 * @module admin/conditionalAccess/ChoicePicker
 * Picks several things by name (a Fluent TagPicker, like roles/GroupPicker): people, roles or
 * named locations. Typing filters the choices it was given, and, when `search` is given, also
 * asks the server (for a directory larger than what was loaded). A chosen item shows as a tag
 * that a click removes; an id no longer known shows as `unknownLabel`.
 */
import { useEffect, useState } from 'react';
import type { ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import {
  Tag,
  TagPicker,
  TagPickerControl,
  TagPickerGroup,
  TagPickerInput,
  TagPickerList,
  TagPickerOption,
} from '@fluentui/react-components';

const NO_MATCHES = '__no-matches__';

/** One choice: its id, its name and an optional second line (an email, a description). */
export interface Choice {
  id: string;
  label: string;
  detail?: string;
}

export interface ChoicePickerProps {
  choices: readonly Choice[];
  value: readonly string[];
  onChange: (ids: string[]) => void;
  /** Accessible name of the text box (the Field's label names the whole picker). */
  inputLabel: string;
  unknownLabel: string;
  icon?: ReactElement;
  /** Finds more choices on the server for the typed text. */
  search?: (text: string) => Promise<Choice[]>;
  disabled?: boolean;
  testId?: string;
}

/** See the module description. */
export function ChoicePicker({
  choices,
  value,
  onChange,
  inputLabel,
  unknownLabel,
  icon,
  search,
  disabled,
  testId,
}: ChoicePickerProps) {
  const { t } = useTranslation();
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<Choice[]>([]);
  const needle = query.trim().toLowerCase();

  useEffect(() => {
    if (!search || !needle) return;
    let live = true;
    const timer = setTimeout(() => {
      search(needle).then(
        // Keep what earlier searches found: a chosen person keeps their name.
        (list) => live && setFound((seen) => [...seen, ...list]),
        () => undefined,
      );
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [needle, search]);

  const known = new Map([...found, ...choices].map((c) => [c.id, c]));
  const options = [...known.values()]
    .filter((c) => !value.includes(c.id))
    .filter((c) => !needle || `${c.label} ${c.detail ?? ''}`.toLowerCase().includes(needle))
    .sort((a, b) => a.label.localeCompare(b.label))
    .slice(0, 50);

  return (
    <TagPicker
      disabled={disabled}
      selectedOptions={[...value]}
      onOptionSelect={(_, data) => {
        if (data.value === NO_MATCHES) return;
        onChange(data.selectedOptions.filter((id) => id !== NO_MATCHES));
        setQuery('');
      }}
    >
      <TagPickerControl data-testid={testId}>
        <TagPickerGroup aria-label={t('admin.roles.groups.selected')}>
          {value.map((id) => (
            <Tag key={id} shape="rounded" value={id} media={icon}>
              {known.get(id)?.label ?? unknownLabel}
            </Tag>
          ))}
        </TagPickerGroup>
        <TagPickerInput
          aria-label={inputLabel}
          placeholder={value.length ? undefined : inputLabel}
          value={query}
          onChange={(event) => setQuery(event.target.value)}
        />
      </TagPickerControl>
      <TagPickerList>
        {options.length > 0 ? (
          options.map((c) => (
            <TagPickerOption key={c.id} value={c.id} media={icon} secondaryContent={c.detail}>
              {c.label}
            </TagPickerOption>
          ))
        ) : (
          <TagPickerOption value={NO_MATCHES}>{t('admin.conditionalAccess.editor.noMatches')}</TagPickerOption>
        )}
      </TagPickerList>
    </TagPicker>
  );
}

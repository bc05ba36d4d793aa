/**
 * @module admin/roles/GroupPicker
 * Picks groups by name (a Fluent TagPicker): typing filters the organization's groups of the
 * allowed kinds; each option says whether it is a group of users or of devices and how many
 * members it has; a chosen group shows as a tag that a click removes.
 */
import { useState } from 'react';
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
import { DesktopRegular, PeopleRegular } from '@fluentui/react-icons';
import type { GroupKind, GroupView } from '@remote-help/protocol';

const NO_MATCHES = '__no-matches__';

export interface GroupPickerProps {
  groups: readonly GroupView[];
  kinds: readonly GroupKind[];
  value: readonly string[];
  onChange: (ids: string[]) => void;
  /** Accessible name of the text box (the Field's label names the whole picker). */
  inputLabel: string;
  disabled?: boolean;
  testId?: string;
}

/** See the module description. */
export function GroupPicker({ groups, kinds, value, onChange, inputLabel, disabled, testId }: GroupPickerProps) {
  const { t } = useTranslation();
  const [query, setQuery] = useState('');
  const byId = new Map(groups.map((g) => [g.id, g]));
  const needle = query.trim().toLowerCase();
  const options = groups
    .filter((g) => kinds.includes(g.kind) && !value.includes(g.id))
    .filter((g) => !needle || g.name.toLowerCase().includes(needle))
    .sort((a, b) => a.name.localeCompare(b.name));
  const icon = (kind: GroupKind) => (kind === 'device' ? <DesktopRegular /> : <PeopleRegular />);

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
          {value.map((id) => {
            const group = byId.get(id);
            return (
              <Tag key={id} shape="rounded" value={id} media={group ? icon(group.kind) : undefined}>
                {group?.name ?? t('admin.roles.groups.unknown')}
              </Tag>
            );
          })}
        </TagPickerGroup>
        <TagPickerInput
          aria-label={inputLabel}
          placeholder={value.length ? undefined : t('admin.roles.groups.placeholder')}
          value={query}
          onChange={(event) => setQuery(event.target.value)}
        />
      </TagPickerControl>
      <TagPickerList>
        {options.length > 0 ? (
          options.map((g) => (
            <TagPickerOption
              key={g.id}
              value={g.id}
              media={icon(g.kind)}
              secondaryContent={t(
                g.kind === 'device' ? 'admin.roles.groups.deviceGroup' : 'admin.roles.groups.userGroup',
                {
                  count: g.members.length,
                },
              )}
            >
              {g.name}
            </TagPickerOption>
          ))
        ) : (
          <TagPickerOption value={NO_MATCHES}>{t('admin.roles.groups.noMatches')}</TagPickerOption>
        )}
      </TagPickerList>
    </TagPicker>
  );
}

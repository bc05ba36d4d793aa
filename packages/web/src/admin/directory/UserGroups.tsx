/**
 * @module admin/directory/UserGroups
 * The user groups a person is a member of (which decide their roles and who may help them):
 * add to a group chosen from the organization's assigned user groups, remove from one. Each
 * change sends the whole list (`PATCH …/users/:id { groups }`).
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  Button,
  Combobox,
  Field,
  MessageBar,
  MessageBarBody,
  Option,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { AddRegular, DismissRegular } from '@fluentui/react-icons';
import type { DirectoryUserView, GroupView } from '@remote-help/protocol';
import { api } from '../../common/api';
import { errorText } from '../../common/errorText';
import { useAsyncAction } from '../../common/useAsyncAction';
import { Card } from './Card';
import { BusySpinner } from '../../common/BusySpinner';

const useStyles = makeStyles({
  add: { display: 'flex', alignItems: 'flex-end', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  combo: { minWidth: '260px' },
  muted: { color: tokens.colorNeutralForeground3 },
  link: {
    color: tokens.colorBrandForeground1,
    textDecorationLine: 'none',
    fontWeight: tokens.fontWeightSemibold,
    ':hover': { textDecorationLine: 'underline' },
  },
  actions: { width: '120px' },
});

export interface UserGroupsProps {
  user: DirectoryUserView;
  /** Every group of the organization (only assigned user groups can be chosen). */
  groups: readonly GroupView[];
  onChanged: (user: DirectoryUserView) => void;
  onOpenGroup: (id: string) => void;
}

/** See the module description. */
export function UserGroups({ user, groups, onChanged, onOpenGroup }: UserGroupsProps) {
  const { t } = useTranslation();
  const styles = useStyles();
  const action = useAsyncAction();
  const [choice, setChoice] = useState<string | null>(null);
  const [text, setText] = useState('');
  const byId = new Map(groups.map((g) => [g.id, g]));
  const candidates = groups.filter((g) => g.kind === 'user' && !g.rule && !user.groups.includes(g.id));
  const shown = candidates.filter((g) => g.name.toLowerCase().includes(text.trim().toLowerCase()));

  const save = (next: string[]) =>
    action.run(async () => {
      const { user: updated } = await api.updateUser({ params: { id: user.id }, body: { groups: next } });
      setChoice(null);
      setText('');
      onChanged(updated);
    });

  return (
    <Card title={t('admin.directory.user.groups')} testId="user-groups">
      {user.groups.length === 0 ? (
        <Text className={styles.muted}>{t('admin.directory.user.noGroups')}</Text>
      ) : (
        <Table size="small" aria-label={t('admin.directory.user.groups')}>
          <TableHeader>
            <TableRow>
              <TableHeaderCell>{t('admin.directory.groups.columns.name')}</TableHeaderCell>
              <TableHeaderCell>{t('admin.directory.groups.columns.description')}</TableHeaderCell>
              <TableHeaderCell className={styles.actions} />
            </TableRow>
          </TableHeader>
          <TableBody>
            {user.groups.map((id) => {
              const group = byId.get(id);
              return (
                <TableRow key={id} data-testid="user-group-row">
                  <TableCell>
                    <a
                      className={styles.link}
                      href={`/admin/directory/groups/${id}`}
                      onClick={(event) => {
                        event.preventDefault();
                        onOpenGroup(id);
                      }}
                    >
                      <bdi>{group?.name ?? id}</bdi>
                    </a>
                  </TableCell>
                  <TableCell className={styles.muted}>{group?.description}</TableCell>
                  <TableCell className={styles.actions}>
                    <Button
                      appearance="subtle"
                      icon={<DismissRegular />}
                      disabled={action.busy}
                      aria-label={t('admin.directory.user.removeFromGroup', { group: group?.name ?? id })}
                      onClick={() => save(user.groups.filter((g) => g !== id))}
                    >
                      {t('admin.directory.remove')}
                    </Button>
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      )}
      <div className={styles.add}>
        <Field label={t('admin.directory.user.addToGroup')}>
          <Combobox
            className={styles.combo}
            placeholder={
              candidates.length ? t('admin.directory.user.chooseGroup') : t('admin.directory.user.noMoreGroups')
            }
            disabled={candidates.length === 0}
            value={text}
            selectedOptions={choice ? [choice] : []}
            onInput={(event) => {
              setText((event.target as HTMLInputElement).value);
              setChoice(null);
            }}
            onOptionSelect={(_, d) => {
              setChoice(d.optionValue ?? null);
              setText(d.optionText ?? '');
            }}
            data-testid="group-choice"
          >
            {shown.map((g) => (
              <Option key={g.id} value={g.id} text={g.name}>
                {g.name}
              </Option>
            ))}
          </Combobox>
        </Field>
        <Button
          icon={action.busy ? <BusySpinner /> : <AddRegular />}
          disabled={!choice || action.busy}
          onClick={() => choice && save([...user.groups, choice])}
        >
          {t('admin.directory.add')}
        </Button>
      </div>
      {action.error ? (
        <MessageBar intent="error">
          <MessageBarBody>{errorText(t, action.error)}</MessageBarBody>
        </MessageBar>
      ) : null}
    </Card>
  );
}

/**
 * @module admin/directory/GroupPage
 * `/admin/directory/groups/:id`: one group. Its name and description (editable), for a
 * dynamic device group its rule (editable) and the devices that match it now, for an assigned
 * group its members with Add and Remove. Delete asks first; the server refuses to delete the
 * only member group of a role assignment, and the dialog says so.
 */
import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import {
  Badge,
  Body1,
  Button,
  Caption1,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Spinner,
  Textarea,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { DeleteRegular } from '@fluentui/react-icons';
import type { GroupView } from '@remote-help/protocol';
import { ApiError, api } from '../../common/api';
import { errorText } from '../../common/errorText';
import { useMe } from '../../common/meContext';
import { Panel } from '../../common/Panel';
import { useAsyncAction } from '../../common/useAsyncAction';
import { Card } from './Card';
import { ConfirmDialog } from '../common/ConfirmDialog';
import { Crumbs } from './Crumbs';
import type { RuleDraft } from './deviceRules';
import { DEFAULT_RULE, draftOf, ruleOf } from './deviceRules';
import { GroupMembers } from './GroupMembers';
import { LoadFailed } from './LoadFailed';
import { RuleEditor } from './RuleEditor';
import { ruleSentence } from './ruleSentence';
import { useLoad } from './useLoad';
import { BusySpinner } from '../../common/BusySpinner';

const useStyles = makeStyles({
  header: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  grid: {
    display: 'grid',
    gridTemplateColumns: 'minmax(320px, 1fr) minmax(320px, 2fr)',
    gap: tokens.spacingHorizontalL,
    alignItems: 'start',
    '@media (max-width: 1000px)': { gridTemplateColumns: '1fr' },
  },
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  actions: { display: 'flex', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' },
  hint: { color: tokens.colorNeutralForeground3 },
});

/** See the module description. */
export function GroupPage() {
  const { t } = useTranslation();
  const styles = useStyles();
  const navigate = useNavigate();
  const { id = '' } = useParams();
  const { state: me } = useMe();
  const permissions = me.status === 'signedIn' ? me.me.permissions : [];
  const { state, reload } = useLoad<GroupView>(async () => (await api.getGroup({ params: { id } })).group, id);
  const group = state.data;
  const [deleting, setDeleting] = useState(false);
  const crumbs = [
    { label: t('admin.nav.directory') },
    { label: t('admin.directory.groups.title'), to: '/admin/directory/groups' },
    { label: group?.name ?? '…' },
  ];

  if (!group) {
    const notFound = state.status === 'error' && state.error instanceof ApiError && state.error.code === 'not_found';
    return (
      <Panel title={t('admin.directory.group.title')} width="wide" data-testid="group-page">
        <Crumbs items={crumbs} />
        {state.status === 'loading' ? <Spinner label={t('admin.directory.loading')} /> : null}
        {notFound ? <Body1>{t('admin.directory.group.notFound')}</Body1> : null}
        {state.status === 'error' && !notFound ? <LoadFailed error={state.error} onRetry={reload} /> : null}
      </Panel>
    );
  }

  const mayEdit = permissions.includes(group.kind === 'device' ? 'devices.manage' : 'users.manage');
  return (
    <Panel title={<bdi>{group.name}</bdi>} width="wide" data-testid="group-page">
      <Crumbs items={crumbs} />
      <div className={styles.header}>
        <Badge appearance="tint" color="informative">
          {t(`admin.directory.groups.kind.${group.kind}`)}
        </Badge>
        <Badge appearance="tint" color={group.rule ? 'brand' : 'informative'}>
          {t(group.rule ? 'admin.directory.groups.membership.dynamic' : 'admin.directory.groups.membership.assigned')}
        </Badge>
        {state.status === 'loading' ? <Spinner size="tiny" aria-label={t('admin.directory.loading')} /> : null}
      </div>
      {!mayEdit ? (
        <MessageBar intent="info">
          <MessageBarBody>{t('admin.directory.group.readOnly')}</MessageBarBody>
        </MessageBar>
      ) : null}
      {state.status === 'error' ? <LoadFailed error={state.error} onRetry={reload} /> : null}
      <div className={styles.grid}>
        <div className={styles.form}>
          <GroupProperties group={group} disabled={!mayEdit} onSaved={reload} />
          {mayEdit ? (
            <div className={styles.actions}>
              <Button icon={<DeleteRegular />} onClick={() => setDeleting(true)}>
                {t('admin.directory.group.delete')}
              </Button>
            </div>
          ) : null}
        </div>
        <GroupMembers group={group} disabled={!mayEdit} onChanged={reload} />
      </div>
      <ConfirmDialog
        open={deleting}
        title={t('admin.directory.group.deleteTitle', { name: group.name })}
        confirmLabel={t('admin.directory.group.delete')}
        danger
        onConfirm={async () => {
          await api.deleteGroup({ params: { id: group.id } });
          void navigate('/admin/directory/groups');
        }}
        onClose={() => setDeleting(false)}
        testId="confirm-delete-group"
      >
        {t('admin.directory.group.deleteBody')}
      </ConfirmDialog>
    </Panel>
  );
}

/** Name, description and (dynamic device groups) the rule, saved with one PATCH. */
function GroupProperties({ group, disabled, onSaved }: { group: GroupView; disabled: boolean; onSaved: () => void }) {
  const { t } = useTranslation();
  const styles = useStyles();
  const action = useAsyncAction();
  const [name, setName] = useState(group.name);
  const [description, setDescription] = useState(group.description);
  const [rule, setRule] = useState<RuleDraft>(group.rule ? draftOf(group.rule) : DEFAULT_RULE);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    setName(group.name);
    setDescription(group.description);
    setRule(group.rule ? draftOf(group.rule) : DEFAULT_RULE);
  }, [group]);

  const nextRule = group.rule ? ruleOf(rule) : null;
  const ruleChanged = group.rule !== null && JSON.stringify(nextRule) !== JSON.stringify(group.rule);
  const changed = name !== group.name || description !== group.description || ruleChanged;
  const ready = name.trim() !== '' && (!group.rule || nextRule !== null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    action.run(async () => {
      await api.updateGroup({
        params: { id: group.id },
        body: { name, description, ...(ruleChanged && nextRule ? { rule: nextRule } : {}) },
      });
      setSaved(true);
      onSaved();
    });
  };

  return (
    <Card title={t('admin.directory.group.properties')} testId="group-properties">
      <form className={styles.form} onSubmit={submit}>
        <Field label={t('admin.directory.groups.columns.name')} required>
          <Input
            disabled={disabled}
            value={name}
            maxLength={128}
            onChange={(_, d) => {
              setSaved(false);
              setName(d.value);
            }}
          />
        </Field>
        <Field label={t('admin.directory.groups.columns.description')}>
          <Textarea
            disabled={disabled}
            value={description}
            maxLength={1000}
            onChange={(_, d) => {
              setSaved(false);
              setDescription(d.value);
            }}
          />
        </Field>
        {group.rule ? (
          <>
            <Caption1 className={styles.hint}>
              {t('admin.directory.group.ruleNow', { rule: ruleSentence(t, group.rule) })}
            </Caption1>
            <RuleEditor
              draft={rule}
              disabled={disabled}
              onChange={(next) => {
                setSaved(false);
                setRule(next);
              }}
            />
          </>
        ) : null}
        {action.error ? (
          <MessageBar intent="error">
            <MessageBarBody>{errorText(t, action.error)}</MessageBarBody>
          </MessageBar>
        ) : null}
        {saved && !changed ? (
          <MessageBar intent="success">
            <MessageBarBody>{t('admin.directory.group.saved')}</MessageBarBody>
          </MessageBar>
        ) : null}
        {!disabled ? (
          <div className={styles.actions}>
            <Button
              appearance="primary"
              type="submit"
              disabled={!changed || !ready || action.busy}
              icon={action.busy ? <BusySpinner /> : undefined}
            >
              {t('admin.directory.save')}
            </Button>
          </div>
        ) : null}
      </form>
    </Card>
  );
}

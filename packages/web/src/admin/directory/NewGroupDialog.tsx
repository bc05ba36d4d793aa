/**
 * @module admin/directory/NewGroupDialog
 * "New group": a name, a description, whether it holds users or devices, and for devices
 * whether members are assigned by hand or follow a rule over inventory (dynamic). Device
 * groups need "Manage devices"; without it the choice is shown but not offered.
 */
import { useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import {
  Button,
  Caption1,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Radio,
  RadioGroup,
  Textarea,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { api } from '../../common/api';
import { errorText } from '../../common/errorText';
import { useAsyncAction } from '../../common/useAsyncAction';
import type { RuleDraft } from './deviceRules';
import { DEFAULT_RULE, ruleOf } from './deviceRules';
import { RuleEditor } from './RuleEditor';
import { BusySpinner } from '../../common/BusySpinner';
import { useLeaveGuard } from '../../common/LeaveGuard';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  hint: { color: tokens.colorNeutralForeground3 },
});

export interface NewGroupDialogProps {
  open: boolean;
  /** Whether the administrator may make device groups (`devices.manage`). */
  mayManageDevices: boolean;
  onClose: () => void;
  onCreated: (id: string) => void;
}

/** See the module description. */
export function NewGroupDialog({ open, mayManageDevices, onClose, onCreated }: NewGroupDialogProps) {
  const { t } = useTranslation();
  const styles = useStyles();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [kind, setKind] = useState<'user' | 'device'>('user');
  const [dynamic, setDynamic] = useState(false);
  const [rule, setRule] = useState<RuleDraft>(DEFAULT_RULE);
  const action = useAsyncAction();
  const validRule = kind === 'device' && dynamic ? ruleOf(rule) : null;
  // Back or a link while something is typed asks first (the dialog would close and lose it).
  const { allowLeave } = useLeaveGuard(open && (name.trim() !== '' || description.trim() !== '' || kind !== 'user'));

  const reset = () => {
    setName('');
    setDescription('');
    setKind('user');
    setDynamic(false);
    setRule(DEFAULT_RULE);
    action.clearError();
  };
  const close = () => {
    if (action.busy) return;
    reset();
    onClose();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    action.run(async () => {
      const { group } = await api.createGroup({ body: { name, description, kind, rule: validRule } });
      reset();
      onClose();
      allowLeave(); // onCreated opens the new group
      onCreated(group.id);
    });
  };
  const ready = name.trim() !== '' && (kind === 'user' || !dynamic || validRule !== null);

  return (
    <Dialog open={open} onOpenChange={(_, d) => (d.open ? undefined : close())}>
      <DialogSurface data-testid="new-group-dialog">
        <form onSubmit={submit}>
          <DialogBody>
            <DialogTitle>{t('admin.directory.newGroup.title')}</DialogTitle>
            <DialogContent className={styles.form}>
              <Field label={t('admin.directory.groups.columns.type')}>
                <RadioGroup
                  layout="horizontal"
                  value={kind}
                  onChange={(_, d) => setKind(d.value === 'device' ? 'device' : 'user')}
                >
                  <Radio value="user" label={t('admin.directory.groups.kind.user')} />
                  <Radio value="device" label={t('admin.directory.groups.kind.device')} disabled={!mayManageDevices} />
                </RadioGroup>
              </Field>
              {!mayManageDevices ? (
                <Caption1 className={styles.hint}>{t('admin.directory.newGroup.noDeviceRight')}</Caption1>
              ) : null}
              <Field label={t('admin.directory.groups.columns.name')} required>
                <Input value={name} onChange={(_, d) => setName(d.value)} maxLength={128} />
              </Field>
              <Field label={t('admin.directory.groups.columns.description')}>
                <Textarea value={description} onChange={(_, d) => setDescription(d.value)} maxLength={1000} />
              </Field>
              {kind === 'device' ? (
                <Field label={t('admin.directory.groups.columns.membership')}>
                  <RadioGroup
                    value={dynamic ? 'dynamic' : 'assigned'}
                    onChange={(_, d) => setDynamic(d.value === 'dynamic')}
                  >
                    <Radio value="assigned" label={t('admin.directory.groups.membership.assigned')} />
                    <Radio value="dynamic" label={t('admin.directory.groups.membership.dynamic')} />
                  </RadioGroup>
                </Field>
              ) : null}
              {kind === 'device' && dynamic ? <RuleEditor draft={rule} onChange={setRule} /> : null}
              {action.error ? (
                <MessageBar intent="error">
                  <MessageBarBody>{errorText(t, action.error)}</MessageBarBody>
                </MessageBar>
              ) : null}
            </DialogContent>
            <DialogActions>
              <Button
                appearance="primary"
                type="submit"
                disabled={!ready || action.busy}
                icon={action.busy ? <BusySpinner /> : undefined}
              >
                {t('admin.directory.newGroup.create')}
              </Button>
              <Button disabled={action.busy} onClick={close}>
                {t('admin.directory.cancel')}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}

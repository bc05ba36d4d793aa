/**
 * @module admin/conditionalAccess/NamedLocations
 * Conditional access > Named locations: the organization's named IP ranges (offices, VPNs),
 * whether each is trusted, with New location and Edit (a dialog: name, ranges one per line in
 * CIDR, Mark as trusted location) and Delete (asks first; the server refuses while a policy
 * uses the location, and the dialog says so).
 */
import { useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import {
  Badge,
  Body1,
  Button,
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
  Switch,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Textarea,
  Toolbar,
  ToolbarButton,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { AddRegular, ArrowClockwiseRegular, DeleteRegular, EditRegular } from '@fluentui/react-icons';
import type { CaPolicy, NamedLocation } from '@remote-help/protocol';
import { ApiError, api } from '../../common/api';
import { errorText } from '../../common/errorText';
import { useAsyncAction } from '../../common/useAsyncAction';
import { ConfirmDialog } from '../common/ConfirmDialog';
import { DateTime, useReportStyles } from '../reports/ReportParts';
import { LoadState } from '../roles/LoadState';
import { SuccessNotice, usePageNotice } from '../roles/PageNotice';
import { useLoader } from '../roles/useLoader';
import { CaFrame } from './CaFrame';
import { joinList } from './caText';
import type { NamedLocationFormValues } from './namedLocationForm';
import { LOCATION_LIMITS, namedLocationValues, toNamedLocationInput, validateNamedLocation } from './namedLocationForm';
import { BusySpinner } from '../../common/BusySpinner';
import { useLeaveGuard } from '../../common/LeaveGuard';

const useStyles = makeStyles({
  toolbar: { paddingInline: 0 },
  actions: { display: 'flex', gap: tokens.spacingHorizontalXS, justifyContent: 'flex-end' },
  ranges: { fontFamily: tokens.fontFamilyMonospace, overflowWrap: 'anywhere' },
  muted: { color: tokens.colorNeutralForeground3 },
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  textarea: { fontFamily: tokens.fontFamilyMonospace },
  empty: {
    padding: tokens.spacingVerticalXL,
    textAlign: 'center',
    color: tokens.colorNeutralForeground2,
    border: `1px dashed ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
});

const SHOWN_RANGES = 3;

/** Whether a policy includes or excludes the named location `id`. */
function usesLocation(policy: CaPolicy, id: string): boolean {
  const where = policy.conditions.locations;
  return where !== null && [...(where.include === 'any' ? [] : where.include), ...where.exclude].includes(id);
}
const loadLocations = async () => (await api.listNamedLocations()).locations;

/** See the module description. */
export function NamedLocations() {
  const { t, i18n } = useTranslation();
  const styles = useStyles();
  const report = useReportStyles();
  const { state, reload } = useLoader(loadLocations);
  const [notice, setNotice] = usePageNotice();
  // `null` closed, `'new'` creating, or the location being edited.
  const [editing, setEditing] = useState<NamedLocation | 'new' | null>(null);
  const [deleting, setDeleting] = useState<NamedLocation | null>(null);
  // The policies that use the location the server would not delete (null: no refusal).
  const [inUse, setInUse] = useState<string[] | null>(null);

  return (
    <CaFrame tab="locations">
      <Body1>{t('admin.conditionalAccess.locations.intro')}</Body1>
      <SuccessNotice text={notice} onDismiss={() => setNotice(null)} />
      <Toolbar className={styles.toolbar} aria-label={t('admin.conditionalAccess.locations.toolbar')}>
        <ToolbarButton
          appearance="primary"
          icon={<AddRegular />}
          onClick={() => setEditing('new')}
          data-testid="ca-new-location"
        >
          {t('admin.conditionalAccess.locations.create')}
        </ToolbarButton>
        <ToolbarButton icon={<ArrowClockwiseRegular />} onClick={reload}>
          {t('admin.conditionalAccess.refresh')}
        </ToolbarButton>
      </Toolbar>
      <LoadState state={state} onRetry={reload} label={t('admin.conditionalAccess.loading')} />
      {state.status === 'ready' && state.data.length === 0 ? (
        <div className={styles.empty} data-testid="ca-locations-empty">
          {t('admin.conditionalAccess.locations.empty')}
        </div>
      ) : null}
      {state.status === 'ready' && state.data.length > 0 ? (
        <div className={report.tableWrap}>
          <Table
            className={report.table}
            aria-label={t('admin.conditionalAccess.locations.tableLabel')}
            data-testid="ca-location-table"
          >
            <TableHeader>
              <TableRow>
                <TableHeaderCell>{t('admin.conditionalAccess.locations.columns.name')}</TableHeaderCell>
                <TableHeaderCell>{t('admin.conditionalAccess.locations.columns.ranges')}</TableHeaderCell>
                <TableHeaderCell>{t('admin.conditionalAccess.locations.columns.trusted')}</TableHeaderCell>
                <TableHeaderCell>{t('admin.conditionalAccess.locations.columns.modified')}</TableHeaderCell>
                <TableHeaderCell aria-label={t('admin.conditionalAccess.locations.columns.actions')} />
              </TableRow>
            </TableHeader>
            <TableBody>
              {state.data.map((location) => (
                <TableRow key={location.id} data-testid="ca-location-row" data-location={location.name}>
                  <TableCell>{location.name}</TableCell>
                  <TableCell>
                    <span className={styles.ranges} dir="ltr">
                      {location.ranges.slice(0, SHOWN_RANGES).join(', ')}
                    </span>
                    {location.ranges.length > SHOWN_RANGES ? (
                      <span className={styles.muted}>
                        {' '}
                        {t('admin.conditionalAccess.locations.moreRanges', {
                          count: location.ranges.length - SHOWN_RANGES,
                        })}
                      </span>
                    ) : null}
                  </TableCell>
                  <TableCell>
                    {location.trusted ? (
                      <Badge appearance="tint" color="success" data-testid="ca-location-trusted">
                        {t('admin.conditionalAccess.locations.trusted')}
                      </Badge>
                    ) : (
                      <span className={styles.muted}>—</span>
                    )}
                  </TableCell>
                  <TableCell className={report.nowrap}>
                    <DateTime iso={location.updatedAt} />
                  </TableCell>
                  <TableCell>
                    <div className={styles.actions}>
                      <Button
                        appearance="subtle"
                        icon={<EditRegular />}
                        aria-label={t('admin.conditionalAccess.locations.editNamed', { name: location.name })}
                        onClick={() => setEditing(location)}
                      />
                      <Button
                        appearance="subtle"
                        icon={<DeleteRegular />}
                        aria-label={t('admin.conditionalAccess.locations.deleteNamed', { name: location.name })}
                        onClick={() => setDeleting(location)}
                      />
                    </div>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      ) : null}
      {editing ? (
        <LocationDialog
          location={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(null)}
          onSaved={(text) => {
            setEditing(null);
            setNotice(text);
            reload();
          }}
        />
      ) : null}
      <ConfirmDialog
        open={deleting !== null}
        title={t('admin.conditionalAccess.locations.deleteTitle', { name: deleting?.name ?? '' })}
        confirmLabel={t('admin.conditionalAccess.locations.deleteConfirm')}
        danger
        onConfirm={async () => {
          if (!deleting) return;
          try {
            await api.deleteNamedLocation({ params: { id: deleting.id } });
          } catch (error) {
            // A policy uses it: say so, and what to do, rather than the generic "in use".
            if (!(error instanceof ApiError && error.code === 'conflict')) throw error;
            const id = deleting.id;
            const { policies } = await api.listCaPolicies().catch(() => ({ policies: [] }));
            setInUse(policies.filter((p) => usesLocation(p, id)).map((p) => p.name));
            return false;
          }
          setNotice(t('admin.conditionalAccess.locations.deleted', { name: deleting.name }));
          reload();
        }}
        onClose={() => {
          setDeleting(null);
          setInUse(null);
        }}
        testId="ca-delete-location-dialog"
      >
        <Body1>{t('admin.conditionalAccess.locations.deleteBody')}</Body1>
        {inUse ? (
          <MessageBar intent="error" layout="multiline" data-testid="ca-location-in-use">
            <MessageBarBody>
              {t('admin.conditionalAccess.locations.inUse')}
              {inUse.length > 0 ? (
                <> {t('admin.conditionalAccess.locations.inUseBy', { names: joinList(i18n.language, inUse) })}</>
              ) : null}
            </MessageBarBody>
          </MessageBar>
        ) : null}
      </ConfirmDialog>
    </CaFrame>
  );
}

/** New or edit a named location, in a dialog; a failed save keeps what was typed. */
function LocationDialog({
  location,
  onClose,
  onSaved,
}: {
  location?: NamedLocation;
  onClose: () => void;
  onSaved: (notice: string) => void;
}) {
  const { t } = useTranslation();
  const styles = useStyles();
  const action = useAsyncAction();
  const [initial] = useState<NamedLocationFormValues>(() => namedLocationValues(location));
  const [values, setValues] = useState<NamedLocationFormValues>(initial);
  const [submitted, setSubmitted] = useState(false);
  // Back or a link with changes in the dialog asks first (the dialog would close and lose them).
  useLeaveGuard(values.name !== initial.name || values.ranges !== initial.ranges || values.trusted !== initial.trusted);
  const errors = submitted ? validateNamedLocation(values) : {};
  const set = (patch: Partial<NamedLocationFormValues>) => setValues((v) => ({ ...v, ...patch }));
  const rangesMessage = errors.ranges
    ? errors.ranges.key === 'admin.conditionalAccess.locations.errors.rangeInvalid'
      ? t(errors.ranges.key, { lines: errors.ranges.lines, first: errors.ranges.first })
      : t(errors.ranges.key, { max: LOCATION_LIMITS.ranges })
    : undefined;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(validateNamedLocation(values)).length > 0) return;
    const body = toNamedLocationInput(values);
    action.run(async () => {
      const saved = location
        ? (await api.updateNamedLocation({ params: { id: location.id }, body })).location
        : (await api.createNamedLocation({ body })).location;
      onSaved(
        t(location ? 'admin.conditionalAccess.locations.saved' : 'admin.conditionalAccess.locations.created', {
          name: saved.name,
        }),
      );
    });
  };

  return (
    <Dialog open onOpenChange={(_, d) => (d.open || action.busy ? undefined : onClose())}>
      <DialogSurface data-testid="ca-location-dialog">
        <form onSubmit={submit} noValidate>
          <DialogBody>
            <DialogTitle>
              {location
                ? t('admin.conditionalAccess.locations.editTitle', { name: location.name })
                : t('admin.conditionalAccess.locations.createTitle')}
            </DialogTitle>
            <DialogContent className={styles.form}>
              <Field
                label={t('admin.conditionalAccess.locations.name')}
                required
                validationMessage={errors.name ? t(errors.name, { max: LOCATION_LIMITS.name }) : undefined}
              >
                <Input
                  value={values.name}
                  maxLength={LOCATION_LIMITS.name + 1}
                  disabled={action.busy}
                  onChange={(_, d) => set({ name: d.value })}
                  data-testid="ca-location-name"
                />
              </Field>
              <Field
                label={t('admin.conditionalAccess.locations.ranges')}
                required
                hint={t('admin.conditionalAccess.locations.rangesHint')}
                validationMessage={rangesMessage}
              >
                <Textarea
                  className={styles.textarea}
                  textarea={{ dir: 'ltr', spellCheck: false }}
                  rows={5}
                  resize="vertical"
                  value={values.ranges}
                  disabled={action.busy}
                  placeholder="203.0.113.0/24"
                  onChange={(_, d) => set({ ranges: d.value })}
                  data-testid="ca-location-ranges"
                />
              </Field>
              <Field hint={t('admin.conditionalAccess.locations.markTrustedHint')}>
                <Switch
                  label={t('admin.conditionalAccess.locations.markTrusted')}
                  checked={values.trusted}
                  disabled={action.busy}
                  onChange={(_, d) => set({ trusted: d.checked })}
                  data-testid="ca-location-trusted-switch"
                />
              </Field>
              {action.error ? (
                <MessageBar intent="error" data-testid="ca-location-save-error">
                  <MessageBarBody>{errorText(t, action.error)}</MessageBarBody>
                </MessageBar>
              ) : null}
            </DialogContent>
            <DialogActions>
              <Button
                appearance="primary"
                type="submit"
                disabled={action.busy}
                icon={action.busy ? <BusySpinner /> : undefined}
                data-testid="ca-location-submit"
              >
                {location
                  ? t('admin.conditionalAccess.locations.save')
                  : t('admin.conditionalAccess.locations.createButton')}
              </Button>
              <Button disabled={action.busy} onClick={onClose}>
                {t('common.cancel')}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}

/**
 * @module admin/roles/PermissionTable
 * What a role allows, read-only: every permission by category with Yes or No, like the
 * properties of a role in Intune. Built-in roles are shown this way; so is a custom role
 * until someone edits it.
 */
import { useTranslation } from 'react-i18next';
import {
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
import { CheckmarkCircleFilled, SubtractCircleRegular } from '@fluentui/react-icons';
import type { Permission } from '@remote-help/protocol';
import { PERMISSION_CATEGORIES } from './permissionCatalog';

const useStyles = makeStyles({
  yes: { color: tokens.colorPaletteGreenForeground1, display: 'inline-flex', gap: tokens.spacingHorizontalXS },
  no: { color: tokens.colorNeutralForeground3, display: 'inline-flex', gap: tokens.spacingHorizontalXS },
  description: { color: tokens.colorNeutralForeground3, display: 'block' },
  category: { width: '22%' },
  allowed: { width: '12%' },
});

/** See the module description. */
export function PermissionTable({ permissions }: { permissions: readonly Permission[] }) {
  const { t } = useTranslation();
  const styles = useStyles();
  return (
    <Table size="small" aria-label={t('admin.roles.detail.permissionsTitle')} data-testid="permission-table">
      <TableHeader>
        <TableRow>
          <TableHeaderCell className={styles.category}>{t('admin.roles.columns.category')}</TableHeaderCell>
          <TableHeaderCell>{t('admin.roles.columns.permission')}</TableHeaderCell>
          <TableHeaderCell className={styles.allowed}>{t('admin.roles.columns.allowed')}</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {PERMISSION_CATEGORIES.flatMap((category) =>
          category.permissions.map((p, i) => {
            const allowed = permissions.includes(p.id);
            return (
              <TableRow key={p.id} data-permission={p.id} data-allowed={allowed}>
                <TableCell>{i === 0 ? t(`admin.roles.category.${category.key}`) : ''}</TableCell>
                <TableCell>
                  <Text weight="semibold">{t(`admin.roles.permission.${p.key}.name`)}</Text>
                  <Text size={200} className={styles.description}>
                    {t(`admin.roles.permission.${p.key}.description`)}
                  </Text>
                </TableCell>
                <TableCell>
                  {allowed ? (
                    <span className={styles.yes}>
                      <CheckmarkCircleFilled aria-hidden />
                      {t('admin.roles.allowed')}
                    </span>
                  ) : (
                    <span className={styles.no}>
                      <SubtractCircleRegular aria-hidden />
                      {t('admin.roles.notAllowed')}
                    </span>
                  )}
                </TableCell>
              </TableRow>
            );
          }),
        )}
      </TableBody>
    </Table>
  );
}

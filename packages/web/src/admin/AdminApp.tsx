/**
 * @module admin/AdminApp
 * `/admin`: the admin center. A navigation pane like Intune's (Devices, Users and groups,
 * Tenant administration, Reports) beside the section's pages. Every section is lazy-loaded
 * and shown only when the signed-in person's role grants its permission; the server checks
 * every call again. Someone with no admin permission reads why instead of an empty frame.
 */
import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import {
  makeStyles,
  NavCategory,
  NavCategoryItem,
  NavDrawer,
  NavDrawerBody,
  NavItem,
  NavSectionHeader,
  NavSubItem,
  NavSubItemGroup,
  Spinner,
  Text,
  tokens,
} from '@fluentui/react-components';
import { DesktopRegular, DocumentBulletListRegular, PeopleRegular, SettingsRegular } from '@fluentui/react-icons';
import { Panel } from '../common/Panel';
import { useMe } from '../common/meContext';
import { Guarded } from './common/Guarded';
import { ADMIN_SECTIONS, firstAllowedPath, hasAny } from './sections';
import { LeaveGuardProvider } from '../common/LeaveGuard';

const DevicesSection = lazy(() => import('./devices/DevicesSection').then((m) => ({ default: m.DevicesSection })));
const DirectorySection = lazy(() =>
  import('./directory/DirectorySection').then((m) => ({ default: m.DirectorySection })),
);
const RolesSection = lazy(() => import('./roles/RolesSection').then((m) => ({ default: m.RolesSection })));
const TenantSection = lazy(() => import('./tenant/TenantSection').then((m) => ({ default: m.TenantSection })));
const ReportsSection = lazy(() => import('./reports/ReportsSection').then((m) => ({ default: m.ReportsSection })));
const IdentitySection = lazy(() => import('./identity/IdentitySection').then((m) => ({ default: m.IdentitySection })));

const useStyles = makeStyles({
  root: {
    display: 'flex',
    gap: tokens.spacingHorizontalXL,
    alignItems: 'flex-start',
    '@media (max-width: 900px)': { flexDirection: 'column' },
  },
  nav: {
    flexShrink: 0,
    width: '260px',
    position: 'sticky',
    insetBlockStart: '64px',
    borderRadius: tokens.borderRadiusXLarge,
    boxShadow: tokens.shadow4,
    '@media (max-width: 900px)': { position: 'static', width: '100%' },
  },
  content: { flexGrow: 1, minWidth: 0 },
});

/** See the module description; editors below may ask before they are left (`LeaveGuard`). */
export function AdminApp() {
  return (
    <LeaveGuardProvider>
      <AdminShell />
    </LeaveGuardProvider>
  );
}

/** See the module description. */
function AdminShell() {
  const styles = useStyles();
  const { t } = useTranslation();
  const { state } = useMe();
  const navigate = useNavigate();
  const location = useLocation();
  const granted = state.status === 'signedIn' ? state.me.permissions : [];
  const home = firstAllowedPath(granted);

  if (!home) {
    return (
      <Panel title={t('admin.denied.title')} data-testid="admin-denied">
        <Text>{t('admin.denied.body')}</Text>
      </Panel>
    );
  }

  // The item whose path is the longest prefix of the current location is selected.
  const current = location.pathname.replace(/\/+$/, '');
  const selected =
    ADMIN_SECTIONS.flatMap((s) => s.items)
      .filter((item) => current === item.path || current.startsWith(`${item.path}/`))
      .sort((a, b) => b.path.length - a.path.length)[0]?.path ?? '';
  const icons = {
    devices: <DesktopRegular />,
    directory: <PeopleRegular />,
    tenant: <SettingsRegular />,
    reports: <DocumentBulletListRegular />,
  } as const;

  return (
    <div className={styles.root}>
      <NavDrawer
        open
        type="inline"
        className={styles.nav}
        selectedValue={selected}
        defaultOpenCategories={ADMIN_SECTIONS.map((s) => s.id)}
        onNavItemSelect={(event, data) => {
          // A click with a modifier opens a new tab or window: the link's own work.
          const keys = event as Partial<Pick<MouseEvent, 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>>;
          if (keys.ctrlKey || keys.metaKey || keys.shiftKey || keys.altKey) return;
          // Otherwise the app moves, not the browser: the items are links (for a new tab, and
          // for assistive technology), whose default load of the whole app again is not wanted,
          // and which would pass by an editor's question about unsaved changes.
          event.preventDefault();
          void navigate(String(data.value));
        }}
        aria-label={t('admin.nav.label')}
      >
        <NavDrawerBody>
          <NavSectionHeader>{t('admin.nav.title')}</NavSectionHeader>
          {ADMIN_SECTIONS.map((section) => {
            const items = section.items.filter((item) => hasAny(granted, item.permissions));
            if (items.length === 0) return null;
            const [only] = items;
            if (only && items.length === 1 && section.items.length === 1) {
              const item = only;
              return (
                <NavItem key={item.path} value={item.path} icon={icons[section.id]} href={item.path}>
                  {t(item.label)}
                </NavItem>
              );
            }
            return (
              <NavCategory key={section.id} value={section.id}>
                <NavCategoryItem icon={icons[section.id]}>{t(section.label)}</NavCategoryItem>
                <NavSubItemGroup>
                  {items.map((item) => (
                    <NavSubItem key={item.path} value={item.path} href={item.path}>
                      {t(item.label)}
                    </NavSubItem>
                  ))}
                </NavSubItemGroup>
              </NavCategory>
            );
          })}
        </NavDrawerBody>
      </NavDrawer>
      <div className={styles.content}>
        <Suspense fallback={<Spinner label={t('app.loading')} />}>
          <Routes>
            <Route index element={<Navigate to={home} replace />} />
            <Route
              path="devices/*"
              element={
                <Guarded permissions={['devices.read', 'devices.manage', 'policies.manage']}>
                  <DevicesSection />
                </Guarded>
              }
            />
            <Route
              path="directory/*"
              element={
                <Guarded permissions={['users.manage']}>
                  <DirectorySection />
                </Guarded>
              }
            />
            <Route
              path="roles/*"
              element={
                <Guarded permissions={['roles.manage']}>
                  <RolesSection />
                </Guarded>
              }
            />
            <Route
              path="tenant/*"
              element={
                <Guarded permissions={['settings.manage', 'policies.manage']}>
                  <TenantSection />
                </Guarded>
              }
            />
            <Route
              path="identity/*"
              element={
                <Guarded permissions={['settings.manage']}>
                  <IdentitySection />
                </Guarded>
              }
            />
            <Route
              path="reports/*"
              element={
                <Guarded permissions={['reports.read', 'audit.read']}>
                  <ReportsSection />
                </Guarded>
              }
            />
            <Route path="*" element={<Navigate to={home} replace />} />
          </Routes>
        </Suspense>
      </div>
    </div>
  );
}

/**
 * @module App
 * Providers (Fluent theme and text direction, sign-in state) and the routes:
 * `/` landing page, `/help` helper app, `/share` sharer app, `/admin` admin center (all lazy-loaded).
 * A data router (`createBrowserRouter`), so that an editor with unsaved changes can hold a
 * navigation until the person answers (`useBlocker`, common/LeaveGuard); the apps keep
 * their own descendant `<Routes>`.
 */
import { lazy } from 'react';
import { useTranslation } from 'react-i18next';
import { Route, RouterProvider, createBrowserRouter, createRoutesFromElements } from 'react-router';
import { FluentProvider, makeStaticStyles, webLightTheme } from '@fluentui/react-components';
import { AppLayout } from './common/AppLayout';
import { MeProvider } from './common/MeProvider';
import { RequireSignIn } from './common/RequireSignIn';
import { LandingPage } from './home/LandingPage';
import { NotFoundPage } from './home/NotFoundPage';

const HelperApp = lazy(() => import('./helper/HelperApp').then((module) => ({ default: module.HelperApp })));
const AdminApp = lazy(() => import('./admin/AdminApp').then((module) => ({ default: module.AdminApp })));
const SecurityInfoPage = lazy(() =>
  import('./account/SecurityInfoPage').then((module) => ({ default: module.SecurityInfoPage })),
);
const SharerApp = lazy(() => import('./sharer/SharerApp').then((module) => ({ default: module.SharerApp })));

const useGlobalStyles = makeStaticStyles({
  'html, body': { margin: 0, padding: 0 },
  body: { minWidth: '320px' },
});

/** The routes, made once for the page's life. */
const router = createBrowserRouter(
  createRoutesFromElements(
    <Route element={<AppLayout />}>
      <Route index element={<LandingPage />} />
      <Route
        path="help/*"
        element={
          <RequireSignIn>
            <HelperApp />
          </RequireSignIn>
        }
      />
      <Route
        path="share/*"
        element={
          <RequireSignIn>
            <SharerApp />
          </RequireSignIn>
        }
      />
      <Route
        path="admin/*"
        element={
          <RequireSignIn>
            <AdminApp />
          </RequireSignIn>
        }
      />
      <Route
        path="account/security"
        element={
          <RequireSignIn>
            <SecurityInfoPage />
          </RequireSignIn>
        }
      />
      <Route path="*" element={<NotFoundPage />} />
    </Route>,
  ),
);

/** The whole web app. */
export function App() {
  useGlobalStyles();
  const { i18n } = useTranslation();
  const dir = i18n.dir(i18n.resolvedLanguage ?? i18n.language);
  return (
    <FluentProvider theme={webLightTheme} dir={dir}>
      <MeProvider>
        <RouterProvider router={router} />
      </MeProvider>
    </FluentProvider>
  );
}

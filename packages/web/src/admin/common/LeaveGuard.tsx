/**
 * @module admin/common/LeaveGuard
 * An editor with unsaved changes asks before the administrator leaves it, so that a policy
 * built over several minutes is not lost to a stray click. Any move inside the app (the side
 * menu, a breadcrumb, a link, Cancel, the browser's Back and Forward) is held while an editor
 * has unsaved changes (React Router's `useBlocker`, hence the data router of `App.tsx`) and a
 * dialog asks: "Stay on this page" keeps the editor as it was, "Leave without saving" goes on.
 * A reload, closing the tab, a link that loads another page or typing another address gets
 * the browser's own question (`beforeunload`). Saving and then leaving asks nothing: the
 * editor calls `allowLeave` just before its own navigation. A move to the same path (another
 * tab of the page) is not leaving.
 *
 * One guard for the whole admin center (`LeaveGuardProvider`): React Router consults only one
 * blocker, and one page may hold several editors (Remote Help settings has two forms). Each
 * editor says whether it has unsaved changes (`useLeaveGuard(dirty)`).
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useBlocker, useLocation, type BlockerFunction } from 'react-router';
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
} from '@fluentui/react-components';

interface Guard {
  /** Editor `id` has unsaved changes (or no longer has). */
  mark: (id: symbol, dirty: boolean) => void;
  /** The next navigation goes without asking. */
  allow: () => void;
}

const GuardContext = createContext<Guard | null>(null);

/** See the module description: asks for every editor below it. */
export function LeaveGuardProvider({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const { pathname } = useLocation();
  const dirty = useRef(new Set<symbol>());
  const allowed = useRef(false);
  const [anyDirty, setAnyDirty] = useState(false);

  // A navigation let through (after a save) lets through that one only.
  useEffect(() => {
    allowed.current = false;
  }, [pathname]);

  const shouldBlock = useCallback<BlockerFunction>(
    ({ currentLocation, nextLocation }) =>
      dirty.current.size > 0 && !allowed.current && currentLocation.pathname !== nextLocation.pathname,
    [],
  );
  const blocker = useBlocker(shouldBlock);

  useEffect(() => {
    if (!anyDirty) return;
    const ask = (event: BeforeUnloadEvent) => {
      if (allowed.current) return;
      event.preventDefault();
      event.returnValue = ''; // older browsers ask only when this is set
    };
    window.addEventListener('beforeunload', ask);
    return () => window.removeEventListener('beforeunload', ask);
  }, [anyDirty]);

  const guard = useMemo<Guard>(
    () => ({
      mark: (id, isDirty) => {
        if (isDirty) dirty.current.add(id);
        else dirty.current.delete(id);
        setAnyDirty(dirty.current.size > 0);
      },
      allow: () => {
        allowed.current = true;
      },
    }),
    [],
  );

  return (
    <GuardContext.Provider value={guard}>
      {children}
      {blocker.state === 'blocked' ? (
        <Dialog open modalType="alert" onOpenChange={(_, data) => !data.open && blocker.reset()}>
          <DialogSurface data-testid="leave-guard">
            <DialogBody>
              <DialogTitle>{t('common.unsaved.title')}</DialogTitle>
              <DialogContent>{t('common.unsaved.body')}</DialogContent>
              {/* The whole width: the buttons' long labels stay on one line each. */}
              <DialogActions fluid>
                <Button appearance="primary" onClick={() => blocker.reset()}>
                  {t('common.unsaved.stay')}
                </Button>
                <Button onClick={() => blocker.proceed()}>{t('common.unsaved.leave')}</Button>
              </DialogActions>
            </DialogBody>
          </DialogSurface>
        </Dialog>
      ) : null}
    </GuardContext.Provider>
  );
}

/**
 * Marks the calling editor as having unsaved changes while `dirty`; returns `allowLeave`, to
 * call just before the editor's own navigation after a save. Outside a provider it does nothing.
 */
export function useLeaveGuard(dirty: boolean): { allowLeave: () => void } {
  const guard = useContext(GuardContext);
  const [id] = useState(() => Symbol('editor'));
  useEffect(() => {
    if (!guard) return;
    guard.mark(id, dirty);
    return () => guard.mark(id, false);
  }, [guard, id, dirty]);
  const allowLeave = useCallback(() => guard?.allow(), [guard]);
  return { allowLeave };
}

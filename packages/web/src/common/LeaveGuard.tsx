/**
 * @module common/LeaveGuard
 * An editor with unsaved changes asks before it is left, so that a policy built over several
 * minutes is not lost to a stray click (the admin center and the account's Security info
 * page). Any move inside the app (the side menu, a breadcrumb, a link, Cancel, the browser's
 * Back and Forward) is held while an editor has unsaved changes (React Router's `useBlocker`, hence the data router of `App.tsx`) and a
 * dialog asks: "Stay on this page" keeps the editor as it was, "Leave without saving" goes on.
 * A reload, closing the tab, a link that loads another page or typing another address gets
 * the browser's own question (`beforeunload`). Saving and then leaving asks nothing: the
 * editor calls `allowLeave` just before its own navigation. A move to the same path (another
 * tab of the page) is not leaving.
 *
 * One guard for the whole admin center (`LeaveGuardProvider`), one for the Security info page:
 * React Router consults only one blocker, and one page may hold several editors (Remote Help
 * settings has two forms). Each editor says whether it has unsaved changes
 * (`useLeaveGuard(dirty)`). What shows something only once (a generated password, an enrollment
 * token, recovery codes) holds a leave the same way while it shows it
 * (`useLeaveGuard(showing, 'shownOnce')`), and the question says so instead of speaking of
 * unsaved changes.
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

/** What would be lost: typed changes, or something shown once that cannot be shown again. */
export type LeaveLoss = 'changes' | 'shownOnce';

interface Guard {
  /** Editor `id` would lose `loss` if left (or, with `null`, nothing any more). */
  mark: (id: symbol, loss: LeaveLoss | null) => void;
  /** The next navigation goes without asking. */
  allow: () => void;
}

const GuardContext = createContext<Guard | null>(null);

/** See the module description: asks for every editor below it. */
export function LeaveGuardProvider({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const { pathname } = useLocation();
  const dirty = useRef(new Map<symbol, LeaveLoss>());
  const allowed = useRef(false);
  /** What leaving would lose now, for the question's wording and `beforeunload`: a secret shown once first. */
  const [held, setHeld] = useState<LeaveLoss | null>(null);
  const shownOnce = held === 'shownOnce';

  // A navigation let through (after a save) lets through that one only.
  useEffect(() => {
    allowed.current = false;
  }, [pathname]);

  // Stay gives the focus back to where it was: in a dialog of the page (New group, a token shown
  // once), that dialog is the modal one again (its fields reachable, the page behind it hidden
  // from assistive technology), which the guard's own dialog, a sibling, does not restore. The
  // focus is noted when the move is held, before the guard's dialog takes it.
  const focusBefore = useRef<HTMLElement | null>(null);
  const shouldBlock = useCallback<BlockerFunction>(({ currentLocation, nextLocation }) => {
    const block = dirty.current.size > 0 && !allowed.current && currentLocation.pathname !== nextLocation.pathname;
    if (block) focusBefore.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    return block;
  }, []);
  const blocker = useBlocker(shouldBlock);
  const blocked = blocker.state === 'blocked';
  const stayed = useRef(false);
  useEffect(() => {
    if (blocked) return;
    const before = stayed.current ? focusBefore.current : null;
    stayed.current = false;
    focusBefore.current = null;
    if (before?.isConnected) before.focus();
  }, [blocked]);
  const stay = () => {
    stayed.current = true;
    blocker.reset?.();
  };

  useEffect(() => {
    if (!held) return;
    const ask = (event: BeforeUnloadEvent) => {
      if (allowed.current) return;
      event.preventDefault();
      event.returnValue = ''; // older browsers ask only when this is set
    };
    window.addEventListener('beforeunload', ask);
    return () => window.removeEventListener('beforeunload', ask);
  }, [held]);

  const guard = useMemo<Guard>(
    () => ({
      mark: (id, loss) => {
        if (loss) dirty.current.set(id, loss);
        else dirty.current.delete(id);
        const losses = [...dirty.current.values()];
        setHeld(losses.includes('shownOnce') ? 'shownOnce' : (losses[0] ?? null));
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
        <Dialog open modalType="alert" onOpenChange={(_, data) => !data.open && stay()}>
          <DialogSurface data-testid="leave-guard">
            <DialogBody>
              <DialogTitle>{t(shownOnce ? 'common.unsaved.shownOnceTitle' : 'common.unsaved.title')}</DialogTitle>
              <DialogContent>{t(shownOnce ? 'common.unsaved.shownOnceBody' : 'common.unsaved.body')}</DialogContent>
              {/* The whole width: the buttons' long labels stay on one line each. */}
              <DialogActions fluid>
                <Button appearance="primary" onClick={stay}>
                  {t('common.unsaved.stay')}
                </Button>
                <Button onClick={() => blocker.proceed()}>
                  {t(shownOnce ? 'common.unsaved.shownOnceLeave' : 'common.unsaved.leave')}
                </Button>
              </DialogActions>
            </DialogBody>
          </DialogSurface>
        </Dialog>
      ) : null}
    </GuardContext.Provider>
  );
}

/**
 * Marks the calling editor as having unsaved changes while `dirty` (with `loss` `'shownOnce'`:
 * as showing something that is not shown again); returns `allowLeave`, to call just before the
 * editor's own navigation after a save. Outside a provider it does nothing.
 */
export function useLeaveGuard(dirty: boolean, loss: LeaveLoss = 'changes'): { allowLeave: () => void } {
  const guard = useContext(GuardContext);
  const [id] = useState(() => Symbol('editor'));
  useEffect(() => {
    if (!guard) return;
    guard.mark(id, dirty ? loss : null);
    return () => guard.mark(id, null);
  }, [guard, id, dirty, loss]);
  const allowLeave = useCallback(() => guard?.allow(), [guard]);
  return { allowLeave };
}

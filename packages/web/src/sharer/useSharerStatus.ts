/**
 * @module useSharerStatus
 * Keeps the session's `sharerStatus` equal to what the page does (see `sharerStatus.ts`):
 * whenever the two differ, it posts the page's status, one request at a time, and applies
 * the reply. A failed post is tried again a few times (1 s apart); a session that ended
 * meanwhile is left alone (the ended screen says why). When the page goes away while it
 * shares (a reload, the tab closing), it says `choosing` on its way out — at `beforeunload`,
 * before the browser even asks for the new page, and again at `pagehide` — so the helper
 * reads at once that the picture is gone and why, instead of waiting for the new page. A
 * navigation that does not happen after all corrects itself: when the page is still there
 * {@link LEAVING_MS} later, it posts what it does again.
 */
import { useEffect, useRef, useState } from 'react';
import type { SessionView } from '@remote-help/protocol';
import { setSharerStatus, sharerChoosingOnUnload } from '../common/endpoints';
import type { PostedSharerStatus } from './sharerStatus';

const RETRIES = 5;
const RETRY_MS = 1000;
/** After `beforeunload`, how long the page stays quiet (it is expected to be gone by then). */
const LEAVING_MS = 3000;

/** See the module description. */
export function useSharerStatus(
  session: SessionView | null,
  desired: PostedSharerStatus | null,
  adopt: (session: SessionView) => void,
): void {
  const inFlight = useRef<PostedSharerStatus | null>(null);
  const failures = useRef(0);
  const [retryTick, setRetryTick] = useState(0);
  const leaving = useRef(false);
  const sessionId = session?.id ?? null;
  const current = session?.sharerStatus ?? null;

  useEffect(() => {
    failures.current = 0;
  }, [desired, sessionId]);

  const sharesPicture = desired === 'sharing' || desired === 'paused';
  useEffect(() => {
    if (!sessionId || !sharesPicture) return;
    let timer: number | undefined;
    const goingAway = () => {
      leaving.current = true;
      sharerChoosingOnUnload(sessionId);
      window.clearTimeout(timer);
      timer = window.setTimeout(() => {
        leaving.current = false;
        setRetryTick((tick) => tick + 1);
      }, LEAVING_MS);
    };
    window.addEventListener('beforeunload', goingAway);
    window.addEventListener('pagehide', goingAway);
    return () => {
      window.clearTimeout(timer);
      window.removeEventListener('beforeunload', goingAway);
      window.removeEventListener('pagehide', goingAway);
    };
  }, [sessionId, sharesPicture]);

  useEffect(() => {
    if (!sessionId || desired === null || current === desired || inFlight.current === desired) return;
    if (failures.current > RETRIES || leaving.current) return;
    inFlight.current = desired;
    let timer: number | undefined;
    setSharerStatus(sessionId, desired).then(
      (view) => {
        inFlight.current = null;
        adopt(view);
      },
      () => {
        inFlight.current = null;
        failures.current += 1;
        timer = window.setTimeout(() => setRetryTick((tick) => tick + 1), RETRY_MS);
      },
    );
    return () => window.clearTimeout(timer);
  }, [sessionId, desired, current, adopt, retryTick]);
}

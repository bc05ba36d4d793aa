/**
 * @module admin/devices/useCopy
 * Copies text to the clipboard and says so for a few seconds ("Copied"), or that it could not
 * (no clipboard permission): then the person selects the text by hand.
 */
import { useCallback, useEffect, useRef, useState } from 'react';

/** See the module description. */
export function useCopy(): { copied: boolean; failed: boolean; copy: (text: string) => void; reset: () => void } {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  const copy = useCallback((text: string) => {
    clearTimeout(timer.current);
    const done = (next: 'copied' | 'failed') => {
      setState(next);
      timer.current = setTimeout(() => setState('idle'), 4000);
    };
    if (!navigator.clipboard) {
      done('failed');
      return;
    }
    navigator.clipboard.writeText(text).then(
      () => done('copied'),
      () => done('failed'),
    );
  }, []);
  const reset = useCallback(() => {
    clearTimeout(timer.current);
    setState('idle');
  }, []);
  return { copied: state === 'copied', failed: state === 'failed', copy, reset };
}

/**
 * @module useScreenCapture
 * The sharer's screen capture. `start` calls `getDisplayMedia` before anything else so
 * it runs inside the click's user activation; it must be called from a click handler.
 */
import { useCallback, useEffect, useRef, useState } from 'react';

/** Why a capture could not start. */
export type CaptureFailure = 'cancelled' | 'unsupported' | 'failed';

/** Thrown by {@link ScreenCapture.start}. */
export class CaptureError extends Error {
  readonly reason: CaptureFailure;
  constructor(reason: CaptureFailure, message: string) {
    super(message);
    this.name = 'CaptureError';
    this.reason = reason;
  }
}

/** The capture and how to start and stop it. */
export interface ScreenCapture {
  stream: MediaStream | null;
  /** Asks the user what to share. Rejects with {@link CaptureError}. */
  start: () => Promise<MediaStream>;
  /** Stops sharing (does not call `onEnded`). */
  stop: () => void;
}

function toCaptureError(error: unknown): CaptureError {
  const name = error instanceof DOMException ? error.name : '';
  if (name === 'NotAllowedError' || name === 'AbortError') return new CaptureError('cancelled', name);
  if (name === 'NotSupportedError' || name === 'TypeError') return new CaptureError('unsupported', name);
  return new CaptureError('failed', error instanceof Error ? error.message : String(error));
}

/** See the module description. `onEnded` runs when the browser's own "Stop sharing" ends the capture. */
export function useScreenCapture(onEnded: () => void): ScreenCapture {
  const [stream, setStream] = useState<MediaStream | null>(null);
  const current = useRef<MediaStream | null>(null);
  const ended = useRef(onEnded);

  useEffect(() => {
    ended.current = onEnded;
  }, [onEnded]);

  const stop = useCallback(() => {
    const active = current.current;
    current.current = null;
    if (active) for (const track of active.getTracks()) track.stop();
    setStream(null);
  }, []);

  const start = useCallback(async () => {
    let captured: MediaStream;
    try {
      // No await before this call: it needs the click's user activation.
      if (typeof navigator.mediaDevices?.getDisplayMedia !== 'function') {
        throw new CaptureError('unsupported', 'getDisplayMedia is not available');
      }
      captured = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 30 } }, audio: false });
    } catch (error) {
      throw error instanceof CaptureError ? error : toCaptureError(error);
    }
    const track = captured.getVideoTracks()[0];
    if (!track) {
      for (const other of captured.getTracks()) other.stop();
      throw new CaptureError('failed', 'no video track');
    }
    track.contentHint = 'detail';
    track.addEventListener('ended', () => {
      if (current.current !== captured) return;
      current.current = null;
      setStream(null);
      ended.current();
    });
    const previous = current.current;
    if (previous) for (const old of previous.getTracks()) old.stop();
    current.current = captured;
    setStream(captured);
    return captured;
  }, []);

  useEffect(() => stop, [stop]);

  return { stream, start, stop };
}

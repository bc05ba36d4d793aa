/**
 * @module useInputCapture
 * While the helper has full control, sends what they do over the sharer's picture on
 * the `input` channel: pointer moves (at most one per animation frame), button presses
 * and releases, wheel turns and keys (by `KeyboardEvent.code`, with modifiers, repeats
 * as further presses). The surface gets focus on click; keys, the context menu, the
 * middle-click and the wheel over the picture stop doing anything locally. Presses
 * outside the picture (bars, scroll bars) are left to the browser. Every key and button
 * is released on the remote side when the surface loses focus, the tab is hidden,
 * capture stops (mode change, laser on, channel change) and on unmount.
 */
import { useEffect, useRef } from 'react';
import type { RefObject } from 'react';
import type { InputMessageInput } from '@remote-help/protocol';
import type { Point } from './coordinates';
import { FrameCoalescer } from './frameCoalescer';
import {
  buttonChanges,
  isLeaveShortcut,
  keyMessage,
  knownButtons,
  pointerButtonMessage,
  pointerMoveMessage,
  RELEASE_ALL,
  wheelMessage,
} from './inputEvents';
import type { ToVideo } from './usePictureLayout';

/** Options of {@link useInputCapture}. */
export interface InputCaptureOptions {
  /** The focusable element around the picture. */
  surface: RefObject<HTMLElement | null>;
  /** Capture only while true (full control, `input` open, laser off). */
  enabled: boolean;
  toVideo: ToVideo;
  /** Sends one message on the `input` channel (validated there). */
  send: ((message: InputMessageInput) => boolean) | null;
  /** The helper pressed the leave shortcut: move focus somewhere outside the surface. */
  onLeaveShortcut: () => void;
}

/** See the module description. */
export function useInputCapture({ surface, enabled, toVideo, send, onLeaveShortcut }: InputCaptureOptions): void {
  const leave = useRef(onLeaveShortcut);
  useEffect(() => {
    leave.current = onLeaveShortcut;
  }, [onLeaveShortcut]);

  useEffect(() => {
    const element = surface.current;
    if (!enabled || !element || !send) return;
    let held = 0;
    const moves = new FrameCoalescer<Point>((point) => send(pointerMoveMessage(point)));
    const releaseAll = () => {
      moves.cancel();
      held = 0;
      send(RELEASE_ALL);
    };
    /** Sends the presses and releases between `held` and the event's buttons; true if any. */
    const applyButtons = (buttons: number, point: Point | null): boolean => {
      const next = knownButtons(buttons);
      const changes = buttonChanges(held, next);
      if (changes.length === 0) return false;
      moves.flush();
      for (const change of changes) {
        const message = pointerButtonMessage(change.button, change.down, point);
        if (message) send(message);
      }
      held = next;
      return true;
    };

    const onPointerDown = (event: PointerEvent) => {
      if (!event.isPrimary) return;
      const point = toVideo(event.clientX, event.clientY);
      if (!point) return; // Bars and scroll bars keep working locally.
      event.preventDefault();
      element.focus({ preventScroll: true });
      try {
        element.setPointerCapture(event.pointerId);
      } catch {
        // The pointer is already gone; the release still arrives through pointerup or blur.
      }
      applyButtons(event.buttons, point);
    };
    const onPointerMove = (event: PointerEvent) => {
      if (!event.isPrimary) return;
      const point = toVideo(event.clientX, event.clientY, held !== 0);
      if (!point) return;
      if (held !== 0 && applyButtons(event.buttons, point)) return;
      moves.push(point);
    };
    const onPointerUp = (event: PointerEvent) => {
      if (!event.isPrimary || held === 0) return;
      applyButtons(event.buttons, toVideo(event.clientX, event.clientY, true));
    };
    const onPointerCancel = (event: PointerEvent) => {
      if (event.isPrimary && held !== 0) applyButtons(0, null);
    };
    const onMouseDown = (event: MouseEvent) => {
      // No middle-click autoscroll, text selection or drag of the video over the picture.
      if (toVideo(event.clientX, event.clientY)) event.preventDefault();
    };
    const preventDefault = (event: Event) => event.preventDefault();
    const onWheel = (event: WheelEvent) => {
      if (!toVideo(event.clientX, event.clientY)) return;
      event.preventDefault();
      const message = wheelMessage(event);
      if (!message) return;
      moves.flush();
      send(message);
    };
    const onKey = (event: KeyboardEvent) => {
      const down = event.type === 'keydown';
      if (down && isLeaveShortcut(event)) {
        event.preventDefault();
        releaseAll();
        leave.current();
        return;
      }
      event.preventDefault(); // Tab, Backspace, F5… belong to the remote side now.
      const message = keyMessage(event, down);
      if (message) send(message);
    };
    const onHidden = () => {
      if (document.visibilityState === 'hidden') releaseAll();
    };

    const listeners: [EventTarget, string, (event: never) => void, AddEventListenerOptions?][] = [
      [element, 'pointerdown', onPointerDown],
      [element, 'pointermove', onPointerMove],
      [element, 'pointerup', onPointerUp],
      [element, 'pointercancel', onPointerCancel],
      [element, 'mousedown', onMouseDown],
      [element, 'auxclick', preventDefault],
      [element, 'contextmenu', preventDefault],
      [element, 'wheel', onWheel, { passive: false }],
      [element, 'keydown', onKey],
      [element, 'keyup', onKey],
      [element, 'blur', releaseAll],
      [window, 'blur', releaseAll],
      [document, 'visibilitychange', onHidden],
    ];
    for (const [target, type, listener, options] of listeners) {
      target.addEventListener(type, listener as EventListener, options);
    }
    return () => {
      for (const [target, type, listener, options] of listeners) {
        target.removeEventListener(type, listener as EventListener, options);
      }
      releaseAll();
    };
  }, [surface, enabled, toVideo, send]);
}

/**
 * @module useInputCapture
 * While the helper has full control, sends what they do over the sharer's picture on
 * the `input` channel: pointer moves (at most one per animation frame), button presses
 * and releases, wheel turns and keys (by `KeyboardEvent.code`, with modifiers, repeats
 * as further presses), and as text what a key event could not carry (see `textInput`):
 * characters of the helper's layout, dead keys, input-method compositions. Keyboard
 * focus sits in a hidden text field inside the surface, so that the browser's input
 * method works there; clicking the picture or focusing the surface puts it there. Keys,
 * the context menu, the middle-click and the wheel over the picture stop doing anything
 * locally. Presses
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
import { decideKey, textMessages } from './textInput';
import type { ToVideo } from './usePictureLayout';

/** Options of {@link useInputCapture}. */
export interface InputCaptureOptions {
  /** The focusable element around the picture. */
  surface: RefObject<HTMLElement | null>;
  /** The hidden text field inside the surface that has the keyboard focus and the input method. */
  textInput: RefObject<HTMLTextAreaElement | null>;
  /** Capture only while true (full control, `input` open, laser off). */
  enabled: boolean;
  toVideo: ToVideo;
  /** Sends one message on the `input` channel (validated there). */
  send: ((message: InputMessageInput) => boolean) | null;
  /** The helper pressed the leave shortcut: move focus somewhere outside the surface. */
  onLeaveShortcut: () => void;
}

/** See the module description. */
export function useInputCapture({
  surface,
  textInput,
  enabled,
  toVideo,
  send,
  onLeaveShortcut,
}: InputCaptureOptions): void {
  const leave = useRef(onLeaveShortcut);
  useEffect(() => {
    leave.current = onLeaveShortcut;
  }, [onLeaveShortcut]);

  useEffect(() => {
    const element = surface.current;
    const field = textInput.current;
    if (!enabled || !element || !field || !send) return;
    let held = 0;
    /** Codes whose press went as a key event: only their releases are sent. */
    const keysDown = new Set<string>();
    const moves = new FrameCoalescer<Point>((point) => send(pointerMoveMessage(point)));
    const releaseAll = () => {
      moves.cancel();
      held = 0;
      keysDown.clear();
      send(RELEASE_ALL);
    };
    const sendText = (text: string) => {
      moves.flush();
      for (const message of textMessages(text)) send(message);
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
      field.focus({ preventScroll: true });
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
      if (!down) {
        event.preventDefault();
        if (!keysDown.delete(event.code)) return; // its press went as text, or nowhere
        const message = keyMessage(event, false);
        if (message) send(message);
        return;
      }
      const decision = decideKey({ ...eventFields(event), altGraph: event.getModifierState('AltGraph') });
      // The input method or dead key needs the press; its result comes as composition or input.
      if (decision.kind === 'compose') return;
      event.preventDefault(); // Tab, Backspace, F5… belong to the remote side now.
      if (decision.kind === 'text') {
        sendText(decision.text);
        return;
      }
      const message = keyMessage(event, true);
      if (!message) return;
      keysDown.add(event.code);
      moves.flush();
      send(message);
    };
    const onCompositionEnd = (event: CompositionEvent) => {
      if (event.data) sendText(event.data);
      field.value = '';
    };
    const onBeforeInput = (event: InputEvent) => {
      // A composition's steps stay in the field until it ends; everything else is sent or dropped here.
      if (event.isComposing || event.inputType === 'insertCompositionText') return;
      event.preventDefault();
      if (event.inputType === 'insertText' && event.data) sendText(event.data);
      field.value = '';
    };
    const onFocus = () => field.focus({ preventScroll: true });
    const onFocusOut = (event: FocusEvent) => {
      // Focus moving between the surface and its text field is not leaving.
      if (event.relatedTarget instanceof Node && element.contains(event.relatedTarget)) return;
      releaseAll();
    };
    const onHidden = () => {
      if (document.visibilityState === 'hidden') releaseAll();
    };

    if (document.activeElement === element) field.focus({ preventScroll: true });
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
      [element, 'focus', onFocus],
      [element, 'focusout', onFocusOut],
      [field, 'compositionend', onCompositionEnd],
      [field, 'beforeinput', onBeforeInput],
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
      // Keys no longer go anywhere from the field: the surface keeps the focus instead.
      if (document.activeElement === field) element.focus({ preventScroll: true });
    };
  }, [surface, textInput, enabled, toVideo, send]);
}

/** The fields of a DOM key event the decision reads. */
function eventFields(event: KeyboardEvent) {
  const { code, key, shiftKey, ctrlKey, altKey, metaKey, isComposing } = event;
  return { code, key, shiftKey, ctrlKey, altKey, metaKey, isComposing };
}

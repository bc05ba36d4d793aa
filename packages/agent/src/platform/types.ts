/**
 * @module platform/types
 * The runtime-neutral contracts every platform adapter implements: a `ScreenSource`
 * that lists displays and delivers frames when the screen changes, and an
 * `InputInjector` that turns helper input into local mouse and keyboard events.
 * Linux (X11) and macOS implement these in `platform/linux` and `platform/darwin`.
 */
import type { AgentError } from '../errors.js';

/** An axis-aligned rectangle in pixels. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One display (monitor) the agent can share. */
export interface DisplayInfo {
  /** Stable for the life of the process; opaque to callers. */
  id: string;
  /** Human-readable name (output name such as `HDMI-1`, or `Screen 1`). */
  name: string;
  /** Position and size in the platform's global pixel space. */
  bounds: Rect;
  primary: boolean;
}

/**
 * Memory order of the four bytes of a pixel. The fourth byte is padding on every
 * current backend (X11 gives BGRX): consumers must ignore it.
 */
export type PixelFormat = 'rgba' | 'bgra';

/** A full frame of one display. */
export interface ScreenFrame {
  width: number;
  height: number;
  /**
   * Pixels, `stride` bytes per row. The buffer belongs to the source and is reused
   * for the next frame: copy what you need before `onFrame` returns.
   */
  data: Uint8Array;
  stride: number;
  format: PixelFormat;
  /** Display-local rectangles that changed since the previous frame; absent = the whole frame. */
  changed?: Rect[];
  /** `performance.now()` when the pixels were read. */
  timestamp: number;
}

/** Options for `ScreenSource.start`. */
export interface CaptureOptions {
  /** Most frames per second to deliver (default 60). */
  maxFps?: number;
  /** Called once when capture stops because of an error (display server gone…). */
  onError?: (error: Error) => void;
}

/** How a source learns that the screen changed. */
export type ChangeDetection = 'damage' | 'poll';

/** Counters for measurements and diagnostics. */
export interface CaptureStats {
  detection: ChangeDetection;
  /** How pixels are read (`shm`, `core`, `node-screenshots`…). */
  readPath: string;
  frames: number;
  /** Average and last cost of reading pixels, in ms. */
  readMsAvg: number;
  readMsLast: number;
  /** Average cost of comparing frames (poll detection only), in ms. */
  diffMsAvg: number;
  /** Change notifications from the display server (X11 DAMAGE events), where there are any. */
  changeEvents?: number;
  /** Switches between raw and delta damage reports (X11: floods of drawing). */
  changeLevelSwitches?: number;
  /** Reads of changes that came in during a read, sent in the same frame (X11 DAMAGE). */
  tailReads?: number;
  /** X resource ids the capture's connection has taken from its range: flat however long the capture runs. */
  resourceIdsTaken?: number;
}

/** Lists displays and captures one of them, delivering frames only when its pixels changed. */
export interface ScreenSource {
  listDisplays(): Promise<DisplayInfo[]>;
  /**
   * Starts capturing `displayId`. The first frame (whole display) comes right away,
   * then one frame per change, at most `maxFps` per second. One capture at a time.
   */
  start(displayId: string, onFrame: (frame: ScreenFrame) => void, options?: CaptureOptions): Promise<void>;
  /**
   * Sets up what capturing `displayId` needs (buffers, shared memory) without reading any
   * pixel, so that a later `start` of the same display only reads (ADR 0023: done while the
   * sharer reads the request). Optional; `start` works without it.
   */
  prepare?(displayId: string): Promise<void>;
  /**
   * Changes the running capture's most frames per second (undefined: back to the rate it
   * started with). Optional: a consumer that cannot use every frame for a while (the tile
   * sender holding large changes for its pacing) asks for fewer reads.
   */
  setMaxFps?(fps: number | undefined): void;
  /**
   * Calls `onChange` with the new list whenever the displays may have changed (a resolution
   * or layout change, a monitor plugged in or out); returns what stops it. Optional: a source
   * without it keeps the displays it listed. A capture whose display changed size or place
   * stops without `onError` (its reads would fail or miss the new part): the consumer starts
   * it again on the display it finds in the list.
   */
  watchDisplays?(onChange: (displays: DisplayInfo[]) => void): () => void;
  /** Stops the running capture (no more `onFrame` calls after the promise settles). */
  stop(): Promise<void>;
  stats(): CaptureStats;
  /** Stops and releases the connection to the display server. */
  close(): Promise<void>;
}

/** DOM `MouseEvent.button`: 0 main (left), 1 auxiliary (middle), 2 secondary (right). */
export type PointerButton = 0 | 1 | 2;

/**
 * Injects input on one display. Coordinates are display-local pixels. Every method
 * but `typeText` is synchronous: when it returns, the event has been handed to the OS.
 * Implementations track what they pressed so `releaseAll` can undo it.
 */
export interface InputInjector {
  readonly display: DisplayInfo;
  /**
   * The same display changed size or place (a resolution change): input maps to `display`'s
   * bounds from now on. Optional: without it the caller makes a new injector.
   */
  follow?(display: DisplayInfo): void;
  pointerMove(x: number, y: number): void;
  pointerButton(button: PointerButton, down: boolean): void;
  /** Scrolls by whole wheel notches; positive `dy` scrolls down, positive `dx` right (DOM convention). */
  wheel(dx: number, dy: number): void;
  /** Presses or releases the key at `KeyboardEvent.code`; throws `AgentError('unknown_key' | 'key_unavailable')`. */
  key(code: string, down: boolean): void;
  /**
   * Types text as key strokes (no modifiers held by the helper are applied), any
   * character. May return a promise (the X11 text path needs round trips): the caller
   * then injects nothing else until it settles, so text stays in order with keys.
   */
  typeText(text: string): void | Promise<void>;
  /** Releases every key and button this injector holds down. */
  releaseAll(): void;
  /** Keys currently held, as `KeyboardEvent.code`s. */
  heldKeys(): ReadonlySet<string>;
  /** Releases everything held and frees the injector's resources. */
  close(): Promise<void>;
  /**
   * Frees the injector's resources without touching the display: it is gone (the X
   * server died), and on X11 a call on a dead connection ends the process.
   */
  abandon?(): Promise<void>;
}

/** Whether the OS lets the agent capture and inject (always granted on X11). */
export interface PermissionReport {
  screenCapture: 'granted' | 'denied' | 'not_determined';
  inputInjection: 'granted' | 'denied' | 'not_determined';
}

/** A point in the platform's global pixel space. */
export interface Point {
  x: number;
  y: number;
}

/** Desktop services beside capture and input, on their own connection to the window system. */
/** What the local pointer looks like: straight-alpha RGBA pixels (rows top down) and its hot spot. */
export interface CursorShape {
  /** The same serial is the same image (the platform's own numbering). */
  serial: number;
  width: number;
  height: number;
  hotX: number;
  hotY: number;
  rgba: Uint8Array;
}

export interface DesktopServices {
  /** Where the local mouse pointer is (global pixels), or null when unknown. */
  pointerPosition(): Promise<Point | null>;
  /**
   * Calls `onMove` with the pointer's new position (global pixels, null when unknown)
   * each time it moves, and never while it stands still, until the returned function is
   * called. Null (or absent) when the platform cannot report motion: poll
   * {@link pointerPosition} instead.
   */
  watchPointer?(onMove: (point: Point | null) => void): (() => void) | null;
  /**
   * Calls `onShape` with what the pointer looks like now and each time that changes (a text
   * caret over text, a hand over a link, the frames of an animated cursor), until the returned
   * function is called; `null` for a cursor whose image cannot be read. Null (or absent) where
   * the platform cannot tell at all: either way the helper then draws its own arrow.
   */
  watchCursorShape?(onShape: (shape: CursorShape | null) => void): (() => void) | null;
  /**
   * Calls `onPress` whenever the global "stop control" hotkey (Ctrl+Alt+Shift+S) is
   * pressed, until the returned function is called. Null when the platform cannot grab
   * a global hotkey (or another program holds it).
   */
  grabStopHotkey(onPress: () => void): Promise<(() => Promise<void>) | null>;
  /**
   * Draws the helper's laser pointer on the desktop, over every window and transparent to
   * input, centred on `point` (global pixels); `null` hides it. Absent where the platform
   * has no overlay yet (macOS): the laser then shows in the agent window's preview only.
   */
  showLaser?(point: Point | null): Promise<void>;
  /**
   * Calls `listener` once when these services lose their display for good (X11: the server
   * closed the connection). From then on they do nothing and answer "unknown"; the agent opens
   * new ones when a display answers again (`app/reopeningDesktop.ts`). Absent: never reported.
   */
  onLost?(listener: () => void): void;
  close(): Promise<void>;
}

/** One operating system's implementation of capture, input and permissions. */
export interface PlatformAdapter {
  readonly name: 'linux' | 'darwin';
  openScreenSource(): Promise<ScreenSource>;
  openDesktop(): Promise<DesktopServices>;
  createInputInjector(display: DisplayInfo): Promise<InputInjector>;
  checkPermissions(): Promise<PermissionReport>;
  /**
   * Why this desktop cannot be shared at all, whatever the person allows (Linux: a Wayland session, whose X
   * display shows only X11 windows), or null. Asked before a code is redeemed or a launch accepted, so that the
   * helper's session is not joined for a share that would show nothing. Optional: absent means no such case.
   */
  shareBlocker?(): Promise<AgentError | null>;
  /**
   * How many displays the desktop has, for the device's inventory, without opening a capture (which a Wayland
   * desktop refuses although its monitors are there). Optional: absent, the inventory counts through a capture.
   */
  countDisplays?(): Promise<number>;
  /** Asks the OS to prompt the user for missing permissions (no-op where none are needed). */
  requestPermissions(): Promise<void>;
}

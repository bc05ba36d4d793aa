/**
 * @module attachTileView
 * Paints a `tiles` data channel (the native agent's screen) onto a canvas with a
 * {@link TileReceiver}, and acknowledges its messages on the same channel. No React: the app's
 * `useTileCanvas` calls it once per channel, and a browser test can call it the same way.
 *
 * - The count of complete frames is written to the canvas' `data-frames` attribute at most once
 *   per animation frame, for tests and probes; `onFirstFrame` hears of the first. So is the count
 *   of messages the budget shed (`data-shed`, see below).
 * - Acks go out when the browser next draws (`paceAcks`): the agent sends on acks, so a helper
 *   whose machine cannot keep up gets fewer frames instead of a frozen page.
 * - Messages go through a {@link TileWorkBudget}: the channel may take the main thread in a burst
 *   (an honest first picture is never held back), then only half of it; what waits too long is
 *   dropped unacknowledged, and the agent sends it again. A flood cannot starve the page.
 * - A channel that was open before the view listened (`askForPicture`: the connection was set up
 *   before the sharer allowed) may have carried messages already: those kept by `tileBacklog`
 *   are painted first; when none were kept, or too many, the whole picture is asked for.
 * - The video area's frames (the `video` element's) are drawn onto the canvas by a
 *   {@link VideoAreaCompositor} (ADR 0024).
 */
import { TileReceiver, type Painter, type ScreenRect } from '@remote-help/protocol';
import { FrameCoalescer } from '../control/frameCoalescer';
import { CanvasPainter } from './CanvasPainter';
import { takeTileBacklog } from './tileBacklog';
import { TileWorkBudget } from './tileWorkBudget';
import { VideoAreaCompositor } from './VideoAreaCompositor';

/** A hidden tab draws no frames: acks then go out after this long (browsers stretch it to 1 s in background tabs). */
const HIDDEN_ACK_MS = 250;

/** Sends acks with the next animation frame, or after `HIDDEN_ACK_MS` if no frame comes. */
function paceAcks(flush: () => void): void {
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    cancelAnimationFrame(frame);
    clearTimeout(timer);
    flush();
  };
  const frame = requestAnimationFrame(once);
  const timer = setTimeout(once, HIDDEN_ACK_MS);
}

/** Puts a canvas back to "no picture": 0 × 0, which layouts treat as an unknown size. */
function clear(canvas: HTMLCanvasElement): void {
  canvas.width = 0;
  canvas.height = 0;
  canvas.dispatchEvent(new Event('resize'));
  canvas.dataset.frames = '0';
  canvas.dataset.videoCells = '0';
  canvas.dataset.shed = '0';
}

/** A painter that counts the pixels it fills and copies: the browser draws those later, when the frame is drawn. */
class CountingPainter implements Painter {
  drawn = 0;

  constructor(private readonly inner: Painter) {}

  resize(width: number, height: number): void {
    this.inner.resize(width, height);
    this.drawn += width * height;
  }

  fill(x: number, y: number, width: number, height: number, r: number, g: number, b: number): void {
    this.inner.fill(x, y, width, height, r, g, b);
    this.drawn += width * height;
  }

  copy(sx: number, sy: number, x: number, y: number, width: number, height: number): void {
    this.inner.copy(sx, sy, x, y, width, height);
    this.drawn += width * height;
  }

  put(rgba: Uint8ClampedArray, x: number, y: number, width: number, height: number): void {
    this.inner.put(rgba, x, y, width, height);
  }

  video(area: ScreenRect | null, cells: readonly ScreenRect[]): void {
    this.inner.video?.(area, cells);
  }
}

export interface TileViewOptions {
  /** The channel was open before the view listened (see the module description). */
  askForPicture?: boolean;
  onFirstFrame?: () => void;
}

/** See the module description. Returns `detach`, which stops listening and clears the canvas. */
export function attachTileView(
  channel: RTCDataChannel,
  canvas: HTMLCanvasElement,
  video: () => HTMLVideoElement | null,
  options: TileViewOptions = {},
): () => void {
  clear(canvas);
  let first = true;
  const frames = new FrameCoalescer<number>((count) => {
    canvas.dataset.frames = String(count);
    if (first) options.onFirstFrame?.();
    first = false;
  });
  const compositor = new VideoAreaCompositor(canvas, video);
  const painter = new CountingPainter(new CanvasPainter(canvas, compositor));
  const receiver = new TileReceiver(
    (data) => {
      if (channel.readyState === 'open') channel.send(data);
    },
    painter,
    undefined,
    paceAcks,
  );
  const sheds = new FrameCoalescer<number>((count) => {
    canvas.dataset.shed = String(count);
  });
  const budget = new TileWorkBudget(
    (data) => {
      const before = receiver.stats.frames;
      painter.drawn = 0;
      receiver.handle(data);
      if (receiver.stats.frames !== before) frames.push(receiver.stats.frames);
      return { drawnPixels: painter.drawn };
    },
    { onShed: (count) => sheds.push(count) },
  );
  const onMessage = (event: MessageEvent<unknown>) => {
    if (event.data instanceof ArrayBuffer) budget.push(event.data);
  };
  let detached = false;
  const detach = () => {
    if (detached) return;
    detached = true;
    channel.removeEventListener('message', onMessage);
    channel.removeEventListener('close', detach);
    budget.dispose();
    frames.cancel();
    sheds.cancel();
    compositor.dispose();
  };
  channel.binaryType = 'arraybuffer';
  // What came before this listener (the first picture, sent while the view mounted) is painted first.
  const backlog = takeTileBacklog(channel);
  for (const data of backlog?.messages ?? []) budget.push(data);
  channel.addEventListener('message', onMessage);
  channel.addEventListener('close', detach);
  // Without a complete backlog, what came before may be lost: the whole picture is asked for.
  const complete = backlog !== null && !backlog.overflowed;
  if (options.askForPicture && !complete && channel.readyState === 'open') receiver.refresh();
  return () => {
    detach();
    clear(canvas);
  };
}

/**
 * @module platform/darwin/darwinScreenSource
 * `ScreenSource` for macOS through `node-screenshots` (CoreGraphics/ScreenCaptureKit
 * via XCap). macOS gives no damage events here, so it polls and differences frames.
 *
 * UNTESTED: written against node-screenshots' documented API (0.2 properties and
 * 0.3+ methods are both handled); it has not run on a Mac. Display bounds are in
 * points (what input injection uses); frames are in physical pixels.
 */
import { diffFrames } from '../../capture/frameDiff.js';
import { simplify } from '../../capture/rects.js';
import { AgentError } from '../../errors.js';
import type { CaptureOptions, CaptureStats, DisplayInfo, ScreenFrame, ScreenSource } from '../types.js';
import { field, importNative } from './nativeModules.js';

interface NsImage {
  toRaw(copyOutputData?: boolean): Promise<Buffer>;
}
interface NsMonitor {
  captureImage(): Promise<NsImage>;
}
interface NodeScreenshots {
  Monitor: { all(): NsMonitor[] };
}

/** Polls one monitor with node-screenshots. */
export class DarwinScreenSource implements ScreenSource {
  readonly #lib: NodeScreenshots;
  #run: { stopped: boolean; timer: NodeJS.Timeout | undefined; busy: Promise<void> | null } | null = null;
  #stats: CaptureStats = {
    detection: 'poll',
    readPath: 'node-screenshots',
    frames: 0,
    readMsAvg: 0,
    readMsLast: 0,
    diffMsAvg: 0,
  };

  private constructor(lib: NodeScreenshots) {
    this.#lib = lib;
  }

  static async open(): Promise<DarwinScreenSource> {
    return new DarwinScreenSource(await importNative<NodeScreenshots>('node-screenshots'));
  }

  listDisplays(): Promise<DisplayInfo[]> {
    return Promise.resolve(this.#monitors().map((m) => m.info));
  }

  async start(displayId: string, onFrame: (frame: ScreenFrame) => void, options: CaptureOptions = {}): Promise<void> {
    await this.stop();
    const monitor = this.#monitors().find((m) => m.info.id === displayId)?.monitor;
    if (!monitor) throw new AgentError('display_not_found', `No display ${displayId}`, { displayId });
    const minInterval = 1000 / Math.max(1, Math.min(options.maxFps ?? 30, 60));
    const run: { stopped: boolean; timer: NodeJS.Timeout | undefined; busy: Promise<void> | null } = {
      stopped: false,
      timer: undefined,
      busy: null,
    };
    this.#run = run;
    let prev: Buffer | null = null;
    let reads = 0;
    let readTotal = 0;
    let diffs = 0;
    let diffTotal = 0;
    const tick = async (): Promise<void> => {
      const t0 = performance.now();
      const image = await monitor.captureImage();
      const data = await image.toRaw(true);
      const width = field<number>(image, 'width');
      const height = field<number>(image, 'height');
      const readMs = performance.now() - t0;
      readTotal += readMs;
      reads++;
      let changed = [{ x: 0, y: 0, width, height }];
      if (prev && prev.length === data.length) {
        const d0 = performance.now();
        changed = diffFrames(prev, data, width, height, width * 4);
        diffTotal += performance.now() - d0;
        diffs++;
        if (changed.length === 0) return;
      }
      prev = data;
      this.#stats = {
        ...this.#stats,
        frames: this.#stats.frames + 1,
        readMsAvg: readTotal / reads,
        readMsLast: readMs,
        diffMsAvg: diffs ? diffTotal / diffs : 0,
      };
      if (!run.stopped)
        onFrame({
          width,
          height,
          data,
          stride: width * 4,
          format: 'rgba',
          changed: simplify(changed),
          timestamp: performance.now(),
        });
    };
    const loop = (): void => {
      if (run.stopped) return;
      const started = performance.now();
      run.busy = tick()
        .catch((error: unknown) => {
          run.stopped = true;
          options.onError?.(
            new AgentError('capture_failed', `Screen capture failed: ${String(error)}`, undefined, { cause: error }),
          );
        })
        .finally(() => {
          run.busy = null;
          if (!run.stopped) run.timer = setTimeout(loop, Math.max(0, minInterval - (performance.now() - started)));
        });
    };
    loop();
    await run.busy;
  }

  async stop(): Promise<void> {
    const run = this.#run;
    if (!run) return;
    this.#run = null;
    run.stopped = true;
    clearTimeout(run.timer);
    await run.busy;
  }

  stats(): CaptureStats {
    return { ...this.#stats };
  }

  close(): Promise<void> {
    return this.stop();
  }

  #monitors(): { monitor: NsMonitor; info: DisplayInfo }[] {
    return this.#lib.Monitor.all().map((monitor) => {
      const id = field<number>(monitor, 'id');
      return {
        monitor,
        info: {
          id: `monitor-${id}`,
          name: field<string | undefined>(monitor, 'name') ?? `Display ${id}`,
          bounds: {
            x: field<number>(monitor, 'x'),
            y: field<number>(monitor, 'y'),
            width: field<number>(monitor, 'width'),
            height: field<number>(monitor, 'height'),
          },
          primary: Boolean(field<boolean>(monitor, 'isPrimary')),
        },
      };
    });
  }
}

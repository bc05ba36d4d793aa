/**
 * @module platform/linux/displays
 * Finds the monitors of an X screen: RandR outputs (names, primary) when RandR
 * reports any, else Xinerama screens, else the whole root window. Tells XWayland (the
 * X server of a Wayland session) by its outputs.
 */
import type { DisplayInfo } from '../types.js';
import { requireExtension, xcall, type XDisplay } from './x11.js';

/** RandR `Connection.Connected`. */
const RR_CONNECTED = 0;

/** Lists the displays of the connection's first screen, primary first. */
export async function listX11Displays(display: XDisplay): Promise<DisplayInfo[]> {
  const screen = display.screen[0];
  if (!screen) return [];
  let found = await fromRandr(display, screen.root).catch(() => []);
  if (found.length === 0) found = await fromXinerama(display).catch(() => []);
  if (found.length === 0) {
    found = [
      {
        id: 'root',
        name: 'Screen',
        bounds: { x: 0, y: 0, width: screen.pixel_width, height: screen.pixel_height },
        primary: true,
      },
    ];
  }
  if (!found.some((d) => d.primary) && found[0]) found[0].primary = true;
  return found.sort(
    (a, b) => Number(b.primary) - Number(a.primary) || a.bounds.x - b.bounds.x || a.bounds.y - b.bounds.y,
  );
}

async function fromRandr(display: XDisplay, root: number): Promise<DisplayInfo[]> {
  const randr = await requireExtension(display.client, 'randr');
  if (!randr) return [];
  const resources = await xcall<{ config_timestamp: number; outputs: number[] }>((cb) =>
    randr.GetScreenResourcesCurrent(root, cb),
  );
  const primary = await xcall<number>((cb) => randr.GetOutputPrimary(root, cb)).catch(() => 0);
  const out: DisplayInfo[] = [];
  for (const output of resources.outputs) {
    const info = await xcall<{ crtc: number; connection: number; name: string }>((cb) =>
      randr.GetOutputInfo(output, resources.config_timestamp, cb),
    );
    if (info.connection !== RR_CONNECTED || info.crtc === 0) continue;
    const crtc = await xcall<{ x: number; y: number; width: number; height: number }>((cb) =>
      randr.GetCrtcInfo(info.crtc, resources.config_timestamp, cb),
    );
    if (crtc.width === 0 || crtc.height === 0) continue;
    out.push({
      id: `randr-${output}`,
      name: info.name || `Output ${output}`,
      bounds: { x: crtc.x, y: crtc.y, width: crtc.width, height: crtc.height },
      primary: output === primary,
    });
  }
  return out;
}

async function fromXinerama(display: XDisplay): Promise<DisplayInfo[]> {
  const xinerama = await requireExtension(display.client, 'xinerama');
  if (!xinerama) return [];
  const active = await xcall<number>((cb) => xinerama.IsActive(cb));
  if (!active) return [];
  const screens = await xcall<{ x: number; y: number; width: number; height: number }[]>((cb) =>
    xinerama.QueryScreens(cb),
  );
  return screens.map((s, i) => ({
    id: `xinerama-${i}`,
    name: `Screen ${i + 1}`,
    bounds: { x: s.x, y: s.y, width: s.width, height: s.height },
    primary: i === 0,
  }));
}

/**
 * XWayland names its RandR outputs `XWAYLAND0`, `XWAYLAND1`… (every version; the `XWAYLAND`
 * extension that says so directly exists only from 23.1). Its root window is not the desktop: a
 * Wayland compositor draws that, and X clients see only the X11 windows.
 */
const XWAYLAND_OUTPUT = /^XWAYLAND\d+$/;

/** Whether `displays` (from {@link listX11Displays}) are those of XWayland. */
export function isXWayland(displays: readonly DisplayInfo[]): boolean {
  return displays.some((d) => XWAYLAND_OUTPUT.test(d.name));
}

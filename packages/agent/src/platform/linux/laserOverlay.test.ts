/**
 * Integration: the laser overlay on a real X server (Xvfb on a free display), read back
 * with GetImage from another client, and the pointer moved with xdotool to show that the
 * disc takes no input (the window under it stays the pointer's window).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPainter, type Painter } from '../../testing/xpainter.js';
import { hasCommand, startXvfb, xtool, type Xvfb } from '../../testing/xvfb.js';
import { openLinuxDesktop } from './desktop.js';
import { discRows, LASER_DIAMETER, LASER_RGB } from './laserOverlay.js';
import { closeX11, connectX11, xcall, Z_PIXMAP, type XDisplay } from './x11.js';
import type { DesktopServices } from '../types.js';

const ready = hasCommand('Xvfb') && hasCommand('xdotool');

describe('discRows', () => {
  it('is a symmetric disc inside its square', () => {
    const rows = discRows(22);
    expect(rows).toHaveLength(22);
    for (const [x, y, width] of rows) {
      expect(x! + width!).toBeLessThanOrEqual(22);
      expect(x).toBe(22 - (x! + width!)); // as much margin on the right as on the left
      expect(rows[21 - y!]).toEqual([x, 21 - y!, width, 1]);
    }
    expect(rows[11]).toEqual([0, 11, 22, 1]); // the middle row spans the square
    expect(rows[0]![2]).toBeLessThan(12); // the top row is narrow
  });
});

describe.skipIf(!ready)('laser overlay under Xvfb', () => {
  let xvfb: Xvfb;
  let painter: Painter;
  let reader: XDisplay;
  let desktop: DesktopServices;
  let under: number;

  const pixel = async (x: number, y: number): Promise<number> => {
    const root = reader.screen[0]?.root ?? 0;
    const image = await xcall<{ data: Buffer }>((cb) =>
      reader.client.GetImage(Z_PIXMAP, root, x, y, 1, 1, 0xffffffff, cb),
    );
    return ((image.data[2] ?? 0) << 16) | ((image.data[1] ?? 0) << 8) | (image.data[0] ?? 0);
  };
  const pointerChild = async (): Promise<number> => {
    const root = reader.screen[0]?.root ?? 0;
    const reply = await xcall<{ child: number; sameScreen: number }>((cb) => reader.client.QueryPointer(root, cb));
    return reply.child;
  };

  beforeAll(async () => {
    xvfb = await startXvfb('800x600x24');
    painter = await openPainter(xvfb.display);
    reader = await connectX11(xvfb.display);
    desktop = await openLinuxDesktop(xvfb.display);
    // An application window where the helper points.
    under = await painter.fill(100, 100, 400, 300, 0x2050a0);
  });

  afterAll(async () => {
    await desktop?.close();
    if (reader) await closeX11(reader);
    await painter?.close();
    await xvfb?.stop();
  });

  it('draws a red disc centred on the point, over the window, and hides it', async () => {
    await desktop.showLaser!({ x: 200, y: 150 });
    expect(await pixel(200, 150)).toBe(LASER_RGB);
    // Corners of its square are outside the disc: the window shows there.
    expect(await pixel(200 - LASER_DIAMETER / 2, 150 - LASER_DIAMETER / 2)).toBe(0x2050a0);
    expect(await pixel(200 + LASER_DIAMETER, 150)).toBe(0x2050a0);

    await desktop.showLaser!({ x: 300, y: 250 });
    expect(await pixel(300, 250)).toBe(LASER_RGB);
    expect(await pixel(200, 150)).toBe(0x2050a0); // moved, nothing left behind

    await desktop.showLaser!(null);
    expect(await pixel(300, 250)).toBe(0x2050a0);
  });

  it('stays above a window mapped after it, and takes no input', async () => {
    await desktop.showLaser!({ x: 250, y: 200 });
    const menu = await painter.fill(230, 180, 100, 100, 0x10a040); // a menu opened later
    await desktop.showLaser!({ x: 251, y: 200 }); // the next move raises it again
    expect(await pixel(251, 200)).toBe(LASER_RGB);
    await painter.destroy(menu);
    // The pointer right on the disc is in the application window, not in the overlay.
    await xtool(xvfb.display, 'xdotool', ['mousemove', '251', '200']);
    expect(await pointerChild()).toBe(under);
    await desktop.showLaser!(null);
  });
});

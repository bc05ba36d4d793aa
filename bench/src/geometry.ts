/**
 * Where things are on the benchmark's X screen. The probes in the viewer pages read the
 * same coordinates (passed to them as JSON), so every pipeline is measured at the same
 * pixels. Everything that changes during a workload lives left of `rightColumnX`; the
 * probe windows live in the right column and are never covered.
 */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Geometry {
  width: number;
  height: number;
  /** The 200×200 window that switches black/white (flips workload). */
  flip: Box;
  /** 8 cells under it showing the flip number (mod 256) in binary, white = 1. */
  seqCells: Box[];
  /** The 200×200 window that switches colour on ButtonPress (click-to-photon). */
  click: Box;
  /** Left area where the workloads draw and the pointer moves. */
  work: Box;
  /** The ffplay window (640×360). */
  video: Box;
  /** xterm geometry in character cells (default 6×13 `fixed` font). */
  terminal: { columns: number; rows: number };
}

export const CELL = 25;

export function geometryFor(width: number, height: number): Geometry {
  const x = width - 240;
  const seqCells = Array.from({ length: 8 }, (_, i) => ({ x: x + i * CELL, y: 250, width: CELL, height: CELL }));
  return {
    width,
    height,
    flip: { x, y: 40, width: 200, height: 200 },
    seqCells,
    click: { x, y: 300, width: 200, height: 200 },
    work: { x: 0, y: 0, width: width - 260, height },
    video: { x: 100, y: 150, width: 640, height: 360 },
    terminal: { columns: Math.floor((width - 270) / 6), rows: Math.floor((height - 10) / 13) },
  };
}

/** Centre of a box. */
export function centre(b: Box): { x: number; y: number } {
  return { x: b.x + Math.floor(b.width / 2), y: b.y + Math.floor(b.height / 2) };
}

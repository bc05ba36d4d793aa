/* global window, document, requestAnimationFrame */
/**
 * The noVNC viewer (noVNC's own RFB client, default settings, served from
 * node_modules/@novnc/novnc) connected through websockify. The bench hooks noVNC's
 * Display.flip (the copy of a finished FramebufferUpdate to the visible canvas) only to
 * know that the canvas changed; the probe then runs at the next animation frame, when
 * the browser paints it.
 */
import RFB from '/novnc/core/rfb.js';
import { createProbe, readConfig } from './probe.js';

const config = readConfig();
const { state, onPaint } = createProbe(config);
const screen = document.getElementById('screen');
screen.style.width = `${config.geometry.width}px`;
screen.style.height = `${config.geometry.height}px`;
state.extra.flips = 0;
state.extra.connectedAt = 0;

let rfb = null;
let rafPending = false;
let flipAt = 0;

function paint(t) {
  rafPending = false;
  onPaint(rfb._display._target, performance.now(), { raf: t, flipAt });
}

window.benchStats = async () => ({ flips: state.extra.flips });

window.benchConnect = () => {
  state.connectStart = performance.now();
  rfb = new RFB(screen, config.ws, { shared: true });
  rfb.scaleViewport = false;
  rfb.resizeSession = false;
  rfb.addEventListener('connect', () => (state.extra.connectedAt = performance.now()));
  const display = rfb._display;
  const flip = display.flip.bind(display);
  display.flip = (fromQueue) => {
    const real = fromQueue || display._renderQ.length === 0;
    flip(fromQueue);
    if (!real) return;
    state.extra.flips++;
    if (!rafPending) {
      rafPending = true;
      flipAt = performance.now();
      requestAnimationFrame(paint);
    }
  };
  window.benchDisconnect = () => rfb.disconnect();
};

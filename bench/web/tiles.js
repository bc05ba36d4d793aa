/* global window, document, requestAnimationFrame, MutationObserver, MediaStream */
/**
 * Viewer for the agent's damage tiles: the helper app's own TileReceiver and CanvasPainter
 * (packages/web/src/helper/tiles, bundled by the bench at /helper/tiles.js) answer the
 * agent's offer and paint each tile the moment it arrives (the page sends the app's hello when
 * the channel opens); the probe runs at the next animation frame. Input goes out through the
 * helper app's own ControlChannels: numbered, on `input` and a second copy on `input-fast`. Like the helper app, the page runs the path heartbeat (PathMonitor, on the
 * pre-negotiated `heartbeat` channel) and takes the agent's `control` channel (cursor, displays, control
 * state), so an idle session costs what a real one does. The video area of the hybrid path (the agent's
 * track) plays in a hidden <video> and the helper app's VideoAreaCompositor draws it onto the canvas; each
 * frame it draws is a paint for the probe.
 */
import {
  CanvasPainter,
  ControlChannels,
  PathMonitor,
  TileReceiver,
  VideoAreaCompositor,
  keepTileBacklog,
  takeTileBacklog,
} from '/helper/tiles.js';
import { answerAgent, createProbe, peerStats, readConfig } from './probe.js';

const config = readConfig();
const { state, onPaint } = createProbe(config);
const { width, height } = config.geometry;
const canvas = document.getElementById('screen');
canvas.width = width;
canvas.height = height;
const areaVideo = document.getElementById('area-video');
const compositor = new VideoAreaCompositor(canvas, () => areaVideo);
const painter = new CanvasPainter(canvas, compositor);
// A video frame drawn onto the canvas is new content, like a tile: the probe counts it at the next animation frame.
new MutationObserver(() => {
  if (rafPending) return;
  rafPending = true;
  arrivedAt = drawnAt = performance.now();
  requestAnimationFrame(paint);
}).observe(canvas, { attributes: true, attributeFilter: ['data-video-frames'] });

let pc = null;
let input = null;
let fast = null;
let link = null;
let linkFast = null;
let receiver = null;
let monitor = null;
const control = { messages: 0, cursor: 0 };
let rafPending = false;
let drawnAt = 0;
let arrivedAt = 0;

function paint() {
  rafPending = false;
  onPaint(canvas, performance.now(), { drawnAt, arrivedAt });
}

function onTiles(data, arrived) {
  const before = receiver.stats.tiles;
  receiver.handle(data);
  if (receiver.stats.tiles === before || rafPending) return;
  rafPending = true;
  arrivedAt = arrived;
  drawnAt = performance.now();
  requestAnimationFrame(paint);
}

function send(msg) {
  if (!input) return;
  // Like the helper app: a new link when the channels change, numbering kept per channel.
  if (!link || linkFast !== fast) {
    link = new ControlChannels(input, undefined, fast ?? undefined);
    linkFast = fast;
  }
  link.sendInput(msg);
}
const norm = (e) => ({ x: (e.clientX + 0.5) / width, y: (e.clientY + 0.5) / height });
canvas.addEventListener('mousemove', (e) => send({ type: 'pointerMove', ...norm(e) }));
canvas.addEventListener('mousedown', (e) => send({ type: 'pointerButton', button: 0, down: true, ...norm(e) }));
canvas.addEventListener('mouseup', (e) => send({ type: 'pointerButton', button: 0, down: false, ...norm(e) }));

window.benchStats = async () =>
  pc ? { ...(await peerStats(pc)), receiver: receiver ? { ...receiver.stats } : null, control: { ...control } } : null;

window.benchConnect = () => {
  pc = answerAgent(config, state, {
    onoffer: (peer) => {
      monitor ??= new PathMonitor(peer, () => undefined);
    },
    onclose: () => monitor?.close(),
    ontrack: (e) => {
      areaVideo.srcObject = e.streams[0] ?? new MediaStream([e.track]);
      areaVideo.play().catch(() => undefined);
    },
    ondatachannel: (e) => {
      if (e.channel.label === 'control') {
        e.channel.onmessage = (m) => {
          control.messages++;
          if (typeof m.data === 'string' && m.data.includes('"cursor"')) control.cursor++;
        };
      }
      if (e.channel.label === 'input') input = e.channel;
      if (e.channel.label === 'input-fast') fast = e.channel;
      if (e.channel.label === 'tiles') {
        const channel = e.channel;
        // As the helper app does: the viewer's hello once the channel opens (what it reads, so that
        // even the first picture is encoded for it), nothing kept since the receiver listens at once.
        keepTileBacklog(channel);
        takeTileBacklog(channel);
        receiver = new TileReceiver((data) => channel.readyState === 'open' && channel.send(data), painter);
        channel.onmessage = (m) => onTiles(m.data, performance.now());
      }
    },
  });
};

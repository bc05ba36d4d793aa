/* global window, document, requestAnimationFrame, RTCPeerConnection, ImageData */
/**
 * PROTOTYPE viewer for the agent's damage tiles (bench/src/tiles.ts): answer the agent's
 * offer, inflate each tile synchronously (noVNC's pako-based Inflate, one zlib stream per
 * tile), swap BGRX to RGBA, put it
 * on a canvas unless a newer version already covers that 64×64 block, and let the probe run
 * at the next animation frame. Input goes out on the `input` channel exactly like agent.js.
 */
import Inflate from '/novnc/core/inflator.js';
import { createProbe, readConfig } from './probe.js';

const config = readConfig();
const { state, onPaint } = createProbe(config);
const { width, height } = config.geometry;
const canvas = document.getElementById('screen');
canvas.width = width;
canvas.height = height;
const ctx = canvas.getContext('2d');
const BLOCK = 64;
const cols = Math.ceil(width / BLOCK);
const versions = new Uint32Array(cols * Math.ceil(height / BLOCK));
state.extra.tiles = 0;
state.extra.tileBytes = 0;
state.extra.stale = 0;
state.extra.inflateMs = 0;

let pc = null;
let input = null;
let rafPending = false;
let drawnAt = 0;
let arrivedAt = 0;
let tilesChannel = null;
let maxVersion = 0;

function paint() {
  rafPending = false;
  onPaint(canvas, performance.now(), { drawnAt, arrivedAt });
  // Acknowledge what is on screen: the agent keeps at most 2 versions in flight.
  if (tilesChannel && tilesChannel.readyState === 'open') {
    const ack = new DataView(new ArrayBuffer(4));
    ack.setUint32(0, maxVersion, true);
    tilesChannel.send(ack.buffer);
  }
}

const inflator = new Inflate();

function onTile(buffer, arrived) {
  const view = new DataView(buffer);
  const version = view.getUint32(0, true);
  const x = view.getUint16(4, true);
  const y = view.getUint16(6, true);
  const w = view.getUint16(8, true);
  const h = view.getUint16(10, true);
  const t0 = performance.now();
  inflator.reset();
  inflator.setInput(new Uint8Array(buffer, 16));
  const bytes = inflator.inflate(w * h * 4);
  const raw = new Uint32Array(bytes.length / 4);
  raw.set(new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4));
  for (let i = 0; i < raw.length; i++) {
    const p = raw[i];
    raw[i] = 0xff000000 | ((p & 0xff) << 16) | (p & 0xff00) | ((p >>> 16) & 0xff);
  }
  state.extra.inflateMs += performance.now() - t0;
  const image = new ImageData(new Uint8ClampedArray(raw.buffer), w, h);
  const bx0 = Math.floor(x / BLOCK);
  const bx1 = Math.floor((x + w - 1) / BLOCK);
  const by0 = Math.floor(y / BLOCK);
  const by1 = Math.floor((y + h - 1) / BLOCK);
  let whole = true;
  for (let by = by0; by <= by1; by++)
    for (let bx = bx0; bx <= bx1; bx++) if (versions[by * cols + bx] > version) whole = false;
  if (whole) ctx.putImageData(image, x, y);
  else {
    state.extra.stale++;
    for (let by = by0; by <= by1; by++)
      for (let bx = bx0; bx <= bx1; bx++) {
        if (versions[by * cols + bx] > version) continue;
        const cx = Math.max(x, bx * BLOCK);
        const cy = Math.max(y, by * BLOCK);
        const cw = Math.min(x + w, (bx + 1) * BLOCK) - cx;
        const ch = Math.min(y + h, (by + 1) * BLOCK) - cy;
        ctx.putImageData(image, x, y, cx - x, cy - y, cw, ch);
      }
  }
  for (let by = by0; by <= by1; by++)
    for (let bx = bx0; bx <= bx1; bx++) versions[by * cols + bx] = Math.max(versions[by * cols + bx], version);
  maxVersion = Math.max(maxVersion, version);
  state.extra.tiles++;
  state.extra.tileBytes += buffer.byteLength;
  if (!rafPending) {
    rafPending = true;
    arrivedAt = arrived;
    drawnAt = performance.now();
    requestAnimationFrame(paint);
  }
}

function send(msg) {
  if (input && input.readyState === 'open') input.send(JSON.stringify(msg));
}
const norm = (e) => ({ x: (e.clientX + 0.5) / width, y: (e.clientY + 0.5) / height });
canvas.addEventListener('mousemove', (e) => send({ type: 'pointerMove', ...norm(e) }));
canvas.addEventListener('mousedown', (e) => send({ type: 'pointerButton', button: 0, down: true, ...norm(e) }));
canvas.addEventListener('mouseup', (e) => send({ type: 'pointerButton', button: 0, down: false, ...norm(e) }));

window.benchStats = async () => {
  if (!pc) return null;
  const out = { pair: null, dataChannels: [], tiles: state.extra.tiles, stale: state.extra.stale };
  (await pc.getStats()).forEach((r) => {
    if (r.type === 'candidate-pair' && r.nominated) out.pair = r;
    if (r.type === 'data-channel') out.dataChannels.push(r);
  });
  return out;
};

window.benchConnect = () => {
  state.connectStart = performance.now();
  const ws = new WebSocket(config.ws);
  pc = new RTCPeerConnection();
  const signal = (payload) => ws.send(JSON.stringify({ type: 'signal', payload }));
  pc.onicecandidate = (e) =>
    signal({
      kind: 'ice',
      candidate: e.candidate
        ? { candidate: e.candidate.candidate, sdpMid: e.candidate.sdpMid, sdpMLineIndex: e.candidate.sdpMLineIndex }
        : null,
    });
  pc.ondatachannel = (e) => {
    if (e.channel.label === 'input') input = e.channel;
    if (e.channel.label === 'tiles') {
      tilesChannel = e.channel;
      e.channel.binaryType = 'arraybuffer';
      e.channel.onmessage = (m) => {
        try {
          onTile(m.data, performance.now());
        } catch (err) {
          console.log(`tile: ${err}`);
        }
      };
    }
  };
  pc.onconnectionstatechange = () => {
    if (pc.connectionState === 'connected') state.extra.connectedAt = performance.now();
  };
  ws.onmessage = async (m) => {
    const msg = JSON.parse(m.data);
    if (msg.type !== 'signal') return;
    const p = msg.payload;
    if (p.kind === 'sdp' && p.description.type === 'offer') {
      await pc.setRemoteDescription(p.description);
      await pc.setLocalDescription(await pc.createAnswer());
      signal({ kind: 'sdp', description: { type: 'answer', sdp: pc.localDescription.sdp } });
    } else if (p.kind === 'ice' && p.candidate) {
      await pc.addIceCandidate(p.candidate).catch(() => undefined);
    }
  };
  window.benchDisconnect = () => {
    pc.close();
    ws.close();
  };
};

/* global window, document, requestAnimationFrame, MediaStream, MediaStreamTrackProcessor */
/**
 * The helper side of the agent pipeline, like the helper app: answer the agent's offer,
 * show the track in a <video>, send input on the `input` data channel as the protocol's
 * InputMessage JSON. Signaling goes straight to the bench's relay in the agent process.
 * config.playout: 'default' (as the helper app does today) or 'zero'
 * (receiver.jitterBufferTarget = 0 and the older playoutDelayHint = 0).
 * config.render: 'video' (the <video> element) or 'canvas': the same track read with
 * MediaStreamTrackProcessor and each VideoFrame drawn on a canvas as soon as it is decoded,
 * bypassing the video element's render path (the probe then runs at the next animation frame).
 */
import { answerAgent, createProbe, peerStats, readConfig } from './probe.js';

const config = readConfig();
const { state, onPaint } = createProbe(config);
const video = document.getElementById('remote');
video.style.width = `${config.geometry.width}px`;
video.style.height = `${config.geometry.height}px`;

let input = null;
let pc = null;
state.extra.rvfc = 0;

function send(msg) {
  if (input && input.readyState === 'open') input.send(JSON.stringify(msg));
}
const norm = (e) => ({
  x: (e.clientX + 0.5) / config.geometry.width,
  y: (e.clientY + 0.5) / config.geometry.height,
});
function attachInput(el) {
  el.addEventListener('mousemove', (e) => send({ type: 'pointerMove', ...norm(e) }));
  el.addEventListener('mousedown', (e) => send({ type: 'pointerButton', button: 0, down: true, ...norm(e) }));
  el.addEventListener('mouseup', (e) => send({ type: 'pointerButton', button: 0, down: false, ...norm(e) }));
}
attachInput(video);

const canvas = document.createElement('canvas');
canvas.width = config.geometry.width;
canvas.height = config.geometry.height;
canvas.style.position = 'absolute';
canvas.style.left = '0';
canvas.style.top = '0';
let rafPending = false;
let drawnAt = 0;

async function canvasLoop(track) {
  video.style.display = 'none';
  document.body.appendChild(canvas);
  attachInput(canvas);
  const ctx = canvas.getContext('2d');
  const reader = new MediaStreamTrackProcessor({ track }).readable.getReader();
  for (;;) {
    const { value: frame, done } = await reader.read();
    if (done) return;
    ctx.drawImage(frame, 0, 0);
    frame.close();
    if (!rafPending) {
      rafPending = true;
      drawnAt = performance.now();
      requestAnimationFrame(() => {
        rafPending = false;
        onPaint(canvas, performance.now(), { drawnAt });
      });
    }
  }
}

function frameLoop() {
  video.requestVideoFrameCallback((now, meta) => {
    const t = performance.now();
    state.extra.rvfc++;
    onPaint(video, t, {
      now,
      receiveTime: meta.receiveTime,
      processingDuration: meta.processingDuration,
      expectedDisplayTime: meta.expectedDisplayTime,
      presentedFrames: meta.presentedFrames,
      rtpTimestamp: meta.rtpTimestamp,
    });
    frameLoop();
  });
}
if (config.render !== 'canvas') frameLoop();

window.benchStats = async () => (pc ? peerStats(pc) : null);

window.benchConnect = () => {
  pc = answerAgent(config, state, {
    ontrack: (e) => {
      if (config.playout === 'zero') {
        e.receiver.jitterBufferTarget = 0;
        e.receiver.playoutDelayHint = 0;
      }
      if (config.render === 'canvas') void canvasLoop(e.track);
      else video.srcObject = e.streams[0] ?? new MediaStream([e.track]);
    },
    ondatachannel: (e) => {
      if (e.channel.label === 'input') input = e.channel;
    },
    onclose: () => {
      video.srcObject = null;
    },
  });
};

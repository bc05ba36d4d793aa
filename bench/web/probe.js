/* global window, document, RTCPeerConnection */
/**
 * The measuring probe shared by every viewer page. At each paint of new content (a
 * requestVideoFrameCallback for the <video> viewers, a requestAnimationFrame after the
 * canvas changed for noVNC) it copies the right-hand column of the remote screen into a
 * small canvas and reads:
 *  - the flip window's centre (black/white) and the 8 sequence cells under it (the flip
 *    number mod 256, white = 1). A reading counts only when the window's colour agrees
 *    with the number's parity (a half-applied update is not a flip seen);
 *  - the click window's centre.
 * Times are `performance.now()` at the start of the callback; the orchestrator converts
 * them to epoch ms with `performance.timeOrigin` and a measured clock offset.
 */

const MAX_EVENTS = 200_000;

export function createProbe(config) {
  const g = config.geometry;
  const region = { x: g.flip.x, y: g.flip.y, width: g.flip.width, height: g.click.y + g.click.height - g.flip.y };
  const canvas = document.createElement('canvas');
  canvas.width = region.width;
  canvas.height = region.height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.imageSmoothingEnabled = false;
  const at = (b) => ({ x: b.x + Math.floor(b.width / 2) - region.x, y: b.y + Math.floor(b.height / 2) - region.y });
  const flipAt = at(g.flip);
  const cellsAt = g.seqCells.map(at);
  const clickAt = at(g.click);

  const state = {
    timeOrigin: performance.timeOrigin,
    connectStart: 0,
    firstPaint: 0,
    paints: 0,
    /** paints with new content, time of each (bounded) */
    paintTimes: [],
    seqEvents: [],
    clickEvents: [],
    inputs: [],
    lastSeq: -1,
    lastClick: -1,
    probeMs: 0,
    extra: {},
  };
  window.bench = state;

  const white = (d, p) => {
    const i = (p.y * region.width + p.x) * 4;
    return d[i] + d[i + 1] + d[i + 2] > 384 ? 1 : 0;
  };

  /** Called at each paint of new content; `source` is the video element or the canvas. */
  function onPaint(source, t, meta) {
    state.paints++;
    if (!state.firstPaint) state.firstPaint = t;
    if (state.paintTimes.length < MAX_EVENTS) state.paintTimes.push(t);
    const p0 = performance.now();
    ctx.drawImage(source, region.x, region.y, region.width, region.height, 0, 0, region.width, region.height);
    const d = ctx.getImageData(0, 0, region.width, region.height).data;
    const colour = white(d, flipAt);
    let seq = 0;
    for (let i = 0; i < 8; i++) seq |= white(d, cellsAt[i]) << i;
    if (seq % 2 === colour && seq !== state.lastSeq) {
      state.lastSeq = seq;
      if (state.seqEvents.length < MAX_EVENTS) state.seqEvents.push({ t, seq, ...(meta ?? {}) });
    }
    const click = white(d, clickAt);
    if (click !== state.lastClick) {
      if (state.lastClick >= 0 && state.clickEvents.length < MAX_EVENTS) state.clickEvents.push({ t, colour: click });
      state.lastClick = click;
    }
    state.probeMs += performance.now() - p0;
  }

  // Input as the viewer code receives it (capture phase, before the viewer's own handlers).
  for (const type of ['mousemove', 'mousedown']) {
    window.addEventListener(
      type,
      (e) => {
        if (state.inputs.length < MAX_EVENTS)
          state.inputs.push({ t: performance.now(), type, x: Math.round(e.clientX), y: Math.round(e.clientY) });
      },
      { capture: true },
    );
  }
  return { state, onPaint };
}

/** Reads the bench configuration from the URL fragment. */
export function readConfig() {
  return JSON.parse(decodeURIComponent(window.location.hash.slice(1)));
}

/**
 * Answers the agent's offer over the bench's signaling relay (`config.ws`), as the helper app
 * does over the server WebSocket; `handlers.ontrack` / `handlers.ondatachannel` get the media.
 * Sets `window.benchDisconnect` (which also calls `handlers.onclose`). Returns the connection.
 */
export function answerAgent(config, state, handlers) {
  state.connectStart = performance.now();
  const ws = new WebSocket(config.ws);
  const pc = new RTCPeerConnection();
  const signal = (payload) => ws.send(JSON.stringify({ type: 'signal', payload }));
  pc.onicecandidate = (e) =>
    signal({
      kind: 'ice',
      candidate: e.candidate
        ? { candidate: e.candidate.candidate, sdpMid: e.candidate.sdpMid, sdpMLineIndex: e.candidate.sdpMLineIndex }
        : null,
    });
  pc.ontrack = handlers.ontrack ?? null;
  pc.ondatachannel = handlers.ondatachannel ?? null;
  pc.onconnectionstatechange = () => {
    console.log(`connection ${pc.connectionState}`);
    if (pc.connectionState === 'connected') state.extra.connectedAt = performance.now();
  };
  ws.onerror = () => console.log('websocket error');
  ws.onopen = () => console.log('websocket open');
  ws.onmessage = async (m) => {
    const msg = JSON.parse(m.data);
    if (msg.type !== 'signal') return;
    const p = msg.payload;
    if (p.kind === 'sdp' && p.description.type === 'offer') {
      await pc.setRemoteDescription(p.description);
      handlers.onoffer?.(pc);
      await pc.setLocalDescription(await pc.createAnswer());
      signal({ kind: 'sdp', description: { type: 'answer', sdp: pc.localDescription.sdp } });
    } else if (p.kind === 'ice' && p.candidate) {
      await pc.addIceCandidate(p.candidate).catch(() => undefined);
    }
  };
  window.benchDisconnect = () => {
    pc.close();
    ws.close();
    handlers.onclose?.();
  };
  return pc;
}

/** The `getStats()` records the bench reads: the nominated pair, the transport, data channels, video in. */
export async function peerStats(pc) {
  const out = { inbound: null, pair: null, transport: null, dataChannels: [] };
  (await pc.getStats()).forEach((r) => {
    if (r.type === 'inbound-rtp' && r.kind === 'video') out.inbound = r;
    if (r.type === 'candidate-pair' && r.nominated) out.pair = r;
    if (r.type === 'transport') out.transport = r;
    if (r.type === 'data-channel') out.dataChannels.push(r);
  });
  return out;
}

/**
 * The relay half of the ADR 0028 budget probe (see run.sh): reads the prototype's length-prefixed
 * messages from a pipe and sends each on an unordered wrtc data channel to a peer in a child process,
 * as the agent's TileSender would; prints this process's CPU (all its threads) over the capture.
 */
import { fork, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(new URL('../../packages/agent/package.json', import.meta.url));
const wrtc = require('@roamhq/wrtc');
const seconds = Number(process.argv[2] ?? 10);

if (process.argv[3] === 'receiver') {
  const pc = new wrtc.RTCPeerConnection();
  let got = 0;
  pc.ondatachannel = (e) => {
    e.channel.onmessage = () => got++;
  };
  pc.onicecandidate = (e) => e.candidate && process.send({ candidate: e.candidate.toJSON() });
  process.on('message', async (m) => {
    if (m.offer) {
      await pc.setRemoteDescription(m.offer);
      await pc.setLocalDescription(await pc.createAnswer());
      process.send({ answer: pc.localDescription.toJSON() });
    }
    if (m.candidate) await pc.addIceCandidate(m.candidate);
    if (m.done) {
      process.send({ got });
      setTimeout(() => process.exit(0), 100);
    }
  });
} else {
  const receiver = fork(fileURLToPath(import.meta.url), [String(seconds), 'receiver']);
  const pc = new wrtc.RTCPeerConnection();
  const channel = pc.createDataChannel('tiles', { ordered: false, maxRetransmits: 0 });
  pc.onicecandidate = (e) => e.candidate && receiver.send({ candidate: e.candidate.toJSON() });
  receiver.on('message', async (m) => {
    if (m.answer) await pc.setRemoteDescription(m.answer);
    if (m.candidate) await pc.addIceCandidate(m.candidate);
    if (m.got !== undefined) {
      console.log(`receiver got ${m.got} messages`);
      process.exit(0);
    }
  });
  await pc.setLocalDescription(await pc.createOffer());
  receiver.send({ offer: pc.localDescription.toJSON() });
  await new Promise((resolve) => (channel.onopen = resolve));
  const capture = spawn(process.env.CAPENC ?? './capenc', [String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let pending = Buffer.alloc(0);
  let sent = 0;
  let cpu0 = null;
  let t0 = 0;
  capture.stdout.on('data', (data) => {
    if (!cpu0) {
      cpu0 = process.cpuUsage();
      t0 = performance.now();
    }
    pending = pending.length ? Buffer.concat([pending, data]) : data;
    while (pending.length >= 4) {
      const length = pending.readUInt32LE(0);
      if (pending.length < 4 + length) break;
      channel.send(pending.subarray(4, 4 + length));
      sent++;
      pending = pending.subarray(4 + length);
    }
  });
  capture.on('exit', () => {
    const cpu = process.cpuUsage(cpu0 ?? undefined);
    const wall = (performance.now() - t0) / 1000;
    const percent = (100 * (cpu.user + cpu.system)) / 1e6 / wall;
    console.log(`relay: ${sent} messages in ${wall.toFixed(1)} s, node process CPU ${percent.toFixed(2)} % of a core`);
    receiver.send({ done: true });
  });
}

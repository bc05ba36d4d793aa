/**
 * Diagnostics for support and for the network journeys: `REMOTE_HELP_TRACE=net` writes each
 * network event (signaling status, socket moves, signals sent, dropped or received, path
 * verdicts, ICE restarts) to stderr with a millisecond wall-clock stamp, so an agent's
 * side of a reconnect can be laid next to the helper's. Off by default: nothing is
 * formatted unless the topic is on. Never traces payload contents (SDP, candidates' full
 * text, chat): only kinds and addresses. `tiles` adds the tile sender's and the capture's
 * counters once a second, and each whole picture's encode time and size.
 * `REMOTE_HELP_TRACE_FILE` sends the lines to that file instead.
 */
import { appendFileSync } from 'node:fs';

export type TraceTopic = 'net' | 'tiles';

const topics = new Set(
  (process.env['REMOTE_HELP_TRACE'] ?? '')
    .split(',')
    .map((topic) => topic.trim())
    .filter(Boolean),
);

const file = process.env['REMOTE_HELP_TRACE_FILE'] || undefined;

/** Whether `topic` is traced in this process. */
export function tracing(topic: TraceTopic): boolean {
  return topics.has(topic);
}

/** One trace line (`[trace net 12:00:01.234] …`); `message` is only called when the topic is on. */
export function trace(topic: TraceTopic, message: () => string): void {
  if (!topics.has(topic)) return;
  const stamp = new Date().toISOString().slice(11, 23);
  const line = `[trace ${topic} ${stamp} ${Date.now()}] ${message()}\n`;
  if (file) appendFileSync(file, line);
  else process.stderr.write(line);
}

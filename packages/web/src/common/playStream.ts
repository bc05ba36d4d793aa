/**
 * @module playStream
 * Plays a remote `MediaStream` (or nothing) in a muted `<video>`. React sets `muted` as a
 * property only; the attribute is what lets a video play without a user gesture, so both
 * are set.
 */
export function playStream(element: HTMLVideoElement, stream: MediaStream | null): void {
  element.muted = true;
  element.setAttribute('muted', '');
  element.srcObject = stream;
  if (stream) element.play().catch(() => undefined);
}

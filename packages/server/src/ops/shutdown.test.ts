import { afterEach, expect, it, vi } from 'vitest';
import { REPEATED_SIGNAL_MS, shutdownOnce, type ShutdownTarget } from './shutdown.js';

afterEach(() => vi.useRealTimers());

/** A target whose close waits until the test lets it finish. */
function target() {
  let finish: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (finish = resolve));
  const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const t = {
    app: { server: { closeAllConnections: vi.fn() }, log },
    readiness: { drain: vi.fn() },
    close: vi.fn(() => closed),
  } as unknown as ShutdownTarget;
  return { t, finish, log };
}

it('takes a signal repeated within a second for the same one, and a later one as an operator insisting', async () => {
  vi.useFakeTimers();
  const { t, finish } = target();
  const exit = vi.fn();
  const stop = shutdownOnce(t, 10_000, exit, true);
  stop('SIGTERM');
  stop('SIGTERM'); // GNU timeout: the child, then its process group
  vi.advanceTimersByTime(REPEATED_SIGNAL_MS - 1);
  stop('SIGTERM');
  expect(exit).not.toHaveBeenCalled();
  expect(t.close).toHaveBeenCalledTimes(1);
  vi.advanceTimersByTime(1);
  stop('SIGINT');
  expect(exit).toHaveBeenCalledWith(1);
  finish();
});

it('a worker (secondExits false) drains to the end whatever comes after the first request', async () => {
  vi.useFakeTimers();
  const { t, finish } = target();
  const exit = vi.fn();
  const stop = shutdownOnce(t, 10_000, exit, false);
  stop('told by the primary');
  vi.advanceTimersByTime(5000);
  stop('SIGTERM');
  expect(exit).not.toHaveBeenCalled();
  finish();
  await vi.advanceTimersByTimeAsync(0);
  expect(exit.mock.calls).toEqual([[0]]);
});

/**
 * `releaseMessageFragments`: a completed message's frame array is emptied, so the payload is
 * not kept reachable from an array the next message will find in the old generation. Checked
 * on `ws`'s own Receiver with real frames. What it does to the heap is measured, not asserted
 * (old-space statistics in a test runner move by more than the effect): `npm run bench:load`,
 * and docs/bench.md.
 */
import * as ws from 'ws';
import { beforeAll, describe, expect, it } from 'vitest';
import { releaseMessageFragments } from './releaseFragments.js';

interface TestReceiver {
  _fragments: unknown[];
  _binaryType: string;
  write(chunk: Buffer, encoding: string, cb: (error?: Error | null) => void): void;
  on(event: 'message', listener: (data: unknown, isBinary: boolean) => void): void;
}
const Receiver = (ws as unknown as { Receiver: new (o: object) => TestReceiver }).Receiver;

/** An unmasked frame (a client-side receiver takes those): FIN + opcode, then the payload. */
function frame(opcode: number, payload: string, fin = true): Buffer {
  const body = Buffer.from(payload);
  if (body.length > 125) throw new Error('short frames only');
  return Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | opcode, body.length]), body]);
}

function feed(r: TestReceiver, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => r.write(chunk, 'buffer', (e) => (e ? reject(e) : resolve())));
}

function receiver(binaryType = 'nodebuffer') {
  const r = new Receiver({ binaryType, isServer: false, maxPayload: 1 << 20 });
  const got: { data: unknown; isBinary: boolean }[] = [];
  r.on('message', (data, isBinary) => got.push({ data, isBinary }));
  return { r, got };
}

beforeAll(() => {
  expect(releaseMessageFragments()).toBe(true);
  expect(releaseMessageFragments(), 'a second install is a no-op').toBe(true);
});

describe('releaseMessageFragments', () => {
  it('empties the array a completed text or binary message was collected in, the data intact', async () => {
    const { r, got } = receiver();
    const first = r._fragments;
    await feed(r, frame(0x1, '{"type":"ping"}'));
    expect(String(got[0]!.data)).toBe('{"type":"ping"}');
    expect(first, 'the finished message’s array').toHaveLength(0);
    expect(r._fragments, 'the same array is used again').toBe(first);
    await feed(r, frame(0x2, 'binary'));
    expect(got[1]).toMatchObject({ isBinary: true });
    expect(String(got[1]!.data)).toBe('binary');
    expect(String(got[0]!.data), 'the first message is untouched').toBe('{"type":"ping"}');
    expect(r._fragments).toBe(first);
    expect(first).toHaveLength(0);
  });

  it('keeps a fragmented message whole until its last frame', async () => {
    const { r, got } = receiver();
    const array = r._fragments;
    await feed(r, Buffer.concat([frame(0x1, 'hello, ', false), frame(0x0, 'wor', false)]));
    expect(got).toHaveLength(0);
    expect(array, 'frames so far, kept').toHaveLength(2);
    await feed(r, frame(0x0, 'ld'));
    expect(got.map((g) => String(g.data))).toEqual(['hello, world']);
    expect(array).toHaveLength(0);
  });

  it("leaves binaryType 'fragments' alone: its message is the array", async () => {
    const { r, got } = receiver('fragments');
    await feed(r, Buffer.concat([frame(0x2, 'ab', false), frame(0x0, 'cd')]));
    const parts = got[0]!.data as Buffer[];
    expect(r._fragments).not.toBe(parts);
    await feed(r, frame(0x2, 'ef'));
    expect(parts.map(String)).toEqual(['ab', 'cd']);
    expect((got[1]!.data as Buffer[]).map(String)).toEqual(['ef']);
  });
});

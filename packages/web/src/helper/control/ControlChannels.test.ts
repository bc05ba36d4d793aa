import { describe, expect, it } from 'vitest';
import { CURSOR_IMAGE_CACHE, PACKED_INPUT_PROTOCOL, unpackPointerMove } from '@remote-help/protocol';
import { ControlChannels } from './ControlChannels';
import type { DataChannelLike } from './ControlChannels';

/** The base64 of a PNG's signature and header chunk, saying `width × height`: what the helper reads of it. */
function png(width: number, height: number): string {
  const bytes = new Uint8Array([
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 0, 0, 0, 0, 0,
  ]);
  const view = new DataView(bytes.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  return `${btoa(String.fromCharCode(...bytes))}AAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==`;
}

/** A data channel that records what is sent and lets the test play the agent. */
class FakeChannel extends EventTarget implements DataChannelLike {
  readyState: RTCDataChannelState = 'connecting';
  bufferedAmount = 0;
  readonly sent: unknown[] = [];
  /** Bytes on the wire, message by message. */
  readonly sizes: number[] = [];
  constructor(readonly protocol = '') {
    super();
  }
  send(data: string | Uint8Array<ArrayBuffer>): void {
    this.sizes.push(typeof data === 'string' ? new TextEncoder().encode(data).byteLength : data.byteLength);
    // A packed move is recorded as the agent reads it (the same unpacking).
    this.sent.push(typeof data === 'string' ? JSON.parse(data) : { packed: unpackPointerMove(data) });
  }
  open(): void {
    this.readyState = 'open';
    this.dispatchEvent(new Event('open'));
  }
  shut(): void {
    this.readyState = 'closed';
    this.dispatchEvent(new Event('close'));
  }
  receive(data: unknown): void {
    this.dispatchEvent(
      Object.assign(new Event('message'), { data: typeof data === 'string' ? data : JSON.stringify(data) }),
    );
  }
}

const displays = [
  { id: ':0.0', name: 'Left', width: 1920, height: 1080, primary: true },
  { id: ':0.1', name: 'Right', width: 2560, height: 1440, primary: false },
];

function setup() {
  const input = new FakeChannel();
  const control = new FakeChannel();
  const link = new ControlChannels(input, control);
  const changes: unknown[] = [];
  const cursors: unknown[] = [];
  link.on('change', (snapshot) => changes.push(snapshot));
  link.on('cursor', (position) => cursors.push(position));
  return { input, control, link, changes, cursors };
}

describe('ControlChannels', () => {
  it('sends nothing before the channels open', () => {
    const { input, link } = setup();
    expect(link.sendInput({ type: 'releaseAll' })).toBe(false);
    expect(input.sent).toEqual([]);
    expect(link.snapshot).toMatchObject({ inputOpen: false, controlOpen: false, injecting: null });
  });

  it('numbers input and sends a second copy on input-fast when the agent opened it', () => {
    const input = new FakeChannel();
    const fast = new FakeChannel();
    input.open();
    const link = new ControlChannels(input, undefined, fast);
    expect(link.sendInput({ type: 'pointerMove', x: 0.1, y: 0.2 })).toBe(true); // fast not open yet
    fast.open();
    expect(link.sendInput({ type: 'pointerButton', button: 0, down: true })).toBe(true);
    expect(input.sent).toEqual([
      { type: 'pointerMove', x: 0.1, y: 0.2, seq: 1 },
      { type: 'pointerButton', button: 0, down: true, seq: 2 },
    ]);
    expect(fast.sent).toEqual([{ type: 'pointerButton', button: 0, down: true, seq: 2 }]);
    // A new link over the same channels goes on numbering: the agent would drop a repeated number.
    const again = new ControlChannels(input, undefined, fast);
    again.sendInput({ type: 'releaseAll' });
    expect(input.sent.at(-1)).toEqual({ type: 'releaseAll', seq: 3 });
    // An invalid message is neither sent nor numbered.
    expect(again.sendInput({ type: 'pointerMove', x: Number.NaN, y: 0 })).toBe(false);
    again.sendInput({ type: 'releaseAll' });
    expect(input.sent.at(-1)).toEqual({ type: 'releaseAll', seq: 4 });
    expect(fast.sent).toHaveLength(3);
  });

  it('packs pointer moves in 13 bytes on both channels when the agent’s channel says it reads them', () => {
    const input = new FakeChannel(PACKED_INPUT_PROTOCOL);
    const fast = new FakeChannel(PACKED_INPUT_PROTOCOL);
    input.open();
    fast.open();
    const link = new ControlChannels(input, undefined, fast);
    link.sendInput({ type: 'pointerMove', x: 0.25, y: 0.75 });
    link.sendInput({ type: 'pointerButton', button: 2, down: true, x: 0.25, y: 0.75 });
    link.sendInput({ type: 'pointerMove', x: 1 / 3, y: -0.5 });
    for (const channel of [input, fast]) {
      expect(channel.sent).toEqual([
        { packed: { type: 'pointerMove', x: 0.25, y: 0.75, seq: 1 } },
        { type: 'pointerButton', button: 2, down: true, x: 0.25, y: 0.75, seq: 2 },
        { packed: { type: 'pointerMove', x: expect.closeTo(1 / 3, 7) as number, y: -0.5, seq: 3 } },
      ]);
      expect(channel.sizes[0]).toBe(13);
      expect(channel.sizes[2]).toBe(13);
    }
    // Still checked before it goes: an invalid move is neither packed nor numbered.
    expect(link.sendInput({ type: 'pointerMove', x: 5, y: 0 })).toBe(false);
    expect(input.sent).toHaveLength(3);
    // An agent that did not say so gets JSON (an older agent reads nothing else).
    const plain = new FakeChannel();
    plain.open();
    new ControlChannels(plain, undefined).sendInput({ type: 'pointerMove', x: 0.25, y: 0.75 });
    expect(plain.sent).toEqual([{ type: 'pointerMove', x: 0.25, y: 0.75 }]);
    expect(plain.sizes).toEqual([40]);
  });

  it('follows open and close and sends valid messages', () => {
    const { input, control, link } = setup();
    input.open();
    control.open();
    expect(link.snapshot).toMatchObject({ inputOpen: true, controlOpen: true });
    expect(link.sendInput({ type: 'wheel', dx: 0, dy: 3 })).toBe(true);
    expect(input.sent).toEqual([{ type: 'wheel', dx: 0, dy: 3, mode: 'pixel' }]);
    expect(link.sendControl({ type: 'laser', x: 0.5, y: 0.25 })).toBe(true);
    // After the request for named cursor images the channel's opening makes.
    expect(control.sent).toEqual([{ type: 'cursorCache' }, { type: 'laser', x: 0.5, y: 0.25 }]);
    input.shut();
    expect(link.snapshot.inputOpen).toBe(false);
    expect(link.sendInput({ type: 'releaseAll' })).toBe(false);
  });

  it('drops and counts messages that break the protocol', () => {
    const { input, control, link } = setup();
    input.open();
    control.open();
    expect(link.sendInput({ type: 'pointerMove', x: Number.NaN, y: 0 })).toBe(false);
    expect(
      link.sendInput({
        type: 'key',
        code: 'Key A',
        down: true,
        modifiers: { shift: false, ctrl: false, alt: false, meta: false },
      }),
    ).toBe(false);
    expect(link.sendControl({ type: 'laser', x: 1.5, y: 0 })).toBe(false);
    expect(input.sent).toEqual([]);
    expect(control.sent).toEqual([{ type: 'cursorCache' }]);
    expect(link.snapshot.dropped).toBe(3);
  });

  it('holds pointer moves back while the channel is congested, never clicks', () => {
    const { input, link } = setup();
    input.open();
    input.bufferedAmount = 1024 * 1024;
    expect(link.sendInput({ type: 'pointerMove', x: 0.5, y: 0.5 })).toBe(false);
    expect(link.sendInput({ type: 'pointerButton', button: 0, down: true })).toBe(true);
    expect(link.snapshot.dropped).toBe(0);
  });

  it('reads displays, cursor and control state from the agent and ignores anything else', () => {
    const { control, link, cursors } = setup();
    control.open();
    control.receive({ type: 'displays', displays, current: ':0.1' });
    control.receive({ type: 'controlState', active: true });
    control.receive({ type: 'cursor', x: 0.25, y: 0.75 });
    control.receive({ type: 'cursor', x: 2, y: 0 });
    control.receive({ type: 'selectDisplay', id: 'x' });
    control.receive('not json');
    control.receive('x'.repeat(100_000));
    expect(link.snapshot).toMatchObject({ displays, currentDisplay: ':0.1', injecting: true });
    expect(link.cursor).toEqual({ x: 0.25, y: 0.75 });
    expect(cursors).toEqual([{ x: 0.25, y: 0.75 }]);
    control.receive({ type: 'displays', displays, current: ':0.0' });
    expect(link.cursor).toBeNull(); // unknown on the new display until the agent says
    control.shut();
    expect(link.snapshot).toMatchObject({ controlOpen: false, displays: [], currentDisplay: null, injecting: null });
  });

  it('keeps the pointer’s image the agent sends, ignores an invalid one, and forgets it when the channel closes', () => {
    const { control, link } = setup();
    const shapes: unknown[] = [];
    link.on('cursorShape', (image) => shapes.push(image));
    control.open();
    const caret = { width: 9, height: 16, hotX: 4, hotY: 8, png: png(9, 16) };
    control.receive({ type: 'cursorShape', image: caret });
    control.receive({ type: 'cursorShape', image: { ...caret, hotX: 9 } }); // hot spot outside: ignored
    control.receive({ type: 'cursorShape', image: { ...caret, png: 'PHN2Zz4=' } }); // not a PNG: ignored
    expect(link.cursorShape).toEqual(caret);
    control.receive({ type: 'cursorShape', image: null });
    expect(link.cursorShape).toBeNull();
    control.receive({ type: 'cursorShape', image: caret });
    control.shut();
    expect(link.cursorShape).toBeNull();
    expect(shapes).toEqual([caret, null, caret, null]);
  });

  it('asks the agent to name its cursor images, keeps them by id and shows the image a reference names', () => {
    const { control, link } = setup();
    const shapes: unknown[] = [];
    link.on('cursorShape', (image) => shapes.push(image));
    const asked = () => control.sent.filter((m) => (m as { type: string }).type === 'cursorCache').length;
    control.open();
    expect(control.sent).toEqual([{ type: 'cursorCache' }]);
    const caret = { width: 9, height: 16, hotX: 4, hotY: 8, png: png(9, 16) };
    const hand = { ...caret, width: 12, png: png(12, 16) };
    control.receive({ type: 'cursorShape', image: caret, id: 1 });
    control.receive({ type: 'cursorShape', image: hand, id: 2 });
    control.receive({ type: 'cursorShapeRef', id: 1 });
    expect(link.cursorShape).toEqual(caret);
    control.receive({ type: 'cursorShapeRef', id: 2 });
    expect(shapes).toEqual([caret, hand, caret, hand]);
    // A reference to an image that is not here: the arrow meanwhile, and the agent is asked to start again
    // (once: a second unknown reference right after is part of the same reset).
    control.receive({ type: 'cursorShapeRef', id: 99 });
    expect(link.cursorShape).toBeNull();
    control.receive({ type: 'cursorShapeRef', id: 98 });
    expect(asked()).toBe(2);
    // Started again: nothing named before is kept.
    control.receive({ type: 'cursorShapeRef', id: 1 });
    expect(link.cursorShape).toBeNull();
    control.receive({ type: 'cursorShape', image: hand, id: 2 });
    control.receive({ type: 'cursorShapeRef', id: 2 });
    expect(link.cursorShape).toEqual(hand);
  });

  it('keeps twice the images the agent may name, dropping the oldest', () => {
    const { control, link } = setup();
    control.open();
    const image = (width: number) => ({ width, height: 16, hotX: 0, hotY: 0, png: png(width, 16) });
    for (let id = 1; id <= CURSOR_IMAGE_CACHE * 2 + 1; id++) {
      control.receive({ type: 'cursorShape', image: image((id % 100) + 1), id });
    }
    control.receive({ type: 'cursorShapeRef', id: 2 }); // the oldest kept
    expect(link.cursorShape).toEqual(image(3));
    control.receive({ type: 'cursorShapeRef', id: 1 }); // dropped
    expect(link.cursorShape).toBeNull();
  });

  it('ignores an image whose PNG is larger than it says, however small its text (it is decoded at its own size)', () => {
    const { control, link } = setup();
    control.open();
    const caret = { width: 9, height: 16, hotX: 4, hotY: 8, png: png(9, 16) };
    control.receive({ type: 'cursorShape', image: caret, id: 1 });
    control.receive({
      type: 'cursorShape',
      image: { ...caret, width: 128, height: 128, png: png(16_384, 5600) },
      id: 2,
    });
    control.receive({ type: 'cursorShape', image: { ...caret, png: png(10, 16) }, id: 3 });
    expect(link.cursorShape).toEqual(caret);
    // Not kept either: a reference to it finds nothing.
    control.receive({ type: 'cursorShapeRef', id: 2 });
    expect(link.cursorShape).toBeNull();
  });

  it('stops listening when closed', () => {
    const { control, link, changes } = setup();
    link.close();
    control.open();
    control.receive({ type: 'controlState', active: true });
    expect(changes).toEqual([]);
  });

  it('works with channels that are already open, or missing', () => {
    const input = new FakeChannel();
    input.readyState = 'open';
    const link = new ControlChannels(input, undefined);
    expect(link.snapshot).toMatchObject({ inputOpen: true, controlOpen: false });
    expect(link.sendControl({ type: 'laserOff' })).toBe(false);
  });
});

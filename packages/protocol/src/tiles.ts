/**
 * @module tiles
 * The agent's screen pixels as damage tiles on the `tiles` data channel (unordered,
 * no retransmission), the way VNC's Tight/ZRLE encodings carry them, and the viewer's
 * acknowledgements back. Binary, little-endian; every parser checks every length and
 * bound and throws `ProtocolError('validation_failed')` rather than read past the data.
 *
 * The screen is cut along a fixed grid of {@link TILE_SIZE} × {@link TILE_SIZE} cells. A tile
 * is the changed part of one cell (any rectangle inside it, the whole cell at most), or a
 * `solid` rectangle of any size (a filled window, a selection, a button), and the viewer
 * keeps one version per cell: the frame that last painted it. A *frame* is one
 * batch of tiles, split into *parts* (messages of at most {@link MAX_MESSAGE_BYTES}), each
 * message numbered in sending order (`seq`); the viewer acknowledges every message it has
 * painted. A lost message is never retransmitted as such: the agent sends the current
 * pixels of its tiles again in a later frame. A tile older than its cell's version is not
 * painted and its message is not acknowledged, so the agent resends it too: nothing older
 * ever covers something newer.
 *
 * Agent → viewer, a *tile message*:
 *   u8 kind = 1, u8 flags, u16 tile count, u32 seq, u32 frame, u16 part, u16 parts, u16 screen width,
 *   u16 screen height,
 *   then per tile: u16 x, y, w, h, u8 encoding, u16 payload length, payload.
 * With flag {@link TILE_FLAG_DEFLATED} the tile records after the header are one raw deflate
 * stream (at most {@link MAX_INFLATED_MESSAGE_BYTES} once inflated), and the `palette` and `raw`
 * bodies inside it are stored, not deflated each: one stream per message finds what tiles share
 * (the glyphs of a terminal's rows), which a stream per tile cannot, and costs one call instead
 * of one per tile. The agent sends such messages only to a viewer whose acks carry
 * {@link ACK_FLAG_READS_DEFLATED}, so older viewers keep getting the plain form.
 * A viewer refuses (as malformed) a tile message longer than {@link MAX_MESSAGE_BYTES}, and one
 * whose tiles together cover more than {@link MAX_MESSAGE_SCREENS} screens' worth of grid cells
 * beyond one cell per tile (a `copy` counts its source too): a tile costs the viewer a look at
 * every cell it covers, and without this bound one message of a few hundred bytes could name
 * thousands of full-screen fills. A deflate stream (a message's records, a tile's body) is
 * inflated into a buffer of exactly its bound and given up at the first byte that would pass it
 * (see `inflateBounded`), so a stream that would inflate to far more costs no more than one that
 * fills it.
 * A tile message with no tiles is a *probe*: it paints nothing and is acknowledged like any
 * other. The agent sends one after a frame's last message when that message is too long to
 * send twice and its loss would cost much: if a packet of the message is lost, the probe behind it
 * still arrives, its ack says the message did not, and the agent sends that area again a round
 * trip later instead of waiting for its retransmission timeout. A probe carries the number and
 * part count of the frame it follows, and the part of that frame's last message.
 * A *parity* message (u8 kind = 4, u8 flags = 0, u16 count k, u32 first seq, k × u16 length, then
 * the k messages numbered first … first + k − 1, each padded with zeros to the longest, XORed
 * together) lets the viewer rebuild one lost message of those k without a round trip: the XOR of
 * the parity with the k − 1 that arrived, cut to the lost one's length (for k = 1, a copy). The agent sends one behind
 * the messages of a whole picture (the first, a refresh) to a viewer whose acks carry
 * {@link ACK_FLAG_READS_PARITY}; a viewer that does not read them drops them as malformed.
 * A *screen* message (u8 kind = 5, u8 flags = 0, u16 0, u16 screen width, u16 screen height) tells a
 * viewer whose acks carry {@link ACK_FLAG_READS_SCREEN} the size of the picture to come, before
 * any tile: the agent sends one in answer to the viewer's first ack (its hello) when nothing was
 * sent yet, which under ADR 0023 is while the sharer reads the request. It carries no pixels; the
 * viewer sizes its surface then (a fresh canvas's memory is allocated at its first drawing, 11–21
 * ms for 1280×720 on a 2-core machine) instead of inside the first picture's message. It is not
 * numbered nor acknowledged; a lost or late one changes nothing (the first tile message sizes the
 * picture, as without it).
 * Viewer → agent: *ack* (u8 kind = 2, u8 flags, 2 × u8 0, u32 highest seq painted, u32 mask: bit i
 * set = message highest − 1 − i painted too) and *refresh* (u8 kind = 3, 3 × u8 0: send every cell
 * again). An ack of message 0 with an empty mask acknowledges nothing (numbers start at 1): the
 * viewer sends one when the channel opens, so that its flags reach the agent before the first
 * picture.
 *
 * Encodings (pixels are RGB; the capture's fourth byte is padding and never sent):
 * - `solid`: 3 bytes, one colour for the whole tile (may span cells);
 * - `copy`: u16 source x, u16 source y, u32 `after`: the rectangle of the same size at that
 *   place on the viewer's own picture, copied here (a scroll; may span cells). The agent
 *   sends a copy alone in its frame; the viewer applies it only once it has painted every
 *   message numbered from `after` up to the copy's own (those the agent's picture of the
 *   source counted on), and refuses it (no ack) if a newer frame already painted its
 *   source or target;
 * - `palette`: u8 n − 1 (2 ≤ n ≤ 16), n × 3 bytes of colours, then raw deflate of the indexes,
 *   1, 2 or 4 bits each (by n), each row starting on a byte boundary (the indexes themselves in
 *   a deflated message);
 * - `raw`: raw deflate of the tile's RGB bytes, row by row (the bytes themselves in a deflated
 *   message);
 * - `video`: no payload. A rectangle on the grid (x and y on cell edges; width and height
 *   whole cells, or up to the screen's edge) that the connection's video track shows from
 *   this frame on: the track's frames are exactly this rectangle of the screen (the agent's
 *   *video area*, where the screen changes like a video). Its cells show the video until a
 *   newer tile paints them; at most one area at a time, a newer `video` tile replaces it.
 *   When the motion stops the agent sends the area's exact pixels as ordinary tiles.
 */
import { ProtocolError } from './errors.js';
import { inflateRawAtMost } from './inflateBounded.js';

/** The data channel that carries the tiles (unordered, never retransmitted). */
export const TILES_CHANNEL = 'tiles';
/**
 * A data channel of padding the agent sends once, while the sharer reads the request (unordered,
 * never retransmitted; the helper reads nothing on it). It opens SCTP's congestion window before
 * the first picture needs it: a new association may send only about 12 KB per round trip, and
 * grows that only with data acknowledged. Helpers that do not know it leave it unread too.
 */
export const WARM_CHANNEL = 'warm';
/** Side of a grid cell, in pixels. */
export const TILE_SIZE = 64;
/** Largest tile message the agent sends: a lost packet costs at most this much. */
export const MAX_MESSAGE_BYTES = 16 * 1024;
/** Largest screen side the format carries. */
export const MAX_SCREEN_SIDE = 16_384;
/** The most colours a palette tile holds. */
export const MAX_PALETTE = 16;

export const TILE_MESSAGE = 1;
export const TILE_ACK = 2;
export const TILE_REFRESH = 3;
export const TILE_PARITY = 4;
export const TILE_SCREEN = 5;
/** Tile message flag: the records after the header are one raw deflate stream, bodies stored. */
export const TILE_FLAG_DEFLATED = 1;
/** Ack flag: this viewer reads messages with {@link TILE_FLAG_DEFLATED}. */
export const ACK_FLAG_READS_DEFLATED = 1;
/** Ack flag: this viewer rebuilds a lost message from a parity message ({@link TILE_PARITY}). */
export const ACK_FLAG_READS_PARITY = 2;
/** Ack flag: this viewer sizes its picture from a screen message ({@link TILE_SCREEN}). */
export const ACK_FLAG_READS_SCREEN = 4;
/** The most messages one parity message covers. */
export const MAX_PARITY_GROUP = 16;
/** The most a deflated message's records may inflate to (a decompression bomb stops here). */
export const MAX_INFLATED_MESSAGE_BYTES = 64 * 1024;
/**
 * The grid cells a tile message's tiles may cover beyond one cell each, in screens' worth of cells
 * (a `copy` counts its source's cells too). The agent's messages stay far below it: a grid tile
 * lies in one cell (nothing beyond it), a `video` area is at most the screen, a `copy` goes alone
 * in its frame (at most two screens with its source), and solid fills are the frame's changed
 * rectangles that are one colour, each showing at least one pixel no later fill of the frame
 * covers: they overlap only where one-colour panels are drawn over each other in one frame (a
 * dialog over a window: about two screens together), and the agent sends the layers past six
 * screens of cells as grid tiles instead. So a message costs the viewer at most this many screens
 * of cells beyond its tile count, and no honest one is refused.
 */
export const MAX_MESSAGE_SCREENS = 8;

export const ENCODINGS = ['solid', 'palette', 'raw', 'copy', 'video'] as const;
/** How one tile's pixels are packed. */
export type TileEncoding = (typeof ENCODINGS)[number];

/** Bytes of a tile message before its first tile. */
export const TILE_MESSAGE_HEADER = 20;
const TILE_HEADER = 11;

/** One tile as it travels: its rectangle in screen pixels, its encoding and its payload. */
export interface EncodedTile {
  x: number;
  y: number;
  width: number;
  height: number;
  encoding: TileEncoding;
  payload: Uint8Array;
  /** A `palette` or `raw` body that is not deflated (it travels inside a deflated message). */
  stored?: true;
}

/** One parsed tile message. Payloads are views into the message. */
export interface TileMessage {
  /** Message number, in sending order. */
  seq: number;
  frame: number;
  part: number;
  parts: number;
  screenWidth: number;
  screenHeight: number;
  tiles: EncodedTile[];
}

/** What a viewer says it reads, in the flags of its acks. */
export interface ViewerReads {
  /** Messages with {@link TILE_FLAG_DEFLATED}. */
  deflated?: boolean;
  /** Parity messages ({@link TILE_PARITY}). */
  parity?: boolean;
  /** Screen messages ({@link TILE_SCREEN}). */
  screen?: boolean;
}

/** A viewer → agent message. */
export type ViewerTileMessage =
  | { kind: 'ack'; seq: number; mask: number; readsDeflated: boolean; readsParity: boolean; readsScreen: boolean }
  | { kind: 'refresh' };

/** One parsed parity message: the messages it covers (`first` on, one length each) and their XOR. */
export interface ParityMessage {
  first: number;
  lengths: number[];
  /** The covered messages, each padded with zeros to the longest, XORed together. */
  xor: Uint8Array;
}

/** Bytes a tile takes in a message. */
export function tileWireSize(tile: EncodedTile): number {
  return TILE_HEADER + tile.payload.length;
}

/** Packs tiles into one message (callers keep the total within {@link MAX_MESSAGE_BYTES}). */
export function packTileMessage(
  head: Omit<TileMessage, 'tiles'>,
  tiles: readonly EncodedTile[],
): Uint8Array<ArrayBuffer> {
  if (tiles.some((t) => t.stored)) throw new Error('stored tile bodies travel only in a deflated message');
  const out = new Uint8Array(TILE_MESSAGE_HEADER + recordsSize(tiles));
  writeHead(out, head, tiles.length, 0);
  writeRecords(out, TILE_MESSAGE_HEADER, tiles);
  return out;
}

/**
 * The records of `tiles` deflated together, for {@link packDeflatedTileMessage}: `palette` and
 * `raw` tiles must carry stored bodies (`encodeTile(…, null)`), and the records come to at most
 * {@link MAX_INFLATED_MESSAGE_BYTES}.
 */
export function deflateTileRecords(tiles: readonly EncodedTile[], deflate: Deflate): Uint8Array {
  const size = recordsSize(tiles);
  if (size > MAX_INFLATED_MESSAGE_BYTES) throw new Error(`${size} bytes of tile records are too many for one message`);
  if (tiles.some((t) => (t.encoding === 'palette' || t.encoding === 'raw') && !t.stored)) {
    throw new Error('a deflated message carries stored tile bodies');
  }
  const records = new Uint8Array(size);
  writeRecords(records, 0, tiles);
  return deflate(records);
}

/**
 * A message (flag {@link TILE_FLAG_DEFLATED}) of `count` tiles whose records
 * {@link deflateTileRecords} deflated into `body`. The caller keeps it within
 * {@link MAX_MESSAGE_BYTES}.
 */
export function packDeflatedTileMessage(
  head: Omit<TileMessage, 'tiles'>,
  count: number,
  body: Uint8Array,
): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(TILE_MESSAGE_HEADER + body.length);
  writeHead(out, head, count, TILE_FLAG_DEFLATED);
  out.set(body, TILE_MESSAGE_HEADER);
  return out;
}

function recordsSize(tiles: readonly EncodedTile[]): number {
  let size = 0;
  for (const tile of tiles) size += tileWireSize(tile);
  return size;
}

function writeHead(out: Uint8Array, head: Omit<TileMessage, 'tiles'>, count: number, flags: number): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint8(0, TILE_MESSAGE);
  view.setUint8(1, flags);
  view.setUint16(2, count, true);
  view.setUint32(4, head.seq, true);
  view.setUint32(8, head.frame, true);
  view.setUint16(12, head.part, true);
  view.setUint16(14, head.parts, true);
  view.setUint16(16, head.screenWidth, true);
  view.setUint16(18, head.screenHeight, true);
}

function writeRecords(out: Uint8Array, start: number, tiles: readonly EncodedTile[]): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let at = start;
  for (const tile of tiles) {
    view.setUint16(at, tile.x, true);
    view.setUint16(at + 2, tile.y, true);
    view.setUint16(at + 4, tile.width, true);
    view.setUint16(at + 6, tile.height, true);
    view.setUint8(at + 8, ENCODINGS.indexOf(tile.encoding));
    view.setUint16(at + 9, tile.payload.length, true);
    out.set(tile.payload, at + TILE_HEADER);
    at += TILE_HEADER + tile.payload.length;
  }
}

function invalid(message: string): ProtocolError {
  return new ProtocolError('validation_failed', `tile message: ${message}`);
}

/** A screen size read off the wire: each side 1 to {@link MAX_SCREEN_SIDE}. */
function checkScreen(width: number, height: number): void {
  if (width === 0 || height === 0 || width > MAX_SCREEN_SIDE || height > MAX_SCREEN_SIDE) {
    throw invalid(`screen ${width}×${height}`);
  }
}

/** Parses and checks a tile message: sizes, counts, and every tile inside the screen and on the grid. */
export function parseTileMessage(data: ArrayBuffer | Uint8Array): TileMessage {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  if (bytes.length < TILE_MESSAGE_HEADER) throw invalid('shorter than its header');
  // Before anything is read or inflated: the agent never sends more in one message.
  if (bytes.length > MAX_MESSAGE_BYTES) throw invalid(`${bytes.length} bytes, more than ${MAX_MESSAGE_BYTES}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint8(0) !== TILE_MESSAGE) throw invalid(`kind ${view.getUint8(0)} is not a tile message`);
  const count = view.getUint16(2, true);
  const head = {
    seq: view.getUint32(4, true),
    frame: view.getUint32(8, true),
    part: view.getUint16(12, true),
    parts: view.getUint16(14, true),
    screenWidth: view.getUint16(16, true),
    screenHeight: view.getUint16(18, true),
  };
  if (head.parts === 0 || head.part >= head.parts) throw invalid(`part ${head.part} of ${head.parts}`);
  checkScreen(head.screenWidth, head.screenHeight);
  const flags = view.getUint8(1);
  if (flags & ~TILE_FLAG_DEFLATED) throw invalid(`unknown flags ${flags}`);
  const deflated = flags === TILE_FLAG_DEFLATED;
  const records = deflated ? inflateRecords(bytes.subarray(TILE_MESSAGE_HEADER)) : bytes;
  return { ...head, tiles: parseRecords(records, deflated ? 0 : TILE_MESSAGE_HEADER, count, head, deflated) };
}

function inflateRecords(body: Uint8Array): Uint8Array {
  let out: Uint8Array | null;
  try {
    out = inflateAtMost(body, MAX_INFLATED_MESSAGE_BYTES);
  } catch (error) {
    throw invalid(`deflated records do not decode (${String(error)})`);
  }
  if (out === null) throw pastLimit(`records inflate past ${MAX_INFLATED_MESSAGE_BYTES} bytes`);
  return out;
}

/** What `data` says of an error thrown for a deflate stream that inflates past its bound. */
const PAST_LIMIT = { inflate: 'past limit' } as const;

function pastLimit(message: string): ProtocolError {
  return new ProtocolError('validation_failed', `tile message: ${message}`, { ...PAST_LIMIT });
}

/**
 * Whether `error` (thrown by {@link decodeTile} or {@link parseTileMessage}) is for a deflate stream
 * that went on past its bound: its sender is no honest agent, and the rest of its message is not
 * worth inflating.
 */
export function isInflateOverflow(error: unknown): boolean {
  return error instanceof ProtocolError && error.data?.['inflate'] === PAST_LIMIT.inflate;
}

/**
 * Raw-inflates `body` into at most `limit` bytes, or null if it would make more. The output goes
 * into one buffer of `limit` bytes and decoding stops at the first literal, match or stored block
 * that would pass it, so the work is bounded by the limit, not by what the stream would inflate
 * to. Throws for a stream that does not decode.
 */
function inflateAtMost(body: Uint8Array, limit: number): Uint8Array | null {
  const result = inflateRawAtMost(body, limit);
  return result.over ? null : result.out;
}

function parseRecords(
  bytes: Uint8Array,
  start: number,
  count: number,
  head: { screenWidth: number; screenHeight: number },
  stored: boolean,
): EncodedTile[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tiles: EncodedTile[] = [];
  let at = start;
  // The cells the tiles may still cover beyond one each (see MAX_MESSAGE_SCREENS).
  let beyond = MAX_MESSAGE_SCREENS * Math.ceil(head.screenWidth / TILE_SIZE) * Math.ceil(head.screenHeight / TILE_SIZE);
  for (let i = 0; i < count; i++) {
    if (at + TILE_HEADER > bytes.length) throw invalid(`tile ${i} header past the end`);
    const x = view.getUint16(at, true);
    const y = view.getUint16(at + 2, true);
    const width = view.getUint16(at + 4, true);
    const height = view.getUint16(at + 6, true);
    const encoding = ENCODINGS[view.getUint8(at + 8)];
    const length = view.getUint16(at + 9, true);
    if (!encoding) throw invalid(`tile ${i} has unknown encoding ${view.getUint8(at + 8)}`);
    if (width === 0 || height === 0) throw invalid(`tile ${i} is empty`);
    const spans =
      Math.floor(x / TILE_SIZE) !== Math.floor((x + width - 1) / TILE_SIZE) ||
      Math.floor(y / TILE_SIZE) !== Math.floor((y + height - 1) / TILE_SIZE);
    if (spans && encoding !== 'solid' && encoding !== 'copy' && encoding !== 'video') {
      throw invalid(`${encoding} tile ${i} spans cells`);
    }
    if (x + width > head.screenWidth || y + height > head.screenHeight) throw invalid(`tile ${i} outside the screen`);
    const cells =
      (Math.floor((x + width - 1) / TILE_SIZE) - Math.floor(x / TILE_SIZE) + 1) *
      (Math.floor((y + height - 1) / TILE_SIZE) - Math.floor(y / TILE_SIZE) + 1);
    beyond -= (encoding === 'copy' ? 2 * cells : cells) - 1;
    if (beyond < 0) throw invalid(`tiles cover more than ${MAX_MESSAGE_SCREENS} screens of cells`);
    if (
      encoding === 'video' &&
      !onTileGrid({ x, y, width, height }, { width: head.screenWidth, height: head.screenHeight })
    ) {
      throw invalid(`video tile ${i} is not on the cell grid`);
    }
    if (encoding === 'video' && length !== 0) throw invalid(`video tile ${i} has a payload`);
    const begin = at + TILE_HEADER;
    if (begin + length > bytes.length) throw invalid(`tile ${i} payload past the end`);
    const payload = bytes.subarray(begin, begin + length);
    tiles.push(
      stored && (encoding === 'palette' || encoding === 'raw')
        ? { x, y, width, height, encoding, payload, stored: true }
        : { x, y, width, height, encoding, payload },
    );
    at = begin + length;
  }
  if (at !== bytes.length) throw invalid(`${bytes.length - at} bytes after the last tile`);
  return tiles;
}

/** The source of a `copy` tile, checked to lie on the screen, and the first message it counts on. */
export function copySource(
  tile: EncodedTile,
  screen: { width: number; height: number },
): { x: number; y: number; after: number } {
  if (tile.encoding !== 'copy' || tile.payload.length !== 8) throw invalid(`copy tile of ${tile.payload.length} bytes`);
  const view = new DataView(tile.payload.buffer, tile.payload.byteOffset, 8);
  const x = view.getUint16(0, true);
  const y = view.getUint16(2, true);
  if (x + tile.width > screen.width || y + tile.height > screen.height) throw invalid('copy source outside the screen');
  return { x, y, after: view.getUint32(4, true) };
}

/**
 * A `copy` tile: the `width × height` pixels at (sx, sy) go to (x, y), once the viewer has
 * painted every message from number `after` up to the copy's own.
 */
export function copyTile(
  sx: number,
  sy: number,
  x: number,
  y: number,
  width: number,
  height: number,
  after: number,
): EncodedTile {
  const payload = new Uint8Array(8);
  const view = new DataView(payload.buffer);
  view.setUint16(0, sx, true);
  view.setUint16(2, sy, true);
  view.setUint32(4, after, true);
  return { x, y, width, height, encoding: 'copy', payload };
}

/**
 * Whether a rectangle lies on the cell grid of the screen (what a `video` tile must): inside
 * it, not empty, starting on cell edges, whole cells or up to the screen's edge.
 */
export function onTileGrid(
  r: { x: number; y: number; width: number; height: number },
  screen: { width: number; height: number },
): boolean {
  const whole = (start: number, size: number, side: number) =>
    start >= 0 &&
    size > 0 &&
    start % TILE_SIZE === 0 &&
    start + size <= side &&
    (size % TILE_SIZE === 0 || start + size === side);
  return whole(r.x, r.width, screen.width) && whole(r.y, r.height, screen.height);
}

/** A `video` tile: from this frame on, the video track shows this rectangle (on the cell grid) of the screen. */
export function videoTile(x: number, y: number, width: number, height: number): EncodedTile {
  return { x, y, width, height, encoding: 'video', payload: new Uint8Array(0) };
}

/**
 * The viewer's acknowledgement of message `seq` (and of the 32 before it, per `mask`);
 * `reads` tells the agent which kinds of message it may send.
 */
export function packTileAck(seq: number, mask: number, reads: ViewerReads = {}): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(12);
  const view = new DataView(out.buffer);
  view.setUint8(0, TILE_ACK);
  view.setUint8(
    1,
    (reads.deflated ? ACK_FLAG_READS_DEFLATED : 0) |
      (reads.parity ? ACK_FLAG_READS_PARITY : 0) |
      (reads.screen ? ACK_FLAG_READS_SCREEN : 0),
  );
  view.setUint32(4, seq >>> 0, true);
  view.setUint32(8, mask >>> 0, true);
  return out;
}

/** The viewer's request for every cell again. */
export function packTileRefresh(): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(4);
  out[0] = TILE_REFRESH;
  return out;
}

/** Parses a viewer → agent message. */
export function parseViewerTileMessage(data: ArrayBuffer | Uint8Array): ViewerTileMessage {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const kind = bytes.length > 0 ? view.getUint8(0) : -1;
  if (kind === TILE_ACK && bytes.length === 12) {
    return {
      kind: 'ack',
      seq: view.getUint32(4, true),
      mask: view.getUint32(8, true),
      readsDeflated: (view.getUint8(1) & ACK_FLAG_READS_DEFLATED) !== 0,
      readsParity: (view.getUint8(1) & ACK_FLAG_READS_PARITY) !== 0,
      readsScreen: (view.getUint8(1) & ACK_FLAG_READS_SCREEN) !== 0,
    };
  }
  if (kind === TILE_REFRESH && bytes.length === 4) return { kind: 'refresh' };
  throw new ProtocolError('validation_failed', `tile channel: unknown message (kind ${kind}, ${bytes.length} bytes)`);
}

const PARITY_HEADER = 8;

/**
 * The parity message of `messages`, numbered `first` on (1 to {@link MAX_PARITY_GROUP} tile
 * messages of at most {@link MAX_MESSAGE_BYTES} each; the parity of one is a copy of it).
 */
export function packParity(first: number, messages: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  if (messages.length < 1 || messages.length > MAX_PARITY_GROUP) throw new Error(`parity of ${messages.length}`);
  const longest = Math.max(...messages.map((m) => m.length));
  if (longest > MAX_MESSAGE_BYTES) throw new Error(`a message of ${longest} bytes is too long for parity`);
  const start = PARITY_HEADER + 2 * messages.length;
  const out = new Uint8Array(start + longest);
  const view = new DataView(out.buffer);
  view.setUint8(0, TILE_PARITY);
  view.setUint16(2, messages.length, true);
  view.setUint32(4, first >>> 0, true);
  messages.forEach((m, i) => {
    view.setUint16(PARITY_HEADER + 2 * i, m.length, true);
    for (let j = 0; j < m.length; j++) out[start + j] = (out[start + j] as number) ^ (m[j] as number);
  });
  return out;
}

const SCREEN_MESSAGE_BYTES = 8;

/** A screen message: the size of the picture to come (see the module description). */
export function packTileScreen(width: number, height: number): Uint8Array<ArrayBuffer> {
  const side = (n: number) => Number.isInteger(n) && n >= 1 && n <= MAX_SCREEN_SIDE;
  if (!side(width) || !side(height)) {
    throw new Error(`screen ${width}×${height}`);
  }
  const out = new Uint8Array(SCREEN_MESSAGE_BYTES);
  const view = new DataView(out.buffer);
  view.setUint8(0, TILE_SCREEN);
  view.setUint16(4, width, true);
  view.setUint16(6, height, true);
  return out;
}

/** Whether `data` is a screen message (by its first byte; {@link parseTileScreen} checks the rest). */
export function isTileScreen(data: ArrayBuffer | Uint8Array): boolean {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  return bytes[0] === TILE_SCREEN;
}

/** Parses and checks a screen message. */
export function parseTileScreen(data: ArrayBuffer | Uint8Array): { width: number; height: number } {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  if (bytes.length !== SCREEN_MESSAGE_BYTES) throw invalid(`screen message of ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = view.getUint16(4, true);
  const height = view.getUint16(6, true);
  checkScreen(width, height);
  return { width, height };
}

/** Whether `data` is a parity message (by its first byte; {@link parseParity} checks the rest). */
export function isParity(data: ArrayBuffer | Uint8Array): boolean {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  return bytes[0] === TILE_PARITY;
}

/** Parses and checks a parity message: its count, every length and the XOR's size. */
export function parseParity(data: ArrayBuffer | Uint8Array): ParityMessage {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  if (bytes.length < PARITY_HEADER) throw invalid('parity shorter than its header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint8(0) !== TILE_PARITY) throw invalid(`kind ${view.getUint8(0)} is not parity`);
  if (view.getUint8(1) !== 0) throw invalid(`unknown parity flags ${view.getUint8(1)}`);
  const count = view.getUint16(2, true);
  if (count < 1 || count > MAX_PARITY_GROUP) throw invalid(`parity of ${count} messages`);
  const start = PARITY_HEADER + 2 * count;
  if (bytes.length < start) throw invalid('parity lengths past the end');
  const lengths: number[] = [];
  for (let i = 0; i < count; i++) {
    const length = view.getUint16(PARITY_HEADER + 2 * i, true);
    if (length < TILE_MESSAGE_HEADER || length > MAX_MESSAGE_BYTES) throw invalid(`parity of a ${length}-byte message`);
    lengths.push(length);
  }
  if (bytes.length - start !== Math.max(...lengths)) throw invalid(`parity of ${bytes.length - start} bytes`);
  return { first: view.getUint32(4, true), lengths, xor: bytes.subarray(start) };
}

/**
 * The one message of `parity` that did not arrive, rebuilt from the others (`arrived` gives a
 * message by its number, or undefined); null when none or more than one is missing, or when
 * one that arrived has another length than the parity says (then the rebuilt bytes would be wrong).
 */
export function rebuildFromParity(
  parity: ParityMessage,
  arrived: (seq: number) => Uint8Array | undefined,
): { seq: number; message: Uint8Array<ArrayBuffer> } | null {
  let missing = -1;
  const xor = Uint8Array.from(parity.xor);
  for (let i = 0; i < parity.lengths.length; i++) {
    const seq = (parity.first + i) >>> 0;
    const message = arrived(seq);
    if (message === undefined) {
      if (missing >= 0) return null;
      missing = i;
      continue;
    }
    if (message.length !== parity.lengths[i]) return null;
    for (let j = 0; j < message.length; j++) xor[j] = (xor[j] as number) ^ (message[j] as number);
  }
  if (missing < 0) return null;
  return { seq: (parity.first + missing) >>> 0, message: xor.slice(0, parity.lengths[missing]) };
}

/** Compresses bytes with raw deflate (the agent passes Node's native zlib; tests may use fflate). */
export type Deflate = (data: Uint8Array) => Uint8Array;

const STORE: Deflate = (data) => data;

/**
 * Encodes the tile at (x, y, width, height) of a 4-byte-per-pixel image (`bgra` or `rgba`
 * order, fourth byte ignored) as the smallest of solid, palette or raw; with `deflate` null the
 * palette and raw bodies are stored (for {@link packDeflatedTileMessage}).
 */
export function encodeTile(
  image: { data: Uint8Array; stride: number; format: 'rgba' | 'bgra' },
  x: number,
  y: number,
  width: number,
  height: number,
  deflate: Deflate | null,
): EncodedTile {
  const { data, stride } = image;
  const pack = deflate ?? STORE;
  const stored = deflate === null ? ({ stored: true } as const) : {};
  const [ri, bi] = image.format === 'bgra' ? [2, 0] : [0, 2];
  // Count colours (as 0xRRGGBB) until there are too many for a palette.
  const palette: number[] = [];
  let last = -1;
  let lastIndex = 0;
  const indexes = new Uint8Array(width * height);
  let n = 0;
  for (let row = 0; row < height && palette.length <= MAX_PALETTE; row++) {
    let p = (y + row) * stride + x * 4;
    for (let col = 0; col < width; col++, p += 4, n++) {
      const rgb = ((data[p + ri] as number) << 16) | ((data[p + 1] as number) << 8) | (data[p + bi] as number);
      if (rgb !== last) {
        last = rgb;
        lastIndex = palette.indexOf(rgb);
        if (lastIndex < 0) {
          lastIndex = palette.length;
          palette.push(rgb);
          if (palette.length > MAX_PALETTE) break;
        }
      }
      indexes[n] = lastIndex;
    }
  }
  const rect = { x, y, width, height };
  if (palette.length === 1) {
    const c = palette[0] as number;
    return { ...rect, encoding: 'solid', payload: Uint8Array.of(c >>> 16, (c >>> 8) & 0xff, c & 0xff) };
  }
  if (palette.length <= MAX_PALETTE) {
    const bits = palette.length <= 2 ? 1 : palette.length <= 4 ? 2 : 4;
    const perByte = 8 / bits;
    const rowBytes = Math.ceil(width / perByte);
    const packed = new Uint8Array(rowBytes * height);
    for (let row = 0; row < height; row++) {
      for (let col = 0; col < width; col++) {
        const index = indexes[row * width + col] as number;
        const at = row * rowBytes + Math.floor(col / perByte);
        packed[at] = (packed[at] as number) | (index << (8 - bits - (col % perByte) * bits));
      }
    }
    const body = pack(packed);
    const payload = new Uint8Array(1 + palette.length * 3 + body.length);
    payload[0] = palette.length - 1;
    palette.forEach((c, i) => payload.set([c >>> 16, (c >>> 8) & 0xff, c & 0xff], 1 + i * 3));
    payload.set(body, 1 + palette.length * 3);
    return { ...rect, encoding: 'palette', payload, ...stored };
  }
  const rgb = new Uint8Array(width * height * 3);
  let o = 0;
  for (let row = 0; row < height; row++) {
    let p = (y + row) * stride + x * 4;
    for (let col = 0; col < width; col++, p += 4) {
      rgb[o++] = data[p + ri] as number;
      rgb[o++] = data[p + 1] as number;
      rgb[o++] = data[p + bi] as number;
    }
  }
  return { ...rect, encoding: 'raw', payload: pack(rgb), ...stored };
}

/**
 * Decodes a tile into RGBA pixels (`width × height × 4`, alpha 255), or for `solid` the
 * colour alone so the caller can fill. Throws `ProtocolError('validation_failed')` for a
 * payload that does not decode to exactly the tile's pixels (for a stream that inflates past
 * them, one {@link isInflateOverflow} recognises).
 */
export function decodeTile(tile: EncodedTile): { solid: [number, number, number] } | { rgba: Uint8ClampedArray } {
  const { width, height, payload } = tile;
  const pixels = width * height;
  if (tile.encoding === 'copy' || tile.encoding === 'video')
    throw invalid(`a ${tile.encoding} tile has no pixels of its own`);
  if (tile.encoding === 'solid') {
    if (payload.length !== 3) throw invalid(`solid tile of ${payload.length} bytes`);
    return { solid: [payload[0] as number, payload[1] as number, payload[2] as number] };
  }
  const rgba = new Uint8ClampedArray(pixels * 4);
  // One word per pixel: a third of the writes of three bytes and an alpha (the viewer decodes every tile it paints).
  const words = new Uint32Array(rgba.buffer);
  if (tile.encoding === 'raw') {
    const rgb = tile.stored ? exactly(payload, pixels * 3) : inflate(payload, pixels * 3);
    for (let i = 0, p = 0; i < pixels; i++, p += 3)
      words[i] = rgbaWord(rgb[p] as number, rgb[p + 1] as number, rgb[p + 2] as number);
    return { rgba };
  }
  const count = (payload[0] ?? 0) + 1;
  if (payload.length < 1 + count * 3 || count < 2 || count > MAX_PALETTE) throw invalid(`palette of ${count}`);
  const bits = count <= 2 ? 1 : count <= 4 ? 2 : 4;
  const perByte = 8 / bits;
  const rowBytes = Math.ceil(width / perByte);
  const body = payload.subarray(1 + count * 3);
  const packed = tile.stored ? exactly(body, rowBytes * height) : inflate(body, rowBytes * height);
  const mask = (1 << bits) - 1;
  const colours = new Uint32Array(count);
  for (let i = 0, c = 1; i < count; i++, c += 3)
    colours[i] = rgbaWord(payload[c] as number, payload[c + 1] as number, payload[c + 2] as number);
  for (let row = 0, o = 0; row < height; row++) {
    // Each byte holds `perByte` pixels, the first in its high bits; the row's last byte may be part padding.
    for (let col = 0, p = row * rowBytes; col < width; p++) {
      const byte = packed[p] as number;
      for (let shift = 8 - bits; shift >= 0 && col < width; shift -= bits, col++) {
        const index = (byte >> shift) & mask;
        if (index >= count) throw invalid(`palette index ${index} of ${count}`);
        words[o++] = colours[index] as number;
      }
    }
  }
  return { rgba };
}

/** Whether this machine stores words little end first (every browser's and Node's platform does; checked anyway). */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** An opaque RGBA pixel as one word of a `Uint32Array` over RGBA bytes, in this machine's byte order. */
function rgbaWord(r: number, g: number, b: number): number {
  return LITTLE_ENDIAN
    ? (0xff000000 | (b << 16) | (g << 8) | r) >>> 0
    : ((r << 24) | (g << 16) | (b << 8) | 0xff) >>> 0;
}

function exactly(body: Uint8Array, expected: number): Uint8Array {
  if (body.length !== expected) throw invalid(`stored body of ${body.length} bytes, not ${expected}`);
  return body;
}

function inflate(body: Uint8Array, expected: number): Uint8Array {
  let out: Uint8Array | null;
  try {
    out = inflateAtMost(body, expected);
  } catch (error) {
    throw invalid(`deflate stream does not decode (${String(error)})`);
  }
  if (out === null) throw pastLimit(`decodes past ${expected} bytes`);
  if (out.length !== expected) throw invalid(`decodes to ${out.length} bytes, not ${expected}`);
  return out;
}

/**
 * @module @remote-help/protocol
 * Everything that crosses a process boundary in remote-help: schemas (zod), their
 * TypeScript types, and the closed set of error codes.
 */
export const PROTOCOL_VERSION = 1;
export * from './errors.js';
export * from './validate.js';
export * from './people.js';
export * from './sessions.js';
export * from './signaling.js';
export * from './input.js';
export * from './devices.js';
export * from './control.js';
export * from './tiles.js';
export * from './tileReceiver.js';

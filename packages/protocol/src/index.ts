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
export * from './agentUpdates.js';
export * from './compliance.js';
export * from './conditionalAccess.js';
export * from './settings.js';
export * from './control.js';
export * from './tiles.js';
export * from './tileReceiver.js';
export * from './displayText.js';
export * from './pathHealth.js';
export * from './rbac.js';
export * from './photos.js';
export * from './reports.js';
export * from './chat.js';
export * from './chatThread.js';
export * from './chatDisplay.js';
export * from './languages.js';
export * from './api/index.js';
export * from './sessionIce.js';
export * from './connectionCheck.js';

/**
 * @module control
 * Messages on the `control` data channel between the helper's remote view and the
 * native agent (ordered, reliable, JSON). Positions are normalized video coordinates
 * in [0, 1] of the display being shared.
 */
import { z } from 'zod';

const Unit = z.number().finite().min(0).max(1);

/** One display of the sharer's device. */
export const DisplayInfo = z.object({
  id: z.string().max(64),
  name: z.string().max(128),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  primary: z.boolean(),
});
export type DisplayInfo = z.infer<typeof DisplayInfo>;

/** Helper → agent. */
export const HelperControlMessage = z.discriminatedUnion('type', [
  /** The laser pointer is at (x, y); the agent draws a marker the sharer sees. */
  z.strictObject({ type: z.literal('laser'), x: Unit, y: Unit }),
  /** The laser pointer left the view or was switched off. */
  z.strictObject({ type: z.literal('laserOff') }),
  /** Share another display. */
  z.strictObject({ type: z.literal('selectDisplay'), id: z.string().max(64) }),
]);
export type HelperControlMessage = z.infer<typeof HelperControlMessage>;

/** Agent → helper. */
export const AgentControlMessage = z.discriminatedUnion('type', [
  /** The displays there are and the one being shared (sent on open and on change). */
  z.object({ type: z.literal('displays'), displays: z.array(DisplayInfo).max(16), current: z.string() }),
  /** Where the sharer's mouse pointer is (the captured picture does not contain it). */
  z.object({ type: z.literal('cursor'), x: Unit, y: Unit }),
  /** Whether the agent currently injects the helper's input (full control allowed locally). */
  z.object({ type: z.literal('controlState'), active: z.boolean() }),
]);
export type AgentControlMessage = z.infer<typeof AgentControlMessage>;

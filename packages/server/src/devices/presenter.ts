/**
 * @module devices/presenter
 * Turns a device row into the `DeviceView` helpers and admins see. Everything a device
 * reports about itself is text it chose: names and inventory strings pass through the
 * protocol's `displayText` (no controls, no bidi overrides, bounded) when they are stored
 * and again when they are shown, so rows written before the rule are shown safely too.
 */
import type { DeviceView, FailingRule, Inventory } from '@remote-help/protocol';
import {
  ComplianceState,
  FailingRule as FailingRuleSchema,
  Inventory as InventorySchema,
  displayText,
  displayTextOrNull,
} from '@remote-help/protocol';
import type { DeviceRow } from './repo.js';

/** A device row, with its primary user's name and email when the query joined them. */
export type PresentableDevice = DeviceRow & { primary_user_name?: string | null; primary_user_email?: string | null };

/** Longest device name shown, in code points. */
export const DEVICE_NAME_MAX = 64;

/** The name shown for a device: its normalised name, or `device-<id prefix>` when nothing printable is left. */
export const deviceDisplayName = (name: string | null | undefined, deviceId: string): string =>
  displayText(name, { max: DEVICE_NAME_MAX, fallback: `device-${deviceId.slice(0, 6)}` });

/** The inventory with every free-text field normalised for display. */
export function cleanInventory(inventory: Inventory): Inventory {
  return {
    ...inventory,
    hostname: displayTextOrNull(inventory.hostname, DEVICE_NAME_MAX),
    osVersion: displayTextOrNull(inventory.osVersion, 64),
    model: displayTextOrNull(inventory.model, 128),
    serial: displayTextOrNull(inventory.serial, 128),
    agentVersion: displayText(inventory.agentVersion, { max: 32, fallback: 'unknown' }),
  };
}

/** The device as helpers and admins see it. */
export function presentDevice(row: PresentableDevice, online: boolean, inScope = false): DeviceView {
  const parsed = InventorySchema.safeParse(JSON.parse(row.inventory));
  if (!parsed.success) throw new Error(`device ${row.id}: stored inventory is invalid`);
  return {
    id: row.id,
    name: deviceDisplayName(row.name, row.id),
    inventory: cleanInventory(parsed.data),
    enrolledAt: row.enrolled_at,
    lastCheckInAt: row.last_check_in_at,
    enrollmentStatus: row.revoked_at ? 'revoked' : 'enrolled',
    revokedAt: row.revoked_at,
    primaryUser:
      row.primary_user_id && row.primary_user_name != null
        ? {
            id: row.primary_user_id,
            displayName: displayText(row.primary_user_name, { max: 128, fallback: row.primary_user_email ?? '' }),
            email: row.primary_user_email ?? '',
          }
        : null,
    online,
    inScope,
    ...presentCompliance(row.compliance, row.failing_rules),
  };
}

/** A stored evaluation (`compliance`, `failing_rules` JSON) as the protocol's; unreadable → not evaluated. */
export function presentCompliance(
  compliance: string | null,
  failingRules: string | null,
): { compliance: ComplianceState; failingRules: FailingRule[] } {
  const state = ComplianceState.safeParse(compliance);
  let rules: unknown = [];
  try {
    rules = JSON.parse(failingRules ?? '[]');
  } catch {
    rules = [];
  }
  const parsed = FailingRuleSchema.array().safeParse(rules);
  if (!state.success || !parsed.success) return { compliance: 'not_evaluated', failingRules: [] };
  return { compliance: state.data, failingRules: state.data === 'noncompliant' ? parsed.data : [] };
}

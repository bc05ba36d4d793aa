/**
 * @module admin/conditionalAccess/namedLocationForm
 * A named location's form: a name, its IP ranges one per line in CIDR notation (blank lines
 * ignored), and whether it is trusted. Each range is checked with the protocol's own parser,
 * so the form refuses exactly what the server would, and says which lines are wrong.
 */
import type { NamedLocation, NamedLocationInput } from '@remote-help/protocol';
import { parseCidr } from '@remote-help/protocol';

export interface NamedLocationFormValues {
  name: string;
  ranges: string;
  trusted: boolean;
}

export interface NamedLocationFormErrors {
  name?:
    'admin.conditionalAccess.locations.errors.nameRequired' | 'admin.conditionalAccess.locations.errors.nameTooLong';
  ranges?:
    | { key: 'admin.conditionalAccess.locations.errors.rangesRequired' }
    | { key: 'admin.conditionalAccess.locations.errors.rangesTooMany' }
    | { key: 'admin.conditionalAccess.locations.errors.rangeInvalid'; lines: string; first: string };
}

/** The contract's limits: a name of 1–100 characters, 1–200 ranges of at most 64 characters. */
export const LOCATION_LIMITS = { name: 100, ranges: 200, range: 64 } as const;

export function namedLocationValues(location?: NamedLocation): NamedLocationFormValues {
  return {
    name: location?.name ?? '',
    ranges: location ? location.ranges.join('\n') : '',
    trusted: location?.trusted ?? false,
  };
}

/** The non-blank lines of the text box, trimmed, with their line numbers (from 1). */
function rangeLines(text: string): { line: number; value: string }[] {
  return text
    .split(/\r?\n/)
    .map((value, i) => ({ line: i + 1, value: value.trim() }))
    .filter((l) => l.value !== '');
}

/** What the server would refuse; a bad range names its lines ("3, 5") and the first bad value. */
export function validateNamedLocation(v: NamedLocationFormValues): NamedLocationFormErrors {
  const errors: NamedLocationFormErrors = {};
  const name = v.name.trim();
  if (!name) errors.name = 'admin.conditionalAccess.locations.errors.nameRequired';
  else if (name.length > LOCATION_LIMITS.name) errors.name = 'admin.conditionalAccess.locations.errors.nameTooLong';
  const lines = rangeLines(v.ranges);
  const bad = lines.filter((l) => l.value.length > LOCATION_LIMITS.range || parseCidr(l.value) === null);
  const [first] = bad;
  if (first)
    errors.ranges = {
      key: 'admin.conditionalAccess.locations.errors.rangeInvalid',
      lines: bad.map((l) => l.line).join(', '),
      first: first.value,
    };
  else if (lines.length === 0) errors.ranges = { key: 'admin.conditionalAccess.locations.errors.rangesRequired' };
  else if (lines.length > LOCATION_LIMITS.ranges)
    errors.ranges = { key: 'admin.conditionalAccess.locations.errors.rangesTooMany' };
  return errors;
}

/** The location to send; call only when {@link validateNamedLocation} found nothing. */
export function toNamedLocationInput(v: NamedLocationFormValues): NamedLocationInput {
  return { name: v.name.trim(), ranges: rangeLines(v.ranges).map((l) => l.value), trusted: v.trusted };
}

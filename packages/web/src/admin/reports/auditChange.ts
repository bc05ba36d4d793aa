/**
 * @module admin/reports/auditChange
 * An administrative change as the audit log records it (`{ before, after }`), turned into
 * rows of a before → after table: every field of either side and whether it changed.
 */
type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A value as one line of text. */
export function valueText(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** The rows of a before → after table: each field of either side, and whether it changed. */
export function changeRows(before: unknown, after: unknown): { field: string; before: unknown; after: unknown; changed: boolean }[] {
  if (!isObject(before) && !isObject(after)) {
    return [{ field: '', before, after, changed: valueText(before) !== valueText(after) }];
  }
  const b = isObject(before) ? before : {};
  const a = isObject(after) ? after : {};
  const fields = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  return fields.map((field) => ({
    field,
    before: b[field],
    after: a[field],
    changed: valueText(b[field]) !== valueText(a[field]),
  }));
}


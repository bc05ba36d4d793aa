/**
 * @module validate
 * Turns schema failures into typed `ProtocolError`s with a short, safe description.
 */
import type { z } from 'zod';
import { ProtocolError } from './errors.js';

/** One issue, reduced to what is safe and useful to show a caller. */
export interface Issue {
  path: string;
  message: string;
}

/** Summarises zod issues as `path: message` pairs (at most 10). */
export function describeIssues(error: z.ZodError): Issue[] {
  return error.issues.slice(0, 10).map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
}

/** Parses `input` with `schema`, or throws `ProtocolError('validation_failed')` listing the issues. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown, what = 'message'): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const issues = describeIssues(result.error);
    const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    throw new ProtocolError('validation_failed', `Invalid ${what}: ${summary}`, { issues });
  }
  return result.data;
}

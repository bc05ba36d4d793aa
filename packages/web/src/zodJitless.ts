/**
 * @module zodJitless
 * Turns off zod's compiled (`new Function`) fast path before any schema exists. Our content
 * security policy forbids eval, and zod's probe for it is reported as a CSP violation on every
 * page even though zod catches the error. Imported first by `main.tsx`; nothing else may precede it.
 */
import { z } from 'zod';

z.config({ jitless: true });

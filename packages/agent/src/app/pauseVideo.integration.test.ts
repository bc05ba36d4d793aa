/**
 * Integration: pause and resume from the agent window, `--pixels video` (see `testing/pauseSuite.ts`).
 */
import { describePauseAndResume } from '../testing/pauseSuite.js';

describePauseAndResume('video');

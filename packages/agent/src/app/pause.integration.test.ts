/**
 * Integration: pause and resume from the agent window, damage tiles (see `testing/pauseSuite.ts`).
 */
import { describePauseAndResume } from '../testing/pauseSuite.js';

describePauseAndResume('tiles');

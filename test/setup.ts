// Loaded by mocha before any test (see .mocharc.json).
import { closeClients } from './helpers';

// Lesson servers log each connection; keep the test output readable.
if (!process.env.SHOW_LESSON_LOGS) console.log = () => {};

// A root hook: every client a test opened is closed after it, pass or fail.
export const mochaHooks = {
  afterEach(): void {
    closeClients();
  },
};

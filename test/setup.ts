// Loaded by mocha before any test (see .mocharc.json).
import { Runner } from 'mocha';
import { closeBrowser } from './browser/suite';
import { installCrashReports, skipIfCrashed } from './crash';
import { closeClients } from './helpers';

// Lesson servers log each connection; keep the test output readable.
if (!process.env.SHOW_LESSON_LOGS) console.log = () => {};

// A lesson whose handler throws fails one test, naming the event and the
// error, and the rest of its block is skipped (see test/crash.ts).
installCrashReports(Runner);

// A root hook: every client a test opened is closed after it, pass or fail.
export const mochaHooks = {
  beforeEach(this: Mocha.Context): void {
    skipIfCrashed(this);
  },
  afterEach(): void {
    closeClients();
  },
  // The browser tests share one Chromium; it goes once every test has run.
  // With --parallel (npm test), this runs after each file: a worker keeps its
  // Chromium for its next file, and Playwright ends it when the worker ends.
  async afterAll(): Promise<void> {
    if (process.env.MOCHA_WORKER_ID === undefined) await closeBrowser();
  },
};

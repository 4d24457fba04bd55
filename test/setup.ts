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
  async afterAll(): Promise<void> {
    await closeBrowser();
  },
};

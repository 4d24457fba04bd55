// Loaded by mocha before any test (see .mocharc.json).
import { closeBrowser } from './browser/suite';
import { closeClients } from './helpers';

// Lesson servers log each connection; keep the test output readable.
if (!process.env.SHOW_LESSON_LOGS) console.log = () => {};

// A root hook: every client a test opened is closed after it, pass or fail.
export const mochaHooks = {
  afterEach(): void {
    closeClients();
  },
  // The browser tests share one Chromium; it goes once every test has run.
  async afterAll(): Promise<void> {
    await closeBrowser();
  },
};

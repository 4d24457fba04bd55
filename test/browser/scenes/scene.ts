// A scene is one lesson's main flow in the browser, as people would use it.
// The browser tests play it and then check more; `npm run screenshots` plays
// it and photographs the page it returns.
import type { BrowserContextOptions, Page } from 'playwright-core';
import type { RunningLesson } from '../../../shared/run';
import type { Person } from '../harness';

export type Open = (url: string, options?: BrowserContextOptions) => Promise<Person>;

export interface Scene<O = object> {
  /** The lesson folder, e.g. "01-date-notifier". */
  lesson: string;
  start: (options: O & { port: number }) => Promise<RunningLesson>;
  options?: O;
  /** Plays the flow; returns the page worth a screenshot. */
  play(open: Open, lesson: RunningLesson): Promise<Page>;
}

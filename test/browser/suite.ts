// A mocha `describe` for browser tests. Chromium is launched once, for the
// first block that needs it, and closed when mocha is done (see
// test/setup.ts); without Chromium the blocks are skipped with one clear line
// (they fail instead when REQUIRE_BROWSER is set, as in CI).
import type { Browser } from 'playwright-core';
import { expect } from 'expect';
import { hasChromium, launch, newPerson, SKIP_NOTE, type Person } from './harness';

let noted = false;
let shared: Promise<Browser> | undefined;

/** Closes the Chromium the browser tests share, if one was launched. */
export async function closeBrowser(): Promise<void> {
  const launched = shared;
  shared = undefined;
  await launched?.then((browser) => browser.close(), () => {});
}

export function describeInBrowser(title: string, body: (people: (url: string, options?: Parameters<typeof newPerson>[2]) => Promise<Person>) => void): void {
  describe(`${title} (in Chromium)`, function () {
    this.timeout(20_000);
    let browser: Browser | undefined;
    const opened: Person[] = [];

    before(async function () {
      if (!hasChromium) {
        if (process.env.REQUIRE_BROWSER) throw new Error(SKIP_NOTE.replace('skipped', 'cannot run'));
        if (!noted) process.stderr.write(`\n  ${SKIP_NOTE}\n`);
        noted = true;
        this.skip();
      }
      shared ??= launch();
      browser = await shared;
    });

    // Each test ends with no problems on any page it opened.
    afterEach(async function () {
      const problems = opened.flatMap((person) => person.problems);
      await Promise.all(opened.splice(0).map((person) => person.close()));
      if (this.currentTest?.state === 'passed') expect(problems).toEqual([]);
    });

    body(async (url, options) => {
      const person = await newPerson(browser!, url, options);
      opened.push(person);
      return person;
    });
  });
}

// A mocha `describe` for browser tests: launches Chromium once for the block,
// or skips it with one clear line when there is none (fails instead, when
// REQUIRE_BROWSER is set, as in CI).
import type { Browser } from 'playwright-core';
import { expect } from 'expect';
import { hasChromium, launch, newPerson, SKIP_NOTE, type Person } from './harness';

let noted = false;

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
      browser = await launch();
    });

    // Each test ends with no problems on any page it opened.
    afterEach(async function () {
      const problems = opened.flatMap((person) => person.problems);
      await Promise.all(opened.splice(0).map((person) => person.close()));
      if (this.currentTest?.state === 'passed') expect(problems).toEqual([]);
    });

    after(async () => {
      await browser?.close();
    });

    body(async (url, options) => {
      const person = await newPerson(browser!, url, options);
      opened.push(person);
      return person;
    });
  });
}

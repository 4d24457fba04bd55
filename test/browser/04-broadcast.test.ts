import { expect } from 'expect';
import type { Page } from 'playwright-core';
import { useLesson } from '../helpers';
import { HOSTILE, wasPwned } from './harness';
import { received, scene, speak } from './scenes/04-broadcast';
import { describeInBrowser } from './suite';

/** The name the server gives this page: "connected: you are abc123". */
async function nameOf(page: Page): Promise<string> {
  return (await page.locator('#status').textContent())!.replace('connected: you are ', '');
}

describeInBrowser('04 broadcast', (open) => {
  const lesson = useLesson(scene.start, scene.options);

  it('each audience reaches exactly its tabs: me (A), everyone (A, B, C), others (B, C)', async () => {
    const tabs: Page[] = []; // A, B and C, in the order the scene opens them
    await scene.play(async (url, options) => {
      const person = await open(url, options);
      tabs.push(person.page);
      return person;
    }, lesson());
    const [a, b, c] = tabs;
    expect(await received(a)).toEqual(['Hello, everyone!', 'A note to myself: only this tab hears it.', 'B here: I got two of those.']);
    const heardByOthers = ['Hello, everyone!', 'Psst, B and C: A cannot see this one.', 'B here: I got two of those.'];
    expect(await received(b)).toEqual(heardByOthers);
    expect(await received(c)).toEqual(heardByOthers);
    // The server says who spoke; each page marks its own messages.
    const [nameA, nameB] = [await nameOf(a), await nameOf(b)];
    expect(nameA).toMatch(/^[\w-]{6}$/);
    expect(await a.locator('#messages li strong').allTextContents()).toEqual([`${nameA} (you)`, `${nameA} (you)`, nameB]);
    expect(await c.locator('#messages li strong').allTextContents()).toEqual([nameA, nameA, nameB]);
    expect(await b.locator('#empty').isHidden()).toBe(true);
  });

  it('shows hostile text as text in the other tabs, and runs none of it', async () => {
    const [a, b] = [(await open(lesson().url)).page, (await open(lesson().url)).page];
    for (const page of [a, b]) await page.locator('#status.connected').waitFor();
    for (const text of HOSTILE) await speak(a, text, 'others');
    await b.locator('#messages li', { hasText: HOSTILE[2] }).waitFor();
    expect(await received(b)).toEqual(HOSTILE);
    expect(await b.locator('#messages img, #messages script, #messages b').count()).toBe(0);
    expect(await wasPwned(a)).toBe(false);
    expect(await wasPwned(b)).toBe(false);
  });
});

import type { Page } from 'playwright-core';
import type { Audience } from '../../../lessons/04-broadcast/events';
import { start } from '../../../lessons/04-broadcast/server';
import type { Scene } from './scene';

/** Speaks to an audience from the page's form, and waits until the server took it (the box clears). */
export async function speak(page: Page, text: string, to: Audience): Promise<void> {
  await page.locator('#text').fill(text);
  await page.locator('#to').selectOption(to);
  await page.getByRole('button', { name: 'Send' }).click();
  await page.waitForFunction(() => document.querySelector<HTMLInputElement>('#text')?.value === '');
}

/** The texts of the messages a page has received, in order, without who sent them. */
export function received(page: Page): Promise<string[]> {
  return page.locator('#messages li').evaluateAll((items) => items.map((item) => item.lastChild!.textContent!.replace(/^: /, '')));
}

export const scene: Scene = {
  lesson: '04-broadcast',
  start,
  async play(open, lesson) {
    // Three tabs, A, B and C, as the README asks.
    const [a, b, c] = [await open(lesson.url), await open(lesson.url), await open(lesson.url)];
    for (const { page } of [a, b, c]) await page.locator('#status.connected').waitFor();
    await speak(a.page, 'Hello, everyone!', 'everyone');
    await speak(a.page, 'Psst, B and C: A cannot see this one.', 'others');
    await speak(a.page, 'A note to myself: only this tab hears it.', 'me');
    // Everyone hears B's answer, after A's three: so by then each tab has all it will get of A's.
    await speak(b.page, 'B here: I got two of those.', 'everyone');
    for (const { page } of [a, b, c]) await page.locator('#messages li', { hasText: 'B here' }).waitFor();
    return a.page;
  },
};

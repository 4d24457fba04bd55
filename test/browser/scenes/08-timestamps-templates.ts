import type { Page } from 'playwright-core';
import { start } from '../../../lessons/08-timestamps-templates/server';
import { IN_LONDON, sendLocation } from './07-geolocation';
import type { Scene } from './scene';

export { giveUpOnTheQuestion, ignoreTheQuestion, IN_LONDON, LONDON_MAP, recordLabels, sendLocation } from './07-geolocation';

/** Sends a message from the form, and waits until it is back on the sender's page and the box is cleared. */
export async function send(page: Page, text: string): Promise<void> {
  await page.locator('#input').fill(text);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await page.locator('.message.mine .message__body', { hasText: text }).last().waitFor();
  await page.waitForFunction(() => document.querySelector<HTMLInputElement>('#input')?.value === '');
}

/** The messages on a page, in order, as "from: text" (without the time). */
export function shown(page: Page): Promise<string[]> {
  return page
    .locator('.message')
    .evaluateAll((items) => items.map((item) => `${item.querySelector('.message__from')!.textContent}: ${item.querySelector('.message__body')!.textContent}`));
}

export const scene: Scene = {
  lesson: '08-timestamps-templates',
  start,
  async play(open, lesson) {
    const ann = await open(lesson.url, IN_LONDON);
    await ann.page.locator('.message__body', { hasText: 'Welcome to the chat!' }).waitFor();
    const bob = await open(lesson.url, IN_LONDON);
    await ann.page.locator('.message__body', { hasText: 'A new user joined' }).waitFor();
    await send(bob.page, 'Morning! Are we still on for coffee?');
    await send(ann.page, 'Yes! I found a quiet place, here it is:');
    await sendLocation(ann.page);
    await bob.page.locator('.message__body a', { hasText: 'My current location' }).waitFor();
    await send(bob.page, 'Perfect, I can walk there. See you in ten minutes.');
    await ann.page.locator('.message__body', { hasText: 'See you in ten minutes' }).waitFor();
    return ann.page;
  },
};

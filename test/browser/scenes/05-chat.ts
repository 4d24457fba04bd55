import type { Page } from 'playwright-core';
import { start } from '../../../lessons/05-chat/server';
import type { Scene } from './scene';

/**
 * Sends a message from the chat form (lessons 05 to 07), and waits until it
 * is back on the sender's page and the box is cleared.
 */
export async function send(page: Page, text: string): Promise<void> {
  await page.locator('#input').fill(text);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await page.locator('#messages li.mine', { hasText: text }).last().waitFor();
  await page.waitForFunction(() => document.querySelector<HTMLInputElement>('#input')?.value === '');
}

/** The messages on a page, in order, as "from: text". */
export function shown(page: Page): Promise<string[]> {
  return page.locator('#messages li').allTextContents();
}

export const scene: Scene = {
  lesson: '05-chat',
  start,
  async play(open, lesson) {
    const [ann, bob] = [await open(lesson.url), await open(lesson.url)];
    for (const { page } of [ann, bob]) await page.locator('#status.connected').waitFor();
    await send(ann.page, 'Hi! Is anyone there?');
    await send(bob.page, 'Yes, I see you: your message came through the server.');
    await send(ann.page, 'And yours reached me at once. No page reload!');
    await bob.page.locator('#messages li', { hasText: 'No page reload' }).waitFor();
    return ann.page;
  },
};

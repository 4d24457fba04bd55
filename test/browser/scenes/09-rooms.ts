import type { Page } from 'playwright-core';
import { start } from '../../../lessons/09-rooms/server';
import type { Scene } from './scene';

/** Fills in the join page and waits for the chat page to show the room. */
export async function joinAs(page: Page, name: string, room: string): Promise<void> {
  await page.locator('#name').fill(name);
  await page.locator('#room').fill(room);
  await page.getByRole('button', { name: 'Join' }).click();
  await page.waitForURL(/chat\.html/);
  await page.locator('#room', { hasText: room }).waitFor();
}

/**
 * Sends a message and waits until it shows on the sender's page and the box
 * is cleared (the page clears it when the server's acknowledgement comes,
 * which may be a moment after the message itself).
 */
export async function send(page: Page, text: string): Promise<void> {
  await page.locator('#input').fill(text);
  await page.locator('#send').click();
  await page.locator('.message.mine .message__body', { hasText: text }).last().waitFor();
  await page.waitForFunction(() => (document.querySelector('#input') as HTMLInputElement | null)?.value === '');
}

export const scene: Scene = {
  lesson: '09-rooms',
  start,
  async play(open, lesson) {
    const [ann, bob] = [await open(lesson.url), await open(lesson.url)];
    await joinAs(ann.page, 'Ann', 'Lobby');
    await joinAs(bob.page, 'Bob', 'Lobby');
    await send(ann.page, 'Hi Bob! Is this the Lobby?');
    await send(bob.page, 'It is. The Kitchen folks cannot hear us.');
    await ann.page.locator('.message__body', { hasText: 'cannot hear us' }).waitFor();
    return ann.page;
  },
};

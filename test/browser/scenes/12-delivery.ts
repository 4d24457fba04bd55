import type { Page } from 'playwright-core';
import { start, type DeliveryOptions } from '../../../lessons/12-delivery/server';
import type { RunningLesson } from '../../../shared/run';
import { joinAs, send } from './09-rooms';
import type { Scene } from './scene';

export { joinAs, send };

/**
 * Takes `name`'s page offline, as a wifi blip would: the browser stops
 * connecting, and the server drops the connection it had (Chromium keeps an
 * open WebSocket open when it goes offline). Resolves once the server has
 * noticed. `page.context().setOffline(false)` brings it back.
 */
export async function goOffline(page: Page, lesson: RunningLesson, name: string): Promise<void> {
  await page.context().setOffline(true);
  const sockets = lesson.io!.of('/').sockets;
  const mine = [...sockets.values()].filter((socket) => socket.data?.joined?.name === name);
  for (const socket of mine) socket.conn.close();
  while (mine.some((socket) => socket.connected)) await new Promise((resolve) => setTimeout(resolve, 10));
  await page.locator('#status', { hasText: 'disconnected' }).waitFor();
}

/** Leaves out what a page offline, or a server down, makes the browser report: failed connections. */
export function expectedFailures(problem: string): boolean {
  return /ERR_INTERNET_DISCONNECTED|ERR_CONNECTION_REFUSED|WebSocket connection to .* failed/.test(problem);
}

export const scene: Scene<DeliveryOptions> = {
  lesson: '12-delivery',
  start,
  options: { dbFile: ':memory:' },
  async play(open, lesson) {
    const [ann, bob] = [await open(lesson.url), await open(lesson.url)];
    await joinAs(ann.page, 'Ann', 'Lobby');
    await joinAs(bob.page, 'Bob', 'lobby');
    await send(ann.page, 'Hi Bob! My wifi is flaky today.');
    await send(bob.page, 'No matter: every message has an id now.');
    await goOffline(ann.page, lesson, 'Ann');
    await send(bob.page, 'Did you get this one, sent while you were away?');
    await ann.page.context().setOffline(false);
    await ann.page.locator('#status', { hasText: 'reconnected, nothing missed' }).waitFor({ timeout: 10_000 });
    await ann.page.locator('.message__body', { hasText: 'while you were away' }).waitFor();
    await send(ann.page, 'Yes, once. The page said "nothing missed".');
    await bob.page.locator('.message__body', { hasText: 'nothing missed' }).waitFor();
    for (const person of [ann, bob]) person.problems.splice(0, Infinity, ...person.problems.filter((problem) => !expectedFailures(problem)));
    return ann.page;
  },
};

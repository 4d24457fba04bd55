import { expect } from 'expect';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { start } from '../../../lessons/07-geolocation/server';
import { send } from './05-chat';
import type { Scene } from './scene';

export { send, shown } from './05-chat';

/** A browser that knows where it is (London), and may tell the page. */
export const IN_LONDON: BrowserContextOptions = { geolocation: { latitude: 51.5, longitude: -0.12 }, permissions: ['geolocation'] };
export const LONDON_MAP = 'https://www.google.com/maps?q=51.5,-0.12';

/**
 * Reloads the page in a browser that asks where it is and hears nothing back, as when the
 * user never answers the question. `window.answerLocation()` answers it (London) later; the
 * page's clock is Playwright's, so the test can move it on (`page.clock.fastForward`).
 */
export async function ignoreTheQuestion(page: Page): Promise<void> {
  await page.addInitScript(() => {
    Geolocation.prototype.getCurrentPosition = function (success: PositionCallback) {
      const position = { coords: { latitude: 51.5, longitude: -0.12 }, timestamp: Date.now() } as GeolocationPosition;
      Object.assign(window, { answerLocation: () => success(position) });
    };
  });
  await page.clock.install();
  await page.reload();
}

/**
 * On a page whose question goes unanswered (see `ignoreTheQuestion`): clicks "Send location"
 * and checks the page waits 15 s, then gives up with its note and frees the button. Then the
 * user answers, too late; the test checks that nothing was sent.
 */
export async function giveUpOnTheQuestion(page: Page): Promise<void> {
  const button = page.locator('#send-location');
  await button.click();
  expect(await button.textContent()).toBe('Locating…');
  expect(await button.isDisabled()).toBe(true);
  await page.clock.fastForward(14_000);
  expect(await button.isDisabled()).toBe(true); // still waiting
  await page.clock.fastForward(1_000);
  await page.locator('#location-note', { hasText: 'No location after 15 seconds.' }).waitFor({ timeout: 5000 });
  await page.locator('#send-location:enabled', { hasText: 'Send location' }).waitFor();
  await page.evaluate(() => (window as unknown as { answerLocation(): void }).answerLocation());
}

/** Starts recording every label the location button shows; the function returned reads them. */
export async function recordLabels(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const labels: string[] = [];
    Object.assign(window, { labels });
    new MutationObserver((changes) => {
      for (const change of changes) for (const node of change.addedNodes) labels.push(node.textContent ?? '');
    }).observe(document.querySelector('#send-location')!, { childList: true });
  });
  return () => page.evaluate(() => (window as unknown as { labels: string[] }).labels);
}

/** Clicks "Send location" and waits until the button is back (the request was answered). */
export async function sendLocation(page: Page): Promise<void> {
  const button = page.locator('#send-location');
  await button.click();
  await page.locator('#send-location:enabled', { hasText: 'Send location' }).waitFor();
}

export const scene: Scene = {
  lesson: '07-geolocation',
  start,
  async play(open, lesson) {
    const ann = await open(lesson.url, IN_LONDON);
    await ann.page.locator('#messages li', { hasText: 'Welcome to the chat!' }).waitFor();
    const bob = await open(lesson.url, IN_LONDON);
    await bob.page.locator('#messages li', { hasText: 'Welcome to the chat!' }).waitFor();
    await send(bob.page, 'Where are you? I am waiting at the station.');
    await send(ann.page, 'Nearly there. Here, see for yourself:');
    await sendLocation(ann.page);
    await ann.page.locator('#messages li.mine a', { hasText: 'My current location' }).waitFor();
    await bob.page.locator('#messages li a', { hasText: 'My current location' }).waitFor();
    return ann.page;
  },
};

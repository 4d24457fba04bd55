import { expect } from 'expect';
import type { Page } from 'playwright-core';
import { useLesson } from '../helpers';
import { HOSTILE, wasPwned } from './harness';
import { scene, send, shown } from './scenes/05-chat';
import { describeInBrowser } from './suite';

describeInBrowser('05 chat', (open) => {
  const lesson = useLesson(scene.start, scene.options);

  it('both people see every message, in the same order, their own marked', async () => {
    const pages: Page[] = [];
    await scene.play(async (url, options) => {
      const person = await open(url, options);
      pages.push(person.page);
      return person;
    }, lesson());
    const [ann, bob] = pages;
    const [annName, bobName] = [await ann.locator('#me').textContent(), await bob.locator('#me').textContent()];
    expect(annName).toMatch(/^[\w-]{6}$/);
    const conversation = [
      `${annName}: Hi! Is anyone there?`,
      `${bobName}: Yes, I see you: your message came through the server.`,
      `${annName}: And yours reached me at once. No page reload!`,
    ];
    expect(await shown(ann)).toEqual(conversation);
    expect(await shown(bob)).toEqual(conversation);
    expect(await ann.locator('#messages li.mine').count()).toBe(2);
    expect(await bob.locator('#messages li.mine').count()).toBe(1);
    expect(await ann.locator('#empty').isHidden()).toBe(true);
  });

  it('shows why the server refused a message, and it reaches no one', async () => {
    const [ann, bob] = [(await open(lesson().url)).page, (await open(lesson().url)).page];
    for (const page of [ann, bob]) await page.locator('#status.connected').waitFor();
    await ann.locator('#input').fill('x'.repeat(600));
    expect(await ann.locator('#input').inputValue()).toHaveLength(500); // the box stops at 500
    // Someone who removes the limit in the developer tools meets the server's.
    await ann.locator('#input').evaluate((input) => input.removeAttribute('maxlength'));
    await ann.locator('#input').fill('y'.repeat(501));
    await ann.getByRole('button', { name: 'Send' }).click();
    await ann.locator('#error', { hasText: 'Not sent: text must be at most 500 characters' }).waitFor();
    await send(ann, 'a short one');
    await bob.locator('#messages li', { hasText: 'a short one' }).waitFor();
    expect(await shown(bob)).toEqual([`${await ann.locator('#me').textContent()}: a short one`]);
  });

  it('shows hostile text as text for the other person, and runs none of it', async () => {
    const [ann, bob] = [(await open(lesson().url)).page, (await open(lesson().url)).page];
    for (const page of [ann, bob]) await page.locator('#status.connected').waitFor();
    for (const text of HOSTILE) await send(ann, text);
    await bob.locator('#messages li', { hasText: HOSTILE[2] }).waitFor();
    const annName = await ann.locator('#me').textContent();
    expect(await shown(bob)).toEqual(HOSTILE.map((text) => `${annName}: ${text}`));
    expect(await bob.locator('#messages img, #messages script, #messages b').count()).toBe(0);
    expect(await wasPwned(ann)).toBe(false);
    expect(await wasPwned(bob)).toBe(false);
  });
});

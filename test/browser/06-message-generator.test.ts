import { expect } from 'expect';
import type { Page } from 'playwright-core';
import { useLesson } from '../helpers';
import { HOSTILE, wasPwned } from './harness';
import { scene, send, shown } from './scenes/06-message-generator';
import { describeInBrowser } from './suite';

describeInBrowser('06 message generator', (open) => {
  const lesson = useLesson(scene.start, scene.options);

  /** Opens a page and waits for its welcome. */
  async function arrive(): Promise<Page> {
    const { page } = await open(lesson().url);
    await page.locator('#messages li.admin', { hasText: 'Welcome to the chat!' }).waitFor();
    return page;
  }

  it('welcomes each newcomer, tells the others, and shows both people every message', async () => {
    const pages: Page[] = [];
    await scene.play(async (url, options) => {
      const person = await open(url, options);
      pages.push(person.page);
      return person;
    }, lesson());
    const [ann, bob] = pages;
    const [annName, bobName] = [await ann.locator('#me').textContent(), await bob.locator('#me').textContent()];
    const chat = [`${annName}: Oh, hello! Who just joined?`, `${bobName}: Me! The server welcomed me, and told you I came.`];
    expect(await shown(ann)).toEqual(['Admin: Welcome to the chat!', 'Admin: A new user joined', ...chat]);
    expect(await shown(bob)).toEqual(['Admin: Welcome to the chat!', ...chat]); // no "joined" for yourself
    expect(await ann.locator('#messages li.admin').count()).toBe(2);
    expect(await ann.locator('#messages li.mine').allTextContents()).toEqual([chat[0]]);
    expect(await bob.locator('#messages li.mine').allTextContents()).toEqual([chat[1]]);
  });

  it('keeps refused text in the box and says why: blank on the page, too long at the server', async () => {
    const [ann, bob] = [await arrive(), await arrive()];
    const input = ann.locator('#input');
    const sendButton = ann.getByRole('button', { name: 'Send' });

    await input.fill('   ');
    await sendButton.click();
    await ann.locator('#error', { hasText: 'Type a message first.' }).waitFor();
    expect(await input.inputValue()).toBe('   ');

    await input.fill('x'.repeat(600));
    expect(await input.inputValue()).toHaveLength(500); // the box stops at 500
    // Someone who removes the limit in the developer tools meets the server's.
    await input.evaluate((element) => element.removeAttribute('maxlength'));
    const tooLong = 'y'.repeat(501);
    await input.fill(tooLong);
    await sendButton.click();
    await ann.locator('#error', { hasText: 'Not sent: text must be at most 500 characters' }).waitFor();
    expect(await input.inputValue()).toBe(tooLong);
    expect(await sendButton.isEnabled()).toBe(true);

    await send(ann, 'shorter now'); // fixed, sent: the box and the error clear
    expect(await ann.locator('#error').textContent()).toBe('');
    await bob.locator('#messages li', { hasText: 'shorter now' }).waitFor();
    expect(await bob.locator('#messages li', { hasText: 'yyy' }).count()).toBe(0);
  });

  it('shows hostile text as text for the other person, and runs none of it', async () => {
    const [ann, bob] = [await arrive(), await arrive()];
    for (const text of HOSTILE) await send(ann, text);
    await bob.locator('#messages li', { hasText: HOSTILE[2] }).waitFor();
    const annName = await ann.locator('#me').textContent();
    // The last lines: before them, the page may show earlier news (exercises 2 and 4).
    expect((await shown(bob)).slice(-HOSTILE.length)).toEqual(HOSTILE.map((text) => `${annName}: ${text}`));
    expect(await bob.locator('#messages img, #messages script, #messages b').count()).toBe(0);
    expect(await wasPwned(ann)).toBe(false);
    expect(await wasPwned(bob)).toBe(false);
  });
});

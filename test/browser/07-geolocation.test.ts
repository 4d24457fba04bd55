import { expect } from 'expect';
import type { Page } from 'playwright-core';
import { useLesson } from '../helpers';
import { HOSTILE, wasPwned } from './harness';
import { giveUpOnTheQuestion, ignoreTheQuestion, IN_LONDON, LONDON_MAP, recordLabels, scene, send, sendLocation, shown } from './scenes/07-geolocation';
import { describeInBrowser } from './suite';

describeInBrowser('07 geolocation', (open) => {
  const lesson = useLesson(scene.start, scene.options);

  /** Opens a page and waits for its welcome. */
  async function arrive(options = {}): Promise<Page> {
    const { page } = await open(lesson().url, options);
    await page.locator('#messages li.admin', { hasText: 'Welcome to the chat!' }).waitFor();
    return page;
  }

  it('shares a location as a map link that both people see, opening in a new tab safely', async () => {
    const pages: Page[] = [];
    await scene.play(async (url, options) => {
      const person = await open(url, options);
      pages.push(person.page);
      return person;
    }, lesson());
    const [ann, bob] = pages;
    const [annName, bobName] = [await ann.locator('#me').textContent(), await bob.locator('#me').textContent()];
    const chat = [
      `${bobName}: Where are you? I am waiting at the station.`,
      `${annName}: Nearly there. Here, see for yourself:`,
      // The link's words, and maybe more after them (exercise 1 adds the numbers).
      expect.stringMatching(new RegExp(`^${annName}: My current location`)),
    ];
    expect(await shown(ann)).toEqual(['Admin: Welcome to the chat!', 'Admin: A new user joined', ...chat]);
    expect(await shown(bob)).toEqual(['Admin: Welcome to the chat!', ...chat]);
    for (const page of [ann, bob]) {
      // Looked at, never followed: the map is on another machine.
      const link = page.locator('#messages li a');
      expect(await link.count()).toBe(1);
      expect(await link.getAttribute('href')).toBe(LONDON_MAP);
      expect(await link.getAttribute('target')).toBe('_blank');
      expect((await link.getAttribute('rel'))?.split(' ')).toContain('noopener');
      expect(await page.locator('#location-note').textContent()).toBe('');
    }
  });

  it('says clearly when the browser may not tell where you are, and the button comes back', async () => {
    const bob = await arrive(IN_LONDON);
    const ann = await arrive(); // no permission granted: the browser says no
    await ann.locator('#send-location').click();
    await ann.locator('#location-note', { hasText: 'You did not allow this page to see your location.' }).waitFor();
    const button = ann.locator('#send-location');
    expect(await button.isEnabled()).toBe(true);
    expect(await ann.locator('#send-location').textContent()).toBe('Send location');
    // Granted, the same page can share it: the button works again.
    await ann.context().grantPermissions(['geolocation']);
    await ann.context().setGeolocation({ latitude: 51.5, longitude: -0.12 });
    await sendLocation(ann);
    await bob.locator('#messages li a', { hasText: 'My current location' }).waitFor();
    expect(await ann.locator('#location-note').textContent()).toBe('');
  });

  it('says "Locating…", then "Sending…", on a button that is off until the server answers', async () => {
    const ann = await arrive(IN_LONDON);
    const labels = await recordLabels(ann);
    await sendLocation(ann);
    expect(await labels()).toEqual(['Locating…', 'Sending…', 'Send location']);
  });

  it('gives up after 15 seconds when nobody answers the browser’s question, and ignores a late answer', async () => {
    const bob = await arrive(IN_LONDON);
    const ann = await arrive();
    await ignoreTheQuestion(ann);
    await ann.locator('#messages li', { hasText: 'Welcome to the chat!' }).waitFor();
    await giveUpOnTheQuestion(ann); // and the user answers at last: the page sends nothing
    await send(ann, 'Never mind.');
    await bob.locator('#messages li', { hasText: 'Never mind.' }).waitFor();
    expect(await bob.locator('#messages li a').count()).toBe(0);
    expect(await ann.locator('#send-location').textContent()).toBe('Send location');
  });

  it('shows hostile text as text for the other person, and runs none of it', async () => {
    const [ann, bob] = [await arrive(), await arrive()];
    for (const text of HOSTILE) await send(ann, text);
    await bob.locator('#messages li', { hasText: HOSTILE[2] }).waitFor();
    const annName = await ann.locator('#me').textContent();
    expect((await shown(bob)).slice(1)).toEqual(HOSTILE.map((text) => `${annName}: ${text}`));
    expect(await bob.locator('#messages img, #messages script, #messages b, #messages a').count()).toBe(0);
    expect(await wasPwned(ann)).toBe(false);
    expect(await wasPwned(bob)).toBe(false);
  });
});

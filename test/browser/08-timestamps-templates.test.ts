import { expect } from 'expect';
import moment from 'moment';
import type { Page } from 'playwright-core';
import { useLesson } from '../helpers';
import { fillTheList, scroll } from './chat-helpers';
import { HOSTILE, wasPwned } from './harness';
import { giveUpOnTheQuestion, ignoreTheQuestion, IN_LONDON, LONDON_MAP, recordLabels, scene, send, sendLocation, shown } from './scenes/08-timestamps-templates';
import { describeInBrowser } from './suite';

describeInBrowser('08 timestamps and templates', (open) => {
  const lesson = useLesson(scene.start, scene.options);

  /** Opens a page and waits for its welcome. */
  async function arrive(options = {}): Promise<Page> {
    const { page } = await open(lesson().url, options);
    await page.locator('.message.admin .message__body', { hasText: 'Welcome to the chat!' }).waitFor();
    return page;
  }

  it('shows both people every message with its time (h:mm a), and locations as safe links', async () => {
    const started = Date.now();
    const pages: Page[] = [];
    await scene.play(async (url, options) => {
      const person = await open(url, options);
      pages.push(person.page);
      return person;
    }, lesson());
    const [ann, bob] = pages;
    const [annName, bobName] = [await ann.locator('#me').textContent(), await bob.locator('#me').textContent()];
    const chat = [
      `${bobName}: Morning! Are we still on for coffee?`,
      `${annName}: Yes! I found a quiet place, here it is:`,
      `${annName}: My current location`,
      `${bobName}: Perfect, I can walk there. See you in ten minutes.`,
    ];
    expect(await shown(ann)).toEqual(['Admin: Welcome to the chat!', 'Admin: A new user joined', ...chat]);
    expect(await shown(bob)).toEqual(['Admin: Welcome to the chat!', ...chat]);
    expect(await ann.locator('.message.mine').count()).toBe(2);
    expect(await bob.locator('.message.mine').count()).toBe(2);
    expect(await ann.locator('.message.admin').count()).toBe(2);

    for (const page of [ann, bob]) {
      const times = await page.locator('.message time').evaluateAll((items) =>
        items.map((time) => ({ text: time.textContent!, iso: time.getAttribute('datetime')!, full: time.getAttribute('title')! })),
      );
      expect(times.length).toBe((await shown(page)).length);
      for (const { text, iso, full } of times) {
        expect(text).toMatch(/^(1[0-2]|[1-9]):[0-5]\d (am|pm)$/);
        // The page and this test share the machine's time zone.
        expect(text).toBe(moment(iso).format('h:mm a'));
        expect(full).toBe(moment(iso).format('LLLL'));
        expect(Date.parse(iso)).toBeGreaterThanOrEqual(started - 1000);
        expect(Date.parse(iso)).toBeLessThanOrEqual(Date.now() + 1000);
      }
      // Looked at, never followed: the map is on another machine.
      const link = page.locator('.message__body a');
      expect(await link.count()).toBe(1);
      expect(await link.getAttribute('href')).toBe(LONDON_MAP);
      expect(await link.getAttribute('target')).toBe('_blank');
      expect((await link.getAttribute('rel'))?.split(' ')).toContain('noopener');
      expect(await page.locator('#location-note').isHidden()).toBe(true);
    }
  });

  it('says clearly when the browser may not tell where you are, and the button comes back', async () => {
    const ann = await arrive(); // no permission granted: the browser says no
    await ann.locator('#send-location').click();
    await ann.locator('#location-note', { hasText: 'You did not allow this page to see your location.' }).waitFor();
    const button = ann.locator('#send-location');
    expect(await button.isEnabled()).toBe(true);
    expect(await ann.locator('#send-location').textContent()).toBe('Send location');
    await ann.context().grantPermissions(['geolocation']);
    await ann.context().setGeolocation({ latitude: 51.5, longitude: -0.12 });
    await sendLocation(ann);
    await ann.locator('.message.mine .message__body a', { hasText: 'My current location' }).waitFor();
    expect(await ann.locator('#location-note').isHidden()).toBe(true);
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
    await ann.locator('.message__body', { hasText: 'Welcome to the chat!' }).waitFor();
    await giveUpOnTheQuestion(ann); // and the user answers at last: the page sends nothing
    await send(ann, 'Never mind.');
    await bob.locator('.message__body', { hasText: 'Never mind.' }).waitFor();
    expect(await bob.locator('.message__body a').count()).toBe(0);
    expect(await ann.locator('#send-location').textContent()).toBe('Send location');
  });

  it('follows new messages at the bottom, and leaves a reader who scrolled up alone', async () => {
    const [ann, bob] = [await arrive(), await arrive()];
    const full = await fillTheList((text) => send(bob, text), ann); // the list overflows: there is somewhere to scroll
    expect(full.fromBottom).toBeLessThanOrEqual(1); // and Ann, at the bottom, followed

    // Ann scrolls up to read; a new message must not pull her down.
    await ann.locator('#messages').evaluate((list) => (list.scrollTop = 0));
    await send(bob, 'Are you still there?');
    await ann.locator('.message__body', { hasText: 'Are you still there?' }).waitFor();
    expect((await scroll(ann)).top).toBe(0);

    // Back at the bottom, she follows again.
    await ann.locator('#messages').evaluate((list) => (list.scrollTop = list.scrollHeight));
    await send(bob, 'Hello?');
    await ann.locator('.message__body', { hasText: 'Hello?' }).waitFor();
    expect((await scroll(ann)).fromBottom).toBeLessThanOrEqual(1);

    // Scrolled up, her own message still brings her down: she wants to see what she sent.
    await ann.locator('#messages').evaluate((list) => (list.scrollTop = 0));
    await send(ann, 'Yes, sorry, I was reading.');
    expect((await scroll(ann)).fromBottom).toBeLessThanOrEqual(1);
  });

  it('shows hostile text as text for the other person, and runs none of it', async () => {
    const [ann, bob] = [await arrive(), await arrive()];
    for (const text of HOSTILE) await send(ann, text);
    await bob.locator('.message__body', { hasText: HOSTILE[2] }).waitFor();
    const annName = await ann.locator('#me').textContent();
    expect((await shown(bob)).slice(1)).toEqual(HOSTILE.map((text) => `${annName}: ${text}`));
    expect(await bob.locator('#messages img, #messages script, #messages b, #messages a').count()).toBe(0);
    expect(await wasPwned(ann)).toBe(false);
    expect(await wasPwned(bob)).toBe(false);
  });
});

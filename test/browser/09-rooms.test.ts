import { expect } from 'expect';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { useLesson } from '../helpers';
import { fillTheList, mapLinks, scroll } from './chat-helpers';
import { HOSTILE, wasPwned } from './harness';
import { giveUpOnTheQuestion, ignoreTheQuestion, IN_LONDON, LONDON_MAP, recordLabels, sendLocation } from './scenes/07-geolocation';
import { joinAs, scene, send } from './scenes/09-rooms';
import { describeInBrowser } from './suite';

describeInBrowser('09 rooms', (open) => {
  const lesson = useLesson(scene.start, scene.options);

  /** Opens the join page and joins `room` as `name`. */
  async function arrive(name: string, room: string, options: BrowserContextOptions = {}): Promise<Page> {
    const { page } = await open(lesson().url, options);
    await joinAs(page, name, room);
    return page;
  }

  it('joins from the join page, chats in the room, and keeps other rooms out', async () => {
    const ann = await scene.play(open, lesson());
    const cy = (await open(lesson().url)).page;
    await joinAs(cy, 'Cy', 'Kitchen');
    await send(cy, 'Kitchen only');
    await send(ann, 'Lobby only');
    await send(cy, 'anyone?'); // by the time Cy sees this, a leak would have arrived too
    expect(await cy.locator('.message__body', { hasText: 'Lobby only' }).count()).toBe(0);
    expect(await ann.locator('.message__body', { hasText: 'Kitchen only' }).count()).toBe(0);
    expect(await ann.locator('#room').textContent()).toBe('Lobby');
    expect(await ann.locator('#users li').allTextContents()).toEqual(['Ann (you)']);
  });

  it('shows other people’s HTML as text', async () => {
    const [ann, bob] = [(await open(lesson().url)).page, (await open(lesson().url)).page];
    await joinAs(ann, 'Ann', 'Attic');
    await joinAs(bob, 'Bob', 'Attic');
    for (const text of HOSTILE) await send(ann, text);
    await bob.locator('.message__body', { hasText: HOSTILE[2] }).waitFor();
    expect(await wasPwned(ann)).toBe(false);
    expect(await wasPwned(bob)).toBe(false);
  });

  it('sends a refused join back to the join page, with the reason and what was typed', async () => {
    const { page } = await open(`${lesson().url}/chat.html?name=${encodeURIComponent('  ')}&room=Lobby`);
    await page.waitForURL(/index\.html\?/);
    expect(await page.locator('#error').textContent()).toBe('Could not join: name must not be empty.');
    expect(await page.locator('#room').inputValue()).toBe('Lobby');
  });

  // Showing and sending locations, and following new messages, are
  // shared/public/chat-view.ts: these tests are the ones that run it in a browser.
  // What should come within a moment is awaited for 5 s, so a failure names what never came.
  const SOON = { timeout: 5000 };

  it('sends a location as a safe map link to both people in the room, and not to another room', async () => {
    const ann = await arrive('Ann', 'Lobby', IN_LONDON);
    const bob = await arrive('Bob', 'Lobby', IN_LONDON);
    const cy = await arrive('Cy', 'Kitchen', IN_LONDON);
    await sendLocation(ann);
    await bob.locator('.message__body a', { hasText: 'My current location' }).waitFor(SOON);
    await send(cy, 'anyone?'); // by the time Cy sees this, a leak would have arrived too
    const link = { text: 'My current location', href: LONDON_MAP, target: '_blank', rel: expect.arrayContaining(['noopener']) };
    expect(await mapLinks(ann)).toEqual([{ ...link, mine: true }]);
    expect(await mapLinks(bob)).toEqual([{ ...link, mine: false }]);
    expect(await mapLinks(cy)).toEqual([]);
    expect(await ann.locator('#location-note').isHidden()).toBe(true);
  });

  it('says clearly when the browser may not tell where you are, and the button comes back', async () => {
    const ann = await arrive('Ann', 'Porch'); // no permission granted: the browser says no
    await ann.locator('#send-location').click();
    await ann.locator('#location-note', { hasText: 'You did not allow this page to see your location.' }).waitFor(SOON);
    const button = ann.locator('#send-location');
    expect(await button.isEnabled()).toBe(true);
    expect(await ann.locator('#send-location').textContent()).toBe('Send location');
    expect(await mapLinks(ann)).toEqual([]);
    // Allowed now: the next try works, and the note goes.
    await ann.context().grantPermissions(['geolocation']);
    await ann.context().setGeolocation({ latitude: 51.5, longitude: -0.12 });
    await sendLocation(ann);
    await ann.locator('.message.mine .message__body a', { hasText: 'My current location' }).waitFor(SOON);
    expect(await ann.locator('#location-note').isHidden()).toBe(true);
  });

  it('says "Locating…", then "Sending…", then "Send location" again on the location button', async () => {
    const ann = await arrive('Ann', 'Study', IN_LONDON);
    const labels = await recordLabels(ann);
    await sendLocation(ann);
    expect(await labels()).toEqual(['Locating…', 'Sending…', 'Send location']);
  });

  it('gives up after 15 seconds when nobody answers the browser’s question, and ignores a late answer', async () => {
    const bob = await arrive('Bob', 'Hall', IN_LONDON);
    const ann = await arrive('Ann', 'Hall');
    await ignoreTheQuestion(ann); // reloads: Ann joins again
    await ann.locator('#room', { hasText: 'Hall' }).waitFor();
    await giveUpOnTheQuestion(ann); // and the user answers at last: the page sends nothing
    await send(ann, 'Never mind.');
    await bob.locator('.message__body', { hasText: 'Never mind.' }).waitFor();
    expect(await mapLinks(bob)).toEqual([]);
  });

  it('follows new messages at the bottom, leaves a reader who scrolled up alone, and brings you down to your own', async () => {
    const ann = await arrive('Ann', 'Library');
    const bob = await arrive('Bob', 'Library');
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
});

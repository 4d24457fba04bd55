import { expect } from 'expect';
import type { Page } from 'playwright-core';
import type { Socket } from 'socket.io-client';
import { connect, useLesson } from '../helpers';
import { mapLinks } from './chat-helpers';
import { HOSTILE, wasPwned } from './harness';
import { IN_LONDON, LONDON_MAP, sendLocation } from './scenes/07-geolocation';
import { joinAs, scene, send } from './scenes/10-users';
import { describeInBrowser } from './suite';

const people = (page: Page) => page.locator('#users li').allTextContents();

/** `name` as a whole word: a page may say more around it, as in "Ann (you)". */
const word = (name: string) => new RegExp(`(?<![\\p{L}\\p{N}])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}\\p{N}])`, 'u');

/** Waits until the page's user list shows exactly `names`, one an item, in order (an item may say more: "Ann (you)"). */
async function expectPeople(page: Page, names: string[]): Promise<void> {
  const shown = await page
    .waitForFunction(
      (patterns) => {
        const items = [...document.querySelectorAll('#users li')].map((li) => li.textContent ?? '');
        return items.length === patterns.length && patterns.every((pattern, i) => new RegExp(pattern, 'u').test(items[i]));
      },
      names.map((name) => word(name).source),
      { timeout: 5000 },
    )
    .then(() => true, () => false);
  if (!shown) expect(await people(page)).toEqual(names); // fails, saying what the list shows
}

describeInBrowser('10 users', (open) => {
  const lesson = useLesson(scene.start, scene.options);

  it('lists the people in the room, live, as they come and go', async () => {
    const ann = await scene.play(open, lesson());
    await expectPeople(ann, ['Ann', 'Bob', 'Cy']);
    expect(await ann.locator('#users li.me').textContent()).toMatch(word('Ann'));
    expect(await ann.locator('#user-count').textContent()).toBe('(3)');
    const dee = await open(lesson().url);
    await joinAs(dee.page, 'Dee', 'Lobby');
    await expectPeople(ann, ['Ann', 'Bob', 'Cy', 'Dee']);
    await dee.close();
    await expectPeople(ann, ['Ann', 'Bob', 'Cy']);
    await ann.locator('.message__body', { hasText: 'Dee has left' }).waitFor();
  });

  it('switches rooms from the sidebar: both rooms’ lists change', async () => {
    const [ann, bob] = [(await open(lesson().url)).page, (await open(lesson().url)).page];
    await joinAs(ann, 'Ann', 'Attic');
    await joinAs(bob, 'Bob', 'Attic');
    await expectPeople(ann, ['Ann', 'Bob']);
    await bob.locator('#switch-room').fill('Cellar');
    await bob.locator('#switch-button').click();
    await bob.locator('#room', { hasText: 'Cellar' }).waitFor();
    await expectPeople(bob, ['Bob']);
    await expectPeople(ann, ['Ann']);
    expect(new URL(bob.url()).searchParams.get('room')).toBe('Cellar');
    await send(bob, 'down here');
    await send(ann, 'up here');
    expect(await ann.locator('.message__body', { hasText: 'down here' }).count()).toBe(0);
  });

  // Lesson 09's tests cover locations through shared/public/chat-view.ts; what 10 adds is
  // switching rooms on the same page, and a location must follow the switch.
  it('sends a location to the room switched to, not the one left', async () => {
    const [ann, bob, cy] = [(await open(lesson().url)).page, (await open(lesson().url, IN_LONDON)).page, (await open(lesson().url)).page];
    await joinAs(ann, 'Ann', 'Attic');
    await joinAs(bob, 'Bob', 'Attic');
    await joinAs(cy, 'Cy', 'Cellar');
    await bob.locator('#switch-room').fill('Cellar');
    await bob.locator('#switch-button').click();
    await expectPeople(cy, ['Cy', 'Bob']);
    await sendLocation(bob);
    await cy.locator('.message__body a', { hasText: 'My current location' }).waitFor({ timeout: 5000 });
    await send(ann, 'anyone?'); // by the time Ann sees this, a leak would have arrived too
    const link = { text: 'My current location', href: LONDON_MAP, target: '_blank', rel: expect.arrayContaining(['noopener']) };
    expect(await mapLinks(bob)).toEqual([{ ...link, mine: true }]);
    expect(await mapLinks(cy)).toEqual([{ ...link, mine: false }]);
    expect(await mapLinks(ann)).toEqual([]);
  });

  it('shows why a switch was refused, and stays put', async () => {
    const [ann, bob] = [(await open(lesson().url)).page, (await open(lesson().url)).page];
    await joinAs(ann, 'Ann', 'Garden');
    await joinAs(bob, 'ann', 'Shed');
    await bob.locator('#switch-room').fill('garden');
    await bob.locator('#switch-button').click();
    await bob.locator('#switch-error', { hasText: 'the name "Ann" is taken in room "Garden"' }).waitFor();
    expect(await bob.locator('#room').textContent()).toBe('Shed');
  });

  it('rejoins after a reconnect, waiting while the server still holds the old connection', async () => {
    const ann = (await open(lesson().url)).page;
    await joinAs(ann, 'Ann', 'Deck');
    const ghost = await connect<Socket>(lesson().url);
    const [old] = [...lesson().io!.of('/').sockets.values()].filter((socket) => socket.rooms.has('room:deck'));
    // The page's connection drops, and the page reconnects about a second later.
    old.conn.close();
    // Meanwhile another socket takes her name, as her old one would if the server had not
    // noticed it was dead.
    await expect(ghost.timeout(1000).emitWithAck('join', { name: 'Ann', room: 'Deck' })).resolves.toMatchObject({ ok: true });
    await ann.locator('#error', { hasText: 'Rejoining Deck… (the name "Ann" is taken in room "Deck")' }).waitFor();
    ghost.close(); // the server lets go of the name at last
    await ann.locator('#error').waitFor({ state: 'hidden' });
    expect(new URL(ann.url()).pathname).toMatch(/\/chat\.html$/);
    await expectPeople(ann, ['Ann']);
    await send(ann, 'Back again.');
  });

  it('sends someone whose name is taken back to the join page, and keeps names as text', async () => {
    const ann = (await open(lesson().url)).page;
    await joinAs(ann, HOSTILE[0].slice(0, 30), 'Porch');
    const { page } = await open(`${lesson().url}/chat.html?${new URLSearchParams({ name: HOSTILE[0].slice(0, 30), room: 'porch' })}`);
    await page.waitForURL(/index\.html\?/);
    expect(await page.locator('#error').textContent()).toContain('is taken in room "Porch"');
    expect(await wasPwned(ann)).toBe(false);
    expect(await wasPwned(page)).toBe(false);
  });
});

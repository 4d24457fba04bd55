import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'expect';
import type { Page } from 'playwright-core';
import type { Socket } from 'socket.io-client';
import { GAP_NOTICE } from '../../lessons/12-delivery/catch-up';
import { start } from '../../lessons/12-delivery/server';
import type { RunningLesson } from '../../shared/run';
import { connect, useLesson } from '../helpers';
import type { Person } from './harness';
import { HOSTILE, wasPwned } from './harness';
import { expectedFailures, goOffline, joinAs, scene, send } from './scenes/12-delivery';
import { describeInBrowser } from './suite';

/** How many times each message text shows on a page. */
const counts = (page: Page) =>
  page.locator('.message__body').evaluateAll((bodies) => {
    const seen: Record<string, number> = {};
    for (const body of bodies) seen[body.textContent!.trim()] = (seen[body.textContent!.trim()] ?? 0) + 1;
    return seen;
  });

/** Waits until `page` shows `text`. */
const shows = (page: Page, text: string) => page.locator('.message__body', { hasText: text }).first().waitFor({ timeout: 10_000 });

/** What going offline or a server restart makes the browser report is expected: drop it from the problems. */
const forgive = (...people: Person[]) => {
  for (const person of people) person.problems.splice(0, Infinity, ...person.problems.filter((problem) => !expectedFailures(problem)));
};

describeInBrowser('12 delivery', (open) => {
  const lesson = useLesson(scene.start, scene.options);

  it('goes offline and comes back recovered: every message shows once, the one typed offline too', async function () {
    this.timeout(40_000); // twice offline: the page's reconnection waits up to 5 s between tries
    const people: Person[] = []; // everyone the scene opens: Ann goes offline twice
    const opening: typeof open = async (...args) => {
      const person = await open(...args);
      people.push(person);
      return person;
    };
    const ann = await scene.play(opening, lesson());
    expect(await ann.locator('#status').textContent()).toBe('reconnected, nothing missed');
    expect(await ann.locator('#delivery').isHidden()).toBe(true);

    // Offline again, and Ann writes: the message waits in Socket.IO's queue, then goes once.
    const bob = await open(lesson().url);
    await joinAs(bob.page, 'Bob2', 'Lobby');
    await goOffline(ann, lesson(), 'Ann');
    await ann.locator('#input').fill('typed while offline');
    await ann.locator('#send').click();
    await ann.locator('#error', { hasText: 'Offline' }).waitFor();
    await send(bob.page, 'and one from Bob2 meanwhile');
    await ann.context().setOffline(false);
    await ann.locator('#status', { hasText: 'reconnected, nothing missed' }).waitFor({ timeout: 10_000 });
    await shows(bob.page, 'typed while offline');
    await shows(ann, 'and one from Bob2 meanwhile');
    await ann.waitForFunction(() => (document.querySelector('#input') as HTMLInputElement).value === '');
    forgive(bob, ...people);
    const texts = await counts(ann);
    expect(Object.entries(texts).filter(([, n]) => n > 1)).toEqual([]);
    expect(texts['typed while offline']).toBe(1);
    expect((await counts(bob.page))['typed while offline']).toBe(1);
  });

  it("greets a newcomer with the room's last messages, as text", async () => {
    const [ann, bob] = [(await open(lesson().url)).page, (await open(lesson().url)).page];
    await joinAs(ann, 'Ann', 'Attic');
    for (const text of HOSTILE) await send(ann, text);
    await send(ann, 'the last one');
    await joinAs(bob, 'Bob', 'attic');
    await shows(bob, 'the last one');
    const bodies = await bob.locator('.message__body').allTextContents();
    expect(bodies.map((body) => body.trim())).toEqual(['Welcome to Attic, Bob!', ...HOSTILE, 'the last one']);
    expect(await wasPwned(bob)).toBe(false);
  });
});

describeInBrowser('12 delivery, a server restart', (open) => {
  let dir: string;
  let lesson: RunningLesson | undefined;
  before(() => (dir = mkdtempSync(path.join(tmpdir(), 'lesson12-browser-'))));
  after(async () => {
    await lesson?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('comes back after a restart: rejoins, gets what it missed from the store, sends what waited, each once', async function () {
    this.timeout(40_000); // the pages' reconnection waits up to 5 s between tries
    const dbFile = path.join(dir, 'chat.db');
    lesson = await start({ dbFile, port: 0 });
    const port = Number(new URL(lesson.url).port);
    const [annPerson, bobPerson] = [await open(lesson.url), await open(lesson.url)];
    const [ann, bob] = [annPerson.page, bobPerson.page];
    await joinAs(ann, 'Ann', 'Lobby');
    await joinAs(bob, 'Bob', 'Lobby');
    await send(ann, 'before the restart');
    await shows(bob, 'before the restart');

    await lesson.close(); // Ctrl-C
    await bob.locator('#status', { hasText: 'disconnected' }).waitFor();
    await ann.locator('#status', { hasText: 'disconnected' }).waitFor();
    await bob.locator('#input').fill('sent while the server was down');
    await bob.locator('#send').click();
    await bob.locator('#error', { hasText: 'Offline' }).waitFor();
    lesson = await start({ dbFile, port }); // npm start -- 12, again

    for (const page of [ann, bob]) await page.locator('#status', { hasText: /^reconnected$/ }).waitFor({ timeout: 15_000 });
    await ann.locator('#delivery', { hasText: /did not recover this connection.*rejoined Lobby and asked for every message after #\d+/ }).waitFor();
    await shows(ann, 'sent while the server was down');
    await bob.waitForFunction(() => (document.querySelector('#input') as HTMLInputElement).value === '');
    await send(ann, 'after the restart');
    await shows(bob, 'after the restart');
    forgive(annPerson, bobPerson);
    for (const page of [ann, bob]) {
      const texts = await counts(page);
      expect([texts['before the restart'], texts['sent while the server was down'], texts['after the restart']]).toEqual([1, 1, 1]);
    }
  });
});

describeInBrowser('12 delivery, a gap', (open) => {
  // No recovery at all, and a store that keeps 2 messages per room: a page back from offline
  // rejoins from the store, which has lost some of what it missed.
  const lesson = useLesson(start, { dbFile: ':memory:', maxStoredPerRoom: 2, keepStoredMs: 0, recoveryRateLimit: { burst: 0, perSecond: 0 } });

  it('says so when some messages it missed are no longer stored, and shows the rest', async function () {
    this.timeout(30_000); // the page's reconnection waits up to 5 s
    const annPerson = await open(lesson().url);
    const ann = annPerson.page;
    await joinAs(ann, 'Ann', 'Gap');
    const bob = await connect<Socket>(lesson().url);
    await bob.timeout(1000).emitWithAck('join', { name: 'Bob', room: 'Gap' });
    await bob.timeout(1000).emitWithAck('createMessage', { text: 'seen' });
    await shows(ann, 'seen');
    await goOffline(ann, lesson(), 'Ann');
    for (const text of ['lost', 'kept 1', 'kept 2']) await bob.timeout(1000).emitWithAck('createMessage', { text });
    await ann.context().setOffline(false);
    await ann.locator('#delivery', { hasText: GAP_NOTICE }).waitFor({ timeout: 15_000 });
    await shows(ann, 'kept 2');
    forgive(annPerson);
    const bodies = (await ann.locator('.message__body').allTextContents()).map((body) => body.trim());
    expect(bodies.slice(-3)).toEqual([GAP_NOTICE, 'kept 1', 'kept 2']);
    expect(bodies).not.toContain('lost');
  });
});

import { expect } from 'expect';
import { useLesson } from '../helpers';
import { HOSTILE, wasPwned } from './harness';
import { joinAs, scene, send } from './scenes/09-rooms';
import { describeInBrowser } from './suite';

describeInBrowser('09 rooms', (open) => {
  const lesson = useLesson(scene.start, scene.options);

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
});

import { start } from '../../../lessons/10-users/server';
import { joinAs, send } from './09-rooms';
import type { Scene } from './scene';

export { joinAs, send };

export const scene: Scene = {
  lesson: '10-users',
  start,
  async play(open, lesson) {
    const [ann, bob, cy] = [await open(lesson.url), await open(lesson.url), await open(lesson.url)];
    await joinAs(ann.page, 'Ann', 'Lobby');
    await joinAs(bob.page, 'Bob', 'lobby'); // the same room: case does not matter
    await joinAs(cy.page, 'Cy', 'LOBBY');
    await send(ann.page, 'Hi both! The list on the left shows who is here.');
    await send(bob.page, 'And it changes as people come and go.');
    await ann.page.locator('#users li', { hasText: 'Cy' }).waitFor();
    await ann.page.locator('.message__body', { hasText: 'come and go' }).waitFor();
    return ann.page;
  },
};

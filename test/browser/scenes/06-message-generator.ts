import { start } from '../../../lessons/06-message-generator/server';
import { send } from './05-chat';
import type { Scene } from './scene';

export { send, shown } from './05-chat';

export const scene: Scene = {
  lesson: '06-message-generator',
  start,
  async play(open, lesson) {
    const ann = await open(lesson.url);
    await ann.page.locator('#messages li', { hasText: 'Welcome to the chat!' }).waitFor();
    const bob = await open(lesson.url);
    await bob.page.locator('#messages li', { hasText: 'Welcome to the chat!' }).waitFor();
    await ann.page.locator('#messages li', { hasText: 'A new user joined' }).waitFor();
    await send(ann.page, 'Oh, hello! Who just joined?');
    await send(bob.page, 'Me! The server welcomed me, and told you I came.');
    await ann.page.locator('#messages li', { hasText: 'told you I came' }).waitFor();
    return ann.page;
  },
};

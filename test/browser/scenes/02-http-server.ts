import { start } from '../../../lessons/02-http-server/server';
import type { Scene } from './scene';

export const scene: Scene<{ intervalMs: number }> = {
  lesson: '02-http-server',
  start,
  options: { intervalMs: 200 },
  async play(open, lesson) {
    const alice = await open(lesson.url);
    await alice.page.locator('#status.connected').waitFor();
    const bob = await open(lesson.url);
    await bob.page.locator('#status.connected').waitFor();
    await alice.page.locator('#count', { hasText: '2' }).waitFor();
    return alice.page;
  },
};

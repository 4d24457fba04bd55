import { start } from '../../../lessons/03-acknowledgements/server';
import type { Scene } from './scene';

export const scene: Scene = {
  lesson: '03-acknowledgements',
  start,
  async play(open, lesson) {
    const { page } = await open(lesson.url);
    await page.locator('#status.connected').waitFor();
    await page.fill('#text', 'hello there');
    await page.click('#shout button[type=submit]');
    await page.locator('#answers li.ok').waitFor();
    await page.click('#empty');
    await page.locator('#answers li.error').waitFor();
    return page;
  },
};

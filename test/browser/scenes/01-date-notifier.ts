import { start } from '../../../lessons/01-date-notifier/server';
import type { Scene } from './scene';

export const scene: Scene<{ intervalMs: number }> = {
  lesson: '01-date-notifier',
  start,
  options: { intervalMs: 200 },
  async play(open, lesson) {
    const [alice, bob] = [await open(lesson.pageUrl!), await open(lesson.pageUrl!)];
    for (const { page } of [alice, bob]) {
      await page.locator('#status.connected').waitFor();
      await page.waitForFunction(() => Number(document.querySelector('#count')?.textContent) >= 3);
    }
    return alice.page;
  },
};

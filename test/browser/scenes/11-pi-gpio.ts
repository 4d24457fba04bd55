import { start } from '../../../lessons/11-pi-gpio/server';
import type { Scene } from './scene';

export const scene: Scene<{ simulate: boolean; keyboard: boolean }> = {
  lesson: '11-pi-gpio',
  start,
  options: { simulate: true, keyboard: false },
  async play(open, lesson) {
    const [alice, bob] = [await open(lesson.url), await open(lesson.url)];
    for (const { page } of [alice, bob]) await page.locator('#status.connected').waitFor();
    await alice.page.click('#trigger');
    await alice.page.click('#switch');
    await bob.page.locator('#led-text', { hasText: /on/i }).waitFor();
    await alice.page.locator('#led-text', { hasText: /on/i }).waitFor();
    return alice.page;
  },
};

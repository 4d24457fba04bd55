import { expect } from 'expect';
import { useLesson } from '../helpers';
import { scene } from './scenes/01-date-notifier';
import { describeInBrowser } from './suite';

describeInBrowser('01 date notifier', (open) => {
  const lesson = useLesson(scene.start, scene.options);

  it('shows the date, updating, in two browsers at once', async () => {
    const page = await scene.play(open, lesson());
    const first = await page.locator('#date').textContent();
    await page.waitForFunction((shown) => document.querySelector('#date')?.textContent !== shown, first);
    expect(await page.locator('#date').textContent()).toMatch(/\d{1,2}:\d\d:\d\d/);
    expect(await page.locator('#server').textContent()).toBe(lesson().url);
  });
});

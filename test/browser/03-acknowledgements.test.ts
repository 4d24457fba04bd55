import { expect } from 'expect';
import { useLesson } from '../helpers';
import { HOSTILE, wasPwned } from './harness';
import { scene } from './scenes/03-acknowledgements';
import { describeInBrowser } from './suite';

describeInBrowser('03 acknowledgements', (open) => {
  const lesson = useLesson(scene.start);

  it('shows the shouted answer and the refusal', async () => {
    const page = await scene.play(open, lesson());
    expect(await page.locator('#answers li.ok').textContent()).toContain('HELLO THERE');
    expect(await page.locator('#answers li.error').first().textContent()).toMatch(/refused: .*empty/);
    await page.click('#number');
    await page.locator('#answers li.error', { hasText: 'string' }).waitFor();
  });

  it('shows hostile text as text, and runs none of it', async () => {
    const { page } = await open(lesson().url);
    for (const text of HOSTILE) {
      await page.fill('#text', text);
      await page.click('#shout button[type=submit]');
    }
    await page.waitForFunction((n) => document.querySelectorAll('#answers li.ok').length === n, HOSTILE.length);
    expect(await page.locator('#answers li.ok').first().textContent()).toContain('<B ONMOUSEOVER');
    expect(await page.locator('#answers img, #answers script, #answers b').count()).toBe(0);
    expect(await wasPwned(page)).toBe(false);
  });
});

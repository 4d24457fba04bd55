import { expect } from 'expect';
import { useLesson } from '../helpers';
import { scene } from './scenes/11-pi-gpio';
import { describeInBrowser } from './suite';

describeInBrowser('11 pi gpio (simulated pins)', (open) => {
  const lesson = useLesson(scene.start, scene.options);

  it('the sensor and the LED update in both tabs', async () => {
    const alice = await scene.play(open, lesson());
    expect(await alice.locator('#simulated').isVisible()).toBe(true);
    const bob = (await open(lesson().url)).page;
    await bob.locator('#status.connected').waitFor();
    const sensorBefore = await bob.locator('#sensor-text').textContent();
    await alice.click('#trigger');
    await bob.waitForFunction((shown) => document.querySelector('#sensor-text')?.textContent !== shown, sensorBefore);
    expect(await alice.locator('#sensor-text').textContent()).toBe(await bob.locator('#sensor-text').textContent());
    await bob.click('#switch');
    await alice.locator('#led-text', { hasText: /off/i }).waitFor();
    await bob.locator('#led-text', { hasText: /off/i }).waitFor();
  });
});

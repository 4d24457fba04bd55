import { expect } from 'expect';
import { useLesson } from '../helpers';
import { scene } from './scenes/02-http-server';
import { describeInBrowser } from './suite';

describeInBrowser('02 http server', (open) => {
  const lesson = useLesson(scene.start, scene.options);

  it('says hello, shows the date, and counts clients live as a tab comes and goes', async () => {
    const page = await scene.play(open, lesson());
    expect(await page.locator('#hello').textContent()).not.toContain('waiting');
    await page.locator('#date', { hasText: /\d:\d\d/ }).waitFor();
    const carol = await open(lesson().url);
    await page.locator('#count', { hasText: '3' }).waitFor();
    await carol.close();
    await page.locator('#count', { hasText: '2' }).waitFor();
  });
});

import { expect } from 'expect';
import type { Page } from 'playwright-core';
import type { ScaleOut } from '../../lessons/13-scale-out/server';
import { joinAs, scene, send, workerOfPage } from './scenes/13-scale-out';
import { describeInBrowser } from './suite';

/** How many times each message text shows on a page. */
const counts = (page: Page) =>
  page.locator('.message__body').evaluateAll((bodies) => {
    const seen: Record<string, number> = {};
    for (const body of bodies) seen[body.textContent!.trim()] = (seen[body.textContent!.trim()] ?? 0) + 1;
    return seen;
  });

describeInBrowser('13 scale-out', (open) => {
  let classroom: ScaleOut | undefined;
  const error = console.error;
  before(async function () {
    this.timeout(60_000); // two workers, each loading ts-node: a few seconds on a busy machine
    console.error = () => {}; // "worker 1 (pid …) stopped (SIGKILL)": the test kills it
    classroom = (await scene.start({ ...scene.options, port: 0 })) as ScaleOut;
  });
  after(async function () {
    this.timeout(20_000);
    await classroom?.close();
    console.error = error;
  });
  const lesson = () => classroom!;

  it('serves two people from two workers through one port, long-polling first, and survives the death of one', async function () {
    this.timeout(60_000);
    const ann = await scene.play(open, lesson());
    // Every message once; Admin's welcome comes again with the rejoin, as it should.
    expect(Object.entries(await counts(ann)).filter(([text, n]) => n > 1 && !text.startsWith('Welcome to'))).toEqual([]);
    expect((await counts(ann))['Your worker just died. Did you get this?']).toBe(1);
    expect(await ann.locator('#delivery').textContent()).toContain('rejoined Lobby and asked for every message after #');
    expect(await ann.locator('#users li').allTextContents()).toEqual(['Bob', 'Ann']);
  });

  it('gives two pages of one room the same list, on whichever worker each is', async function () {
    this.timeout(30_000);
    await lesson().restarted(1, -1, 30_000); // every worker listening (after the first test killed one)
    await lesson().restarted(2, -1, 30_000);
    const [cy, dee] = [(await open(lesson().url)).page, (await open(lesson().url)).page];
    await joinAs(cy, 'Cy', 'Kitchen');
    await joinAs(dee, 'Dee', 'Kitchen');
    expect((await workerOfPage(cy, lesson())).index).not.toBe((await workerOfPage(dee, lesson())).index);
    for (const page of [cy, dee]) await page.locator('#users li', { hasText: 'Dee' }).waitFor();
    expect(await cy.locator('#users li').allTextContents()).toEqual(['Cy', 'Dee']);
    expect(await dee.locator('#users li').allTextContents()).toEqual(['Cy', 'Dee']);
    await send(dee, 'one list, two workers');
    await cy.locator('.message__body', { hasText: 'one list, two workers' }).waitFor();
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { start, type ScaleOut, type ScaleOutOptions, type WorkerInfo } from '../../../lessons/13-scale-out/server';
import type { RunningLesson } from '../../../shared/run';
import { joinAs, send } from './09-rooms';
import type { Scene } from './scene';

export { joinAs, send };

/** Lesson 13's classroom with a message store of its own, in a scratch folder that goes on close. */
export async function startInScratch(options: ScaleOutOptions & { port: number }): Promise<ScaleOut> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lesson13-browser-'));
  try {
    const lesson = await start({ dbFile: path.join(dir, 'chat.db'), ...options });
    return {
      ...lesson,
      async close() {
        await lesson.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** The worker that holds the page's Socket.IO session (the page keeps its socket on `window`). */
export async function workerOfPage(page: Page, lesson: RunningLesson): Promise<WorkerInfo> {
  await page.waitForFunction(() => (window as unknown as { socket?: { connected: boolean } }).socket?.connected === true);
  const id = await page.evaluate(() => (window as unknown as { socket: { io: { engine: { id: string } } } }).socket.io.engine.id);
  return (lesson as ScaleOut).workerOf(id);
}

/**
 * What a worker killed under a page makes the browser report: its connection
 * going, a retry refused, and a poll of the dead session, answered 400
 * "Session ID unknown" by the worker the front sent it to instead.
 */
export function expectedFailures(problem: string): boolean {
  return (
    /WebSocket connection to .* failed|ERR_CONNECTION_REFUSED|ERR_CONNECTION_RESET|ERR_EMPTY_RESPONSE|net::ERR_FAILED|status of 400/.test(problem) ||
    /^HTTP 400: \S+\/socket\.io\/\?EIO=4&transport=polling&.*sid=/.test(problem)
  );
}

export const scene: Scene<ScaleOutOptions> = {
  lesson: '13-scale-out',
  start: startInScratch,
  options: { workers: 2 },
  async play(open, lesson) {
    const [ann, bob] = [await open(lesson.url), await open(lesson.url)];
    await joinAs(ann.page, 'Ann', 'Lobby');
    await joinAs(bob.page, 'Bob', 'lobby');
    const [annOn, bobOn] = [await workerOfPage(ann.page, lesson), await workerOfPage(bob.page, lesson)];
    await send(ann.page, `Hi Bob! The front port gave me to worker ${annOn.index}.`);
    await send(bob.page, `And me to worker ${bobOn.index}. Same room all the same.`);
    await ann.page.locator('.message__body', { hasText: 'Same room all the same' }).waitFor();

    // Ann's worker dies. Her page reconnects, through the front, to the other one.
    const reconnected = ann.page.locator('#status', { hasText: /^reconnected/ }).waitFor({ timeout: 20_000 });
    process.kill(annOn.pid, 'SIGKILL');
    await ann.page.locator('#status', { hasText: 'disconnected' }).waitFor();
    await send(bob.page, 'Your worker just died. Did you get this?');
    await reconnected;
    await ann.page.locator('.message__body', { hasText: 'Did you get this?' }).waitFor({ timeout: 15_000 });
    const now = await workerOfPage(ann.page, lesson);
    await send(ann.page, `Yes, once: from the store, on worker ${now.index}.`);
    await bob.page.locator('.message__body', { hasText: 'from the store' }).waitFor();
    for (const person of [ann, bob]) person.problems.splice(0, Infinity, ...person.problems.filter((problem) => !expectedFailures(problem)));
    return ann.page;
  },
};

// The checks of lesson 13's exercises (see its README). Each starts the
// lesson's primary in this process, with 2 workers, and talks to them over
// real sockets: through the front port, or to one worker's own port.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ScaleOut, WorkerInfo } from '../../lessons/13-scale-out/server';
import { call, expectThat, show, type Check, type Client, type LessonChecks } from './check';

const options = { workers: 2, rateLimit: { burst: 100, perSecond: 100 }, joinRateLimit: { burst: 100, perSecond: 100 } };

/** Starts the classroom with its messages in a scratch folder (your data/chat.db is left alone); resolves with its two workers. */
async function classroom(t: Check): Promise<{ lesson: ScaleOut; one: WorkerInfo; two: WorkerInfo }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lesson13-check-'));
  t.onEnd(() => rmSync(dir, { recursive: true, force: true }));
  const lesson = (await t.start({ dbFile: path.join(dir, 'chat.db') })) as ScaleOut;
  const [one, two] = lesson.workers();
  expectThat(one && two, `the lesson started ${lesson.workers().length} workers; expected 2`);
  return { lesson, one, two };
}

/** A client of one worker (its own port), or of the front port. */
const on = (t: Check, url: string, listen?: (client: Client) => void) => t.connect(listen, { url });

async function joinOk(t: Check, client: Client, name: string, room: string): Promise<void> {
  await t.expectOk(client, 'join', [{ name, room }], 3000);
}

/** GET `url` as JSON; fails with a sentence when it is no JSON. */
async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (err) {
    expectThat(false, `GET ${url} failed: ${(err as Error).message}`);
  }
  const text = await response!.text();
  try {
    return { status: response!.status, body: JSON.parse(text) };
  } catch {
    expectThat(false, `GET ${new URL(url).pathname} answered ${response!.status} with ${show(text, 60)}; expected JSON`);
    throw new Error('unreachable');
  }
}

/** The rooms a /rooms answer lists, as "Name: n". */
const roomsOf = (body: unknown) =>
  Array.isArray(body) ? body.map((room: any) => `${room?.name}: ${room?.users}`).sort() : [`(not an array: ${show(body, 40)})`];

export const checks: LessonChecks = {
  lesson: '13-scale-out',
  explore: {
    '13.3': 'Without sticky sessions',
    '13.4': 'Kill a worker',
    '13.6': 'Two machines on one',
  },
  exercises: [
    {
      id: '13.1',
      title: 'Which worker am I?',
      options,
      async check(t) {
        const { lesson, one, two } = await classroom(t);
        for (const worker of [one, two]) {
          const client = await on(t, worker.url);
          await t.expectAnswer(client, 'whereAmI', [], { ok: true, worker: worker.index });
        }
        const front = await t.connect();
        const holder = await lesson.workerOf(front.io.engine.id);
        const reply = await t.ask(front, 'whereAmI', []);
        expectThat(
          reply?.ok === true && reply.worker === holder.index,
          `through the front port, ${call('whereAmI', [])} was answered ${show(reply)}; that client's session is on worker ${holder.index}`,
        );
        await t.refusesBadInput(front, 'whereAmI', {
          good: [],
          bad: [42],
          stillAnswers: () => t.expectAnswer(front, 'whereAmI', [], { ok: true, worker: holder.index }),
        });
      },
    },
    {
      id: '13.2',
      title: 'Rooms on every worker',
      options,
      async check(t) {
        const { lesson, one, two } = await classroom(t);
        const empty = await getJson(`${one.url}/rooms`);
        expectThat(
          empty.status === 200 && Array.isArray(empty.body) && empty.body.length === 0,
          `GET /rooms with nobody in answered ${empty.status} ${show(empty.body)}; expected 200 and []`,
        );
        const ann = await on(t, one.url);
        const bob = await on(t, two.url);
        const cy = await on(t, two.url);
        await joinOk(t, ann, 'Ann', 'Lobby');
        await joinOk(t, bob, 'Bob', 'lobby');
        await joinOk(t, cy, 'Cy', 'Kitchen');
        for (const [where, url] of [
          ['worker 1', one.url],
          ['worker 2', two.url],
          ['the front port', lesson.url],
        ]) {
          const { status, body } = await getJson(`${url}/rooms`);
          expectThat(
            status === 200 && show(roomsOf(body)) === show(['Kitchen: 1', 'Lobby: 2']),
            `with Ann (worker 1) and Bob (worker 2) in Lobby and Cy (worker 2) in Kitchen, GET /rooms on ${where} answered ${status} ${show(body, 100)}; ` +
              'expected { name: "Lobby", users: 2 } and { name: "Kitchen", users: 1 }, counted on every worker',
          );
        }
        cy.close();
        const until = Date.now() + 3000;
        let rooms: string[] = [];
        while (Date.now() < until) {
          rooms = roomsOf((await getJson(`${one.url}/rooms`)).body);
          if (show(rooms) === show(['Lobby: 2'])) break;
          await t.pause(50);
        }
        expectThat(show(rooms) === show(['Lobby: 2']), `after Cy left, GET /rooms on worker 1 still listed ${show(rooms)}; expected Lobby only`);
      },
    },
    {
      id: '13.5',
      title: 'Close the race',
      options,
      async check(t) {
        const { one, two } = await classroom(t);
        const ROUNDS = 10;
        const doubles: string[] = [];
        for (let round = 1; round <= ROUNDS; round++) {
          const [first, second] = [await on(t, one.url), await on(t, two.url)];
          const room = `Race ${round}`;
          // Both at once: each worker asks the other whether the name is free, at the same moment.
          const replies = await Promise.all(
            [first, second].map((client) => t.ask(client, 'join', [{ name: 'Ann', room }], 3000)),
          );
          const accepted = replies.filter((reply) => reply?.ok === true).length;
          expectThat(
            replies.every((reply) => reply?.ok === true || (reply?.ok === false && typeof reply.error === 'string' && reply.error !== '')),
            `in round ${round}, join({ name: "Ann", room: "${room}" }) on both workers at once was answered ${show(replies)}; expected { ok: true } once and { ok: false, error } once`,
          );
          if (accepted !== 1) doubles.push(`round ${round}: ${accepted} accepted`);
          first.close();
          second.close();
        }
        expectThat(
          doubles.length === 0,
          `Ann joined the same room on worker 1 and on worker 2 at the same moment, ${ROUNDS} times: the name must be taken once each time, ` +
            `but ${doubles.join(', ')}`,
        );
        // And the name is free again once its holder has gone.
        const [ann, again] = [await on(t, one.url), await on(t, two.url)];
        await joinOk(t, ann, 'Ann', 'After the race');
        ann.close();
        const until = Date.now() + 3000;
        let reply: any;
        do {
          reply = await t.ask(again, 'join', [{ name: 'Ann', room: 'After the race' }], 3000);
          if (reply?.ok) break;
          await t.pause(100);
        } while (Date.now() < until);
        expectThat(reply?.ok === true, `once Ann left worker 1, join({ name: "Ann", room: "After the race" }) on worker 2 was answered ${show(reply)}; her name should be free again`);
      },
    },
  ],
};

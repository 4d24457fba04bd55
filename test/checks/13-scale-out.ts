// The checks of lesson 13's exercises (see its README). Each starts the
// lesson's primary in this process, with 2 workers, and talks to them over
// real sockets: through the front port, or to one worker's own port.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ScaleOut, WorkerInfo } from '../../lessons/13-scale-out/server';
import { call, expectThat, show, timeFactor, type Check, type Client, type LessonChecks } from './check';

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

/**
 * Kills worker `index` at once (SIGKILL: no goodbye, no disconnect handler runs),
 * as a crash would, and resolves once the primary has started it again.
 */
async function killWorker(lesson: ScaleOut, index: number): Promise<WorkerInfo> {
  const worker = lesson.workers().find((info) => info.index === index);
  expectThat(worker, `worker ${index} is not running`);
  process.kill(worker.pid, 'SIGKILL');
  try {
    return await lesson.restarted(index, worker.pid, 15_000);
  } catch (err) {
    expectThat(false, `worker ${index} was killed, and the primary did not start it again: ${(err as Error).message}`);
    throw err;
  }
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

/** Asks `join(payload)` again until it is answered { ok: true } or `ms` have passed: a name freed elsewhere takes a moment to be known. */
async function joinWhenFree(t: Check, client: Client, payload: { name: string; room: string }, ms: number): Promise<any> {
  const until = Date.now() + ms;
  let reply: any;
  do {
    reply = await t.ask(client, 'join', [payload], 3000);
    if (reply?.ok) break;
    await t.pause(100);
  } while (Date.now() < until);
  return reply;
}

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
      ms: 30_000, // it kills a worker, and waits until the primary has started it again
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
        // A worker that dies is started again with its number: worker 2 is worker 2 again.
        const again = await killWorker(lesson, 2);
        const client = await on(t, again.url);
        const reply2 = await t.ask(client, 'whereAmI', [], 3000);
        expectThat(
          reply2?.ok === true && reply2.worker === 2,
          `worker 2 was killed and started again (a new process), and its whereAmI() answered ${show(reply2)}; expected { ok: true, worker: 2 }: the number the primary gives it, not a count of processes`,
        );
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
        await on(t, one.url); // Dee: connected, and in no room yet
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
            `with Ann (worker 1) and Bob (worker 2) in Lobby, Cy (worker 2) in Kitchen, and Dee (worker 1) connected in no room, GET /rooms on ${where} answered ${status} ${show(body, 100)}; ` +
              'expected { name: "Lobby", users: 2 } and { name: "Kitchen", users: 1 }, counted on every worker, and no room for Dee',
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
      ms: 30_000, // it kills a worker, and waits until the primary has started it again
      async check(t) {
        const { lesson, one, two } = await classroom(t);
        const ROUNDS = 10;
        // The same name, as lesson 10 has it: in another case, or with a Cyrillic А that looks like A.
        const SPELLINGS = ['Ann', 'ANN', '\u0410nn'];
        const doubles: string[] = [];
        for (let round = 1; round <= ROUNDS; round++) {
          const [first, second] = [await on(t, one.url), await on(t, two.url)];
          const room = `Race ${round}`;
          // Both at once: each worker asks the other whether the name is free, at the same moment.
          const other = SPELLINGS[round % SPELLINGS.length];
          const replies = await Promise.all([
            t.ask(first, 'join', [{ name: 'Ann', room }], 3000),
            t.ask(second, 'join', [{ name: other, room }], 3000),
          ]);
          const accepted = replies.filter((reply) => reply?.ok === true).length;
          expectThat(
            replies.every((reply) => reply?.ok === true || (reply?.ok === false && typeof reply.error === 'string' && reply.error !== '')),
            `in round ${round}, join({ name: "Ann", room: "${room}" }) on both workers at once was answered ${show(replies)}; expected { ok: true } once and { ok: false, error } once`,
          );
          if (accepted !== 1) doubles.push(`round ${round} ("Ann" and ${show(other)}): ${accepted} accepted`);
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
        const reply = await joinWhenFree(t, again, { name: 'Ann', room: 'After the race' }, 3000);
        expectThat(reply?.ok === true, `once Ann left worker 1, join({ name: "Ann", room: "After the race" }) on worker 2 was answered ${show(reply)}; her name should be free again`);

        // A switch lets go of the old room's name: Cy moves from "Before" to "After", and Dee may be "Cy" in "Before".
        const [cy, dee] = [await on(t, one.url), await on(t, two.url)];
        await joinOk(t, cy, 'Cy', 'Before');
        await joinOk(t, cy, 'Cy', 'After');
        const moved = await t.ask(dee, 'join', [{ name: 'Cy', room: 'Before' }], 3000);
        expectThat(
          moved?.ok === true,
          `Cy joined "Before" on worker 1, then switched to "After"; then join({ name: "Cy", room: "Before" }) on worker 2 was answered ${show(moved)}; a switch must let go of the name in the old room`,
        );

        // A worker that is killed says no goodbye: the names it held must not outlive it.
        const eve = await on(t, two.url);
        await joinOk(t, eve, 'Eve', 'Killed');
        const restarted = await killWorker(lesson, 2);
        // On the new worker 2: it asks worker 1 only, which holds no Eve.
        const later = await on(t, restarted.url);
        const waited = 3000 * timeFactor;
        const answer = await joinWhenFree(t, later, { name: 'Eve', room: 'Killed' }, waited);
        expectThat(
          answer?.ok === true,
          `Eve was in "Killed" on worker 2 when it was killed (SIGKILL: no disconnect handler ran); worker 2 started again, and for ${waited / 1000} s its join({ name: "Eve", room: "Killed" }) was answered ${show(answer)}; the names a killed worker held must be let go`,
        );
      },
    },
  ],
};

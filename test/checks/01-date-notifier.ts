// The checks of lesson 01's exercises (see its README).
import { expectThat, NotYet, show, type Check, type Client, type LessonChecks } from './check';

/** How many `event`s `client` gets from now on, until `n` have come or `ms` have passed. */
function countWithin(client: Client, event: string, n: number, ms: number): Promise<number> {
  return new Promise((resolve) => {
    let count = 0;
    const done = () => {
      clearTimeout(timer);
      client.off(event, listener);
      resolve(count);
    };
    const listener = () => {
      if (++count >= n) done();
    };
    const timer = setTimeout(done, ms);
    client.on(event, listener);
  });
}

/** Everything `client` gets of `event` from now on. */
function collect(client: Client, event: string): unknown[] {
  const seen: unknown[] = [];
  client.on(event, (value: unknown) => seen.push(value));
  return seen;
}

/** The timers running in this process, the lesson's among them. */
async function runningTimers(): Promise<number> {
  // Counted outside any timer's callback: until it returns, a timer counts as running.
  await new Promise((resolve) => setImmediate(resolve));
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
}

/** Waits until no more than `before` timers run, for up to `ms`; resolves with how many run then. */
async function timersBackTo(before: number, ms = 1000): Promise<number> {
  const until = Date.now() + ms;
  let now = await runningTimers();
  while (now > before && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    now = await runningTimers();
  }
  return now;
}

/**
 * Connects a client that listens for `event` from before it connects (what
 * comes on connection is not missed), and resolves with the client and the
 * first `event`'s payload.
 */
async function connectFor(t: Check, event: string, what: string): Promise<[Client, unknown]> {
  let seen: unknown[] = [];
  const client = await t.connect((c) => (seen = collect(c, event)));
  if (seen.length === 0) await t.next(client, event, what);
  return [client, seen[0]];
}

/** A date as the exercise wants it: an ISO date, and the server's zone. */
const withZone = (payload: any, zone: string) =>
  typeof payload?.iso === 'string' && !Number.isNaN(Date.parse(payload.iso)) && payload.timeZone === zone;

export const checks: LessonChecks = {
  lesson: '01-date-notifier',
  explore: {
    '01.4': 'Another address, and a page from disk',
  },
  exercises: [
    {
      id: '01.1',
      title: 'Which time zone?',
      options: { intervalMs: 50 },
      async check(t) {
        const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
        const want = `{ iso, timeZone: "${zone}" }`;
        const [client, greeting] = await connectFor(t, 'date', 'a date as soon as the client connected');
        expectThat(withZone(greeting, zone), `the date sent on connection came with ${show(greeting)}; expected ${want}`);
        const [tick] = await t.next(client, 'date', 'a date on the next tick');
        expectThat(withZone(tick, zone), `the date sent on each tick came with ${show(tick)}; expected ${want}`);

        // A browser set to another zone: the page must show the one the server sent.
        const other = zone === 'Pacific/Chatham' ? 'Asia/Kathmandu' : 'Pacific/Chatham';
        const page = await t.open((await t.lesson()).pageUrl!, { timezoneId: other });
        try {
          await page.waitForFunction((name) => document.body.innerText.includes(name), zone, { timeout: 2000 });
        } catch {
          const text = (await page.evaluate(() => document.body.innerText)).replace(/\s+/g, ' ');
          throw new NotYet(`the page, in a browser set to ${other}, never showed the server's time zone "${zone}"; it shows ${show(text, 160)}`);
        }
      },
    },
    {
      id: '01.2',
      title: 'Your own pace',
      options: { intervalMs: 100 },
      async check(t) {
        const a = await t.connect();
        const b = await t.connect();

        // A slows down to once a minute; B keeps the lesson's pace.
        await t.expectOk(a, 'interval', [60_000]);
        const heardByA = collect(a, 'date');
        const fourForB = async () => {
          for (let i = 0; i < 4; i++) {
            await t.next(b, 'date', 'the other client, which asked for nothing, to keep getting a date every 100 ms');
          }
        };
        await Promise.all([fourForB(), t.pause(400)]);
        expectThat(
          heardByA.length <= 1,
          `after interval(60000), the client still got ${heardByA.length} dates in 0.4 s, while another got 4 at the lesson's pace of 100 ms; is a shared timer still sending to everyone?`,
        );

        // The pace is the socket's own: a client that connects now keeps the lesson's pace.
        const c = await t.connect();
        const forC = await countWithin(c, 'date', 3, 600);
        expectThat(
          forC >= 3,
          `after one client sent interval(60000), a client that connected next got ${forC} dates in 0.6 s, expected the lesson's pace of 100 ms; is the chosen pace kept for everyone rather than for the socket that asked?`,
        );
        c.close();

        // And speeds up again.
        await t.expectOk(a, 'interval', [100]);
        const got = await countWithin(a, 'date', 3, 900);
        expectThat(got >= 3, `after interval(100), the client got ${got} dates within 0.9 s; expected at least 3`);

        await t.expectRefusal(a, 'interval', [99], '99 ms is under the 100 ms minimum');
        await t.expectRefusal(a, 'interval', [60_001], '60001 ms is over the 60000 ms maximum');
        await t.expectRefusal(a, 'interval', [0], '0 ms would flood the client');
        await t.expectRefusal(a, 'interval', [null], 'null is not a number');
        await t.expectRefusal(a, 'interval', ['1000'], 'the string "1000" is text, not a number: a handler checks the type, it does not convert');
        await t.refusesBadInput(a, 'interval', {
          good: [1000],
          bad: ['fast'],
          stillAnswers: () => t.next(b, 'date', 'the other client to keep getting dates'),
        });

        // Ten clients choose a pace and leave: their timers must stop with them.
        const before = await runningTimers();
        const leavers = await Promise.all(Array.from({ length: 10 }, () => t.connect()));
        await Promise.all(leavers.map((client) => t.ask(client, 'interval', [60_000])));
        for (const client of leavers) client.close();
        const after = await timersBackTo(before);
        expectThat(
          after <= before,
          `after 10 clients that had each sent interval(60000) left, ${after - before} more timers were still running than before they came; a socket's timer must stop when it disconnects`,
        );
      },
    },
    {
      id: '01.3',
      title: 'Count out loud',
      options: { intervalMs: 60_000 },
      async check(t) {
        // Socket ids may hold digits: they are blanked out before looking for the count.
        const ids: string[] = [];
        const numbers = (line: string) => ids.reduce((rest, id) => rest.split(id).join(' '), line).match(/\d+/g) ?? ([] as string[]);
        const expectCount = async (count: number, when: string, from: number) => {
          const line = await t.printed(from, (text) => numbers(text).includes(String(count)));
          expectThat(
            line !== undefined,
            `when ${when}, the server printed ${t.linesSince(from)}; expected a line with the number of clients connected, ${count}`,
          );
        };
        const arrive = async (count: number, when: string) => {
          const from = t.logs.length;
          const client = await t.connect();
          ids.push(client.id!);
          await expectCount(count, when, from);
          return client;
        };
        const leave = async (client: Client, count: number, when: string) => {
          const from = t.logs.length;
          client.close();
          await expectCount(count, when, from);
        };

        await arrive(1, 'the first client connected');
        const b = await arrive(2, 'a second client connected');
        const c = await arrive(3, 'a third client connected');
        await leave(b, 2, 'a client left and 2 stayed');
        await leave(c, 1, 'another left and 1 stayed');
      },
    },
  ],
};

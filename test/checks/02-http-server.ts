// The checks of lesson 02's exercises (see its README).
import type { Page } from 'playwright-core';
import { Manager } from 'socket.io-client';
import { BROWSER_ZONE, expectThat, show, type Check, type Client, type LessonChecks } from './check';

/** Every duration in a line, in milliseconds: "1234 ms", "1.2 s", "3 seconds". */
function durations(line: string): number[] {
  const found = line.matchAll(/(\d+(?:\.\d+)?)\s*(ms|milliseconds?|s|secs?|seconds?)\b/gi);
  return [...found].map(([, number, unit]) => Number(number) * (/^m/i.test(unit) ? 1 : 1000));
}

/**
 * Connects a client and resolves with it and its event:hello, listening from
 * before it connects, so a hello sent on connection is not missed.
 */
async function connectForHello(t: Check): Promise<[Client, unknown]> {
  const hellos: unknown[] = [];
  const client = await t.connect((c) => c.on('event:hello', (payload: unknown) => hellos.push(payload)));
  if (hellos.length === 0) await t.next(client, 'event:hello', 'event:hello as soon as the client connected');
  return [client, hellos[0]];
}

interface Diary {
  connected: number;
  disconnected: number;
  lines: string[];
  /** Connection lines whose time is not the browser's clock, and that clock, "16:53". */
  offTime: string[];
  now: string;
}

/** The page's lines that hold a time (10:42:07), sorted into connections and disconnections. */
function readDiary(page: Page, reason: string): Promise<Diary> {
  return page.evaluate((reason) => {
    const lines = document.body.innerText
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => /\b\d{1,2}:\d\d\b/.test(line));
    const isDisconnect = (line: string) => /\bdisconnect(ed)?\b/i.test(line);
    const isConnect = (line: string) => /\bconnect(ed)?\b/i.test(line) && !isDisconnect(line);
    // A line's time must be the page's own clock, in 12 or 24 hours, give or take two minutes.
    const now = new Date();
    const minutesNow = now.getHours() * 60 + now.getMinutes();
    const localTime = (line: string) => {
      const [, hours, minutes] = /\b(\d{1,2}):(\d\d)\b/.exec(line)!;
      const off = (((Number(hours) * 60 + Number(minutes) - minutesNow) % 720) + 720) % 720;
      return off <= 2 || off >= 718;
    };
    return {
      connected: lines.filter(isConnect).length,
      disconnected: lines.filter((line) => isDisconnect(line) && line.includes(reason)).length,
      lines,
      offTime: lines.filter((line) => (isConnect(line) || isDisconnect(line)) && !localTime(line)),
      now: now.toTimeString().slice(0, 5),
    };
  }, reason);
}

/** Reads the page's diary until `done` holds, for up to `ms`; resolves with the last reading. */
async function waitForDiary(page: Page, reason: string, done: (diary: Diary) => boolean, ms = 2000): Promise<Diary> {
  const until = Date.now() + ms;
  for (;;) {
    const diary = await readDiary(page, reason);
    if (done(diary) || Date.now() > until) return diary;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const linesOf = (diary: Diary) => (diary.lines.length ? `its lines with a time are ${show(diary.lines, 160)}` : 'it shows no line with a time');

export const checks: LessonChecks = {
  lesson: '02-http-server',
  explore: {
    '02.3': 'The classic mistake',
  },
  exercises: [
    {
      id: '02.1',
      title: 'How long they stayed',
      options: { intervalMs: 60_000 },
      async check(t) {
        // Socket ids may hold digits: they are blanked out before looking for a duration.
        const ids: string[] = [];
        const stayedFor = (line: string) => durations(ids.reduce((rest, id) => rest.split(id).join(' '), line));
        const leave = async (client: Client, since: number, who: string) => {
          const from = t.logs.length;
          client.close();
          const stayed = Date.now() - since;
          const line = await t.printed(from, (text) => stayedFor(text).some((ms) => ms >= stayed - 100 && ms <= stayed + 300));
          expectThat(
            line !== undefined,
            `when ${who} left after ${(stayed / 1000).toFixed(1)} s, the server printed ${t.linesSince(from)}; expected a line with how long it stayed, like "${stayed} ms" or "${(stayed / 1000).toFixed(1)} s"`,
          );
        };

        const a = await t.connect();
        const aSince = Date.now();
        ids.push(a.id!);
        await t.pause(400);
        const b = await t.connect();
        const bSince = Date.now();
        ids.push(b.id!);
        await t.pause(300);
        await leave(b, bSince, 'the second client');
        await leave(a, aSince, 'the first client');
      },
    },
    {
      id: '02.2',
      title: 'Count me in',
      options: { intervalMs: 60_000 },
      async check(t) {
        const expectHello = (client: Client, hello: any, count: number, who: string) =>
          expectThat(
            hello?.id === client.id && hello?.count === count,
            `${who} got event:hello with ${show(hello)}; expected its own id and count: ${count}, as { id: "${client.id}", count: ${count} }`,
          );
        // A connection underneath with no socket in the namespace (a page still loading, or one
        // on its way out) is not a client: io.engine.clientsCount would count it.
        const underneath = new Manager((await t.lesson()).url, { transports: ['websocket'], reconnection: false, autoConnect: false });
        await new Promise<void>((resolve, reject) => underneath.open((err) => (err ? reject(err) : resolve())));
        const [a, helloA] = await connectForHello(t).finally(() => underneath.engine.close());
        expectThat(
          (helloA as { count?: unknown } | undefined)?.count !== 2,
          `the first client got event:hello with ${show(helloA)}, while only a bare connection (no socket, in no namespace) was open besides it; count the sockets, io.of('/').sockets.size, not the connections underneath (io.engine.clientsCount)`,
        );
        expectHello(a, helloA, 1, 'the first client');
        const idOfA = a.id; // a closed client forgets its id
        const [b, helloB] = await connectForHello(t);
        expectHello(b, helloB, 2, 'the second client');

        // The first leaves (once it has had what was sent to it); once the second hears the new count, a third comes.
        await t.settle();
        const one = t.next(b, 'clients', 'clients { count: 1 } once the first client left', (payload) => payload?.count === 1);
        a.close();
        await one;
        const [c, helloC] = await connectForHello(t);
        expectHello(c, helloC, 2, 'a client that came after one of two had left');

        // A hello is for the newcomer alone: nobody hears another's.
        await t.settle();
        for (const [client, id, who] of [[a, idOfA, 'the first client'], [b, b.id, 'the second client'], [c, c.id, 'the third client']] as const) {
          const others = t.received(client, 'event:hello').filter((hello) => hello?.id !== id);
          expectThat(
            others.length === 0,
            `${who} also got another client's event:hello, ${show(others[0])}; a hello is meant for the newcomer alone (socket.emit, not io.emit)`,
          );
        }
      },
    },
    {
      id: '02.4',
      title: 'A connection diary',
      options: { intervalMs: 60_000 },
      async check(t) {
        const lesson = await t.lesson();
        const reason = 'transport close';
        const page = await t.open(lesson.url);
        // Fake timers from the next load on: the reconnection need not wait.
        await page.clock.install();
        await page.reload();

        let diary = await waitForDiary(page, reason, (d) => d.connected >= 1);
        expectThat(diary.connected >= 1, `once the page connected, ${linesOf(diary)}; expected a line with the time and "connected", like "10:42:07 connected"`);

        // The server drops the connection, as if the network failed.
        for (const socket of lesson.io!.of('/').sockets.values()) socket.conn.close();
        diary = await waitForDiary(page, reason, (d) => d.disconnected >= 1);
        expectThat(
          diary.disconnected >= 1,
          `after the server dropped the connection, ${linesOf(diary)}; expected a line with the time, "disconnected" and the reason, "${reason}"`,
        );

        // Socket.IO's client waits up to 1.5 s before it reconnects: skip ahead.
        await page.clock.fastForward(2000);
        diary = await waitForDiary(page, reason, (d) => d.connected >= 2);
        expectThat(
          diary.connected >= 2 && diary.disconnected >= 1,
          `after the page reconnected, ${linesOf(diary)}; expected two lines with the time and "connected", one for each connection, and the one that says "disconnected"`,
        );
        expectThat(
          diary.offTime.length === 0,
          `the diary says ${show(diary.offTime, 120)}, but the time here, in the browser's zone (${BROWSER_ZONE}), is ${diary.now}: write the local time (toLocaleTimeString), not UTC`,
        );
      },
    },
  ],
};

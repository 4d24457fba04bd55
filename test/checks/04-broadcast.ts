// The checks of lesson 04's exercises (see its README).
import type { Page } from 'playwright-core';
import { speak } from '../browser/scenes/04-broadcast';
import { call, expectThat, NotYet, show, type Check, type Client, type LessonChecks } from './check';

interface Message {
  from?: unknown;
  text?: unknown;
}

/** The name the server gives a client: the first 6 characters of its socket id. */
const nameOf = (client: Client) => client.id!.slice(0, 6);

const MARKER = 'end of the check';
const isMarker = (message: Message) => message?.text === MARKER;

/** The lesson's own speak still works: the server is up and answering. */
async function speakStillWorks(t: Check, client: Client): Promise<void> {
  await t.expectOk(client, 'speak', [{ text: 'still there?', to: 'me' }]);
}

/**
 * Records every incoming-message on each client. `heard(speaker)` sends a
 * marker to everyone and, once it reached them all, returns what each heard
 * before it. A connection delivers in order, so whatever was coming has come.
 */
function listen(t: Check, clients: Client[]): (speaker: Client) => Promise<Message[][]> {
  const logs = clients.map(() => [] as Message[]);
  clients.forEach((client, i) => client.on('incoming-message', (message: Message) => logs[i].push(message)));
  return async (speaker) => {
    await t.expectOk(speaker, 'speak', [{ text: MARKER, to: 'everyone' }]);
    await Promise.all(
      clients.map(async (client, i) => {
        if (!logs[i].some(isMarker)) await t.next(client, 'incoming-message', `"${MARKER}" to everyone to reach every client`, isMarker);
      }),
    );
    return logs.map((log) => log.slice(0, log.findIndex(isMarker)));
  };
}

/**
 * Waits until the lesson has exactly `count` sockets, for up to `ms`; resolves
 * with how many it has. (t.connections waits for at least `count`: this one
 * also waits for a client that left to be gone.)
 */
async function socketsReach(t: Check, count: number, ms = 1000): Promise<number> {
  const sockets = (await t.lesson()).io!.of('/').sockets;
  const until = Date.now() + ms;
  while (sockets.size !== count && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
  return sockets.size;
}

/** The page's lines of text, trimmed, without empty ones. */
const pageLines = (page: Page) =>
  page.evaluate(() =>
    document.body.innerText
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean),
  );

/**
 * Waits for a line on the page that was not among `before` and holds the
 * whole number `n`, for up to `ms`. Names and the message's `text` are blanked
 * out first: the number may share a line with the message, but not be in it.
 */
async function newLineWith(page: Page, before: string[], n: number, names: string[], text: string, ms = 2000): Promise<string | undefined> {
  const until = Date.now() + ms;
  for (;;) {
    const lines = (await pageLines(page)).filter((line) => !before.includes(line));
    const numbers = (line: string) => [...names, text].reduce((rest, name) => rest.split(name).join(' '), line).match(/\d+/g) ?? ([] as string[]);
    const found = lines.find((line) => numbers(line).includes(String(n)));
    if (found !== undefined || Date.now() > until) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const checks: LessonChecks = {
  lesson: '04-broadcast',
  explore: {
    '04.4': 'A tab closes',
  },
  exercises: [
    {
      id: '04.1',
      title: 'Talk to the server',
      async check(t) {
        const a = await t.connect();
        const b = await t.connect();
        const heard = listen(t, [a, b]);
        const text = 'hi, server';
        const from = t.logs.length;
        await t.expectOk(a, 'speak', [{ text, to: 'server' }]);
        const [byA, byB] = await heard(a);
        expectThat(
          byA.length === 0 && byB.length === 0,
          `a message to the server reached the sender with ${show(byA)} and the other client with ${show(byB)}; expected no client to hear it`,
        );
        const line = await t.printed(from, (printedLine) => printedLine.includes(text) && printedLine.includes(nameOf(a)));
        expectThat(
          line !== undefined,
          `after ${nameOf(a)} sent speak({ text: "${text}", to: "server" }), the server printed ${t.linesSince(from)}; expected a line with the text and the speaker's name, ${nameOf(a)}`,
        );
        await t.expectRefusal(a, 'speak', [{ text: 'hi', to: 'nobody' }], '"nobody" is not an audience');

        // A message to the server is a message like any other: the rate limit holds for it too.
        const burst = 40;
        const replies = await Promise.all(Array.from({ length: burst }, (_, i) => t.ask(a, 'speak', [{ text: `flood ${i}`, to: 'server' }], 2000)));
        const refused = replies.filter((reply) => reply?.ok === false).length;
        expectThat(
          refused > 0,
          `${burst} messages to the server at once were all answered { ok: true }; every other message in this lesson goes through the rate limit (limiter.take) first, so a burst like this must be refused in part`,
        );
      },
    },
    {
      id: '04.2',
      title: 'How many heard it',
      async check(t) {
        const a = await t.connect();
        await t.connect();
        const c = await t.connect();
        const expectHeard = async (to: string, heard: number, clients: number) => {
          const args = [{ text: `to ${to}`, to }];
          const reply = await t.ask(a, 'speak', args);
          expectThat(
            reply?.ok === true && reply.heard === heard,
            `${call('speak', args)} was answered ${show(reply)}; with ${clients} clients connected, expected { ok: true, heard: ${heard} }`,
          );
        };
        await expectHeard('me', 1, 3);
        await expectHeard('everyone', 3, 3);
        await expectHeard('others', 2, 3);
        c.close();
        await socketsReach(t, 2);
        await expectHeard('everyone', 2, 2);
        await expectHeard('others', 1, 2);

        // The page: it speaks, with a and b connected, and shows how many heard it.
        const page = await t.open('/');
        await t.connections(3, 2000);
        const names = [...(await t.lesson()).io!.of('/').sockets.keys()].map((id) => id.slice(0, 6));
        for (const [to, n] of [['others', 2], ['everyone', 3]] as const) {
          const text = `from the page to ${to}`;
          const before = await pageLines(page);
          await speak(page, text, to);
          const line = await newLineWith(page, before, n, names, text);
          expectThat(
            line !== undefined,
            `after the page sent "${text}" with ${n === 2 ? 'two other clients' : 'two other clients and itself'} listening, it showed no new line with the number ${n}; expected it to show how many heard it`,
          );
        }
      },
    },
    {
      id: '04.3',
      title: 'Whisper',
      async check(t) {
        const [a, b, c] = [await t.connect(), await t.connect(), await t.connect()];
        let heard = listen(t, [a, b, c]);
        const psst = { to: nameOf(b), text: 'psst' };
        await t.expectOk(a, 'whisper', [psst]);
        const [byA, byB, byC] = await heard(a);
        expectThat(
          byB.length === 1 && byB[0]?.from === nameOf(a) && byB[0]?.text === 'psst',
          `after ${call('whisper', [psst])} from ${nameOf(a)}, ${nameOf(b)} heard ${show(byB)}; expected one incoming-message { from: "${nameOf(a)}", text: "psst" }`,
        );
        expectThat(
          byA.length === 0 && byC.length === 0,
          `a whisper to ${nameOf(b)} also reached ${byA.length ? 'the sender' : 'a third client'}, with ${show(byA.length ? byA : byC)}; expected only ${nameOf(b)} to hear it`,
        );
        await t.expectRefusal(a, 'whisper', [{ to: 'nobody', text: 'hi' }], 'no client is called "nobody"');
        // A name is the whole name: its start is nobody's name, nor is a longer one (the socket id).
        const part = nameOf(b).slice(0, 3);
        await t.expectRefusal(a, 'whisper', [{ to: part, text: 'hi' }], `"${part}" is only a part of a name (${nameOf(b)}): a whisper goes to the whole name, exactly`);
        await t.expectRefusal(a, 'whisper', [{ to: b.id, text: 'hi' }], `"${b.id}" is a socket id, not a name (${nameOf(b)}): a whisper goes to the whole name, exactly`);
        await t.expectRefusal(a, 'whisper', [{ to: nameOf(b), text: '   ' }], 'blank text is no text');
        await t.refusesBadInput(a, 'whisper', { good: [psst], bad: [42], stillAnswers: () => speakStillWorks(t, a) });

        // The terminal client: /whisper NAME text.
        const url = (await t.lesson()).url;
        const terminal = t.run('lessons/04-broadcast/terminal.ts', [url]);
        try {
          await t.connections(4, 8000);
        } catch (err) {
          if (!(err instanceof NotYet)) throw err;
          // Fails at once with what terminal.ts printed, and its error if it stopped.
          await terminal.prints(/(?!)/, 0, `it to connect to the lesson (${err.message})`, 0);
        }
        const known = [a, b, c].map((client) => client.id);
        const terminalName = [...(await t.lesson()).io!.of('/').sockets.keys()].find((id) => !known.includes(id))!.slice(0, 6);
        heard = listen(t, [a, b, c]);
        const text = 'hello from the terminal';
        const typed = `/whisper ${nameOf(b)} ${text}`;
        const arrived = t
          .next(b, 'incoming-message', `"${text}" to reach ${nameOf(b)} after typing "${typed}" in terminal.ts`, (m: Message) => String(m?.text).includes(text), 3000)
          .catch((err: Error) => err);
        terminal.type(typed);
        const result = await arrived;
        if (result instanceof Error) throw new NotYet(`${result.message}; the terminal printed ${show(terminal.lines().join(' '), 120)}`);
        const [message] = result as Message[];
        expectThat(
          message?.text === text && message?.from === terminalName,
          `after typing "${typed}" in terminal.ts, ${nameOf(b)} got ${show(message)}; expected { from: "${terminalName}", text: "${text}" }, whispered`,
        );
        const [, , byC2] = await heard(a);
        expectThat(!byC2.some((m) => String(m?.text).includes(text)), `the terminal's whisper to ${nameOf(b)} reached a third client too, with ${show(byC2)}`);
        terminal.type('/quit');

        // A whisper is a message like any other: the rate limit holds for it too. (Last: the burst spends this address's allowance.)
        const burst = 40;
        const replies = await Promise.all(Array.from({ length: burst }, (_, i) => t.ask(a, 'whisper', [{ to: nameOf(c), text: `flood ${i}` }], 2000)));
        expectThat(
          replies.some((reply) => reply?.ok === false),
          `${burst} whispers at once were all answered { ok: true }; every speak goes through the rate limit (limiter.take) first, so a burst of whispers must be refused in part too`,
        );
      },
    },
  ],
};

// The checks of lesson 06's exercises (see its README).
import path from 'node:path';
import { HOSTILE, expectThat, handled, matches, root, show, type Check, type Client, type LessonChecks } from './check';

/** The name the lesson gives a client: the first 6 characters of its socket id. */
const nameOf = (client: Client) => String(client.id).slice(0, 6);

/** Sends `createMessage({ text })` and expects `{ ok: true }`. */
async function say(t: Check, client: Client, text: string): Promise<void> {
  await t.expectOk(client, 'createMessage', [{ text }]);
}

/** A message as the lesson sends it: `{ from, text, createdAt }`, createdAt a number. */
const isMessage = (value: any, from: string, text: string) =>
  value?.from === from && value?.text === text && typeof value?.createdAt === 'number';

export const checks: LessonChecks = {
  lesson: '06-message-generator',
  explore: {
    '06.3': 'Echo or no echo',
  },
  exercises: [
    {
      id: '06.1',
      title: 'No name, no message',
      async check(t) {
        // The module as the lesson uses it, called the way a unit test calls it.
        const { generateMessage } = require(path.join(root, 'shared', 'message-generator'));
        for (const from of ['', '   ', '\t\n ']) {
          let made: unknown;
          let thrown: unknown;
          try {
            made = generateMessage(from, 'hi');
          } catch (err) {
            thrown = err;
          }
          expectThat(
            thrown instanceof Error,
            thrown === undefined
              ? `generateMessage(${show(from)}, "hi") returned ${show(made)}; expected it to throw an Error, since a message must say who it is from${from.includes('\t') ? ' (tabs and line breaks are white space too)' : ''}`
              : `generateMessage(${show(from)}, "hi") threw ${show(thrown)}; expected an Error (throw new Error("…"))`,
          );
        }
        for (const from of ['Ada', '李雷', 'Zoë']) {
          let message: unknown;
          try {
            message = generateMessage(from, 'hi');
          } catch (err) {
            expectThat(false, `generateMessage(${show(from)}, "hi") threw ${show(String(err))}; only a blank name may throw: a name may be in any script`);
          }
          expectThat(isMessage(message, from, 'hi'), `generateMessage(${show(from)}, "hi") returned ${show(message)}; expected { from: ${show(from)}, text: "hi", createdAt: … }`);
        }

        // And the lesson still welcomes people and passes their messages on.
        let welcome: Promise<any[]> | undefined;
        const client = await t.connect((c) => (welcome = handled(t.next(c, 'newMessage', 'the welcome from Admin', (m) => m?.from === 'Admin', 3000))));
        await welcome;
        const back = handled(t.next(client, 'newMessage', `your own message back, from "${nameOf(client)}"`, (m) => m?.text === 'still here'));
        await say(t, client, 'still here');
        await back;
      },
    },
    {
      id: '06.2',
      title: 'A user left',
      async check(t) {
        const [a, b] = [await t.connect(), await t.connect()];
        const leaver = await t.connect();
        await Promise.all([t.roundTrip(a), t.roundTrip(b)]); // past the "joined" notices
        const want = 'newMessage { from: "Admin", text: "A user left" } once a client had left';
        const notices = handled(Promise.all([a, b].map((client) => t.next(client, 'newMessage', want, (m) => m?.text === 'A user left'))));
        const left = Date.now();
        leaver.close();
        for (const [notice] of await notices) {
          expectThat(isMessage(notice, 'Admin', 'A user left'), `a client got ${show(notice)}; expected { from: "Admin", text: "A user left", createdAt: … }`);
          expectThat(
            notice.createdAt >= left && notice.createdAt <= Date.now(),
            `the notice "A user left" has createdAt ${notice.createdAt}, ${left - notice.createdAt} ms before the client left; expected the time it left (make the notice when it happens, with generateMessage)`,
          );
        }
        const back = handled(t.next(a, 'newMessage', 'a message after someone left', (m) => m?.text === 'still here'));
        await say(t, a, 'still here');
        await back;
      },
    },
    {
      id: '06.4',
      title: 'The last ten',
      options: { rateLimit: { burst: 50, perSecond: 50 } },
      async check(t) {
        const early = await t.connect();
        const sent: unknown[] = [];
        early.on('newMessage', (message: any) => {
          if (message?.from !== 'Admin') sent.push(message);
        });
        // One of them is hostile: the page must show it as text.
        const hostile = `news 07 ${HOSTILE}`;
        const texts = Array.from({ length: 12 }, (_, i) => (i === 6 ? hostile : `news ${String(i + 1).padStart(2, '0')}`));
        // Each comes back to its sender before its answer does: all 12 are in `sent` after the loop.
        for (const [i, text] of texts.entries()) {
          await say(t, early, text);
          if (i === 5) (await t.connect()).close(); // Admin's "A new user joined", among people's messages
        }

        const late = await t.connect();
        const reply = await t.ask(late, 'history', []);
        const want = sent.slice(-10);
        expectThat(
          reply?.ok === true && Array.isArray(reply.messages),
          `history() was answered ${show(reply)}; expected { ok: true, messages: [the last 10, oldest first] }`,
        );
        const got: unknown[] = reply.messages;
        const notice = got.find((m: any) => m?.from === 'Admin');
        expectThat(notice === undefined, `history() gave Admin's notice ${show(notice)}; expected only the messages people sent, the last 10`);
        expectThat(
          matches(got, want, true),
          got.length !== 10
            ? `history() gave ${got.length} messages after 12 were sent (${show(got.map((m: any) => m?.text))}); expected the last 10, "news 03" to "news 12"`
            : `history() gave ${show(got[0])} first; expected the 10 messages exactly as newMessage sent them, oldest first, from ${show(want[0])}`,
        );

        // The page shows them when it arrives.
        const page = await t.open('/');
        await t.shows(page, 'news 12', 'a page opened after 12 messages');
        await t.showsAsText(page, 'a page opened after a message with HTML in it', hostile);
        const [oldest, dropped] = [await page.getByText('news 03').count(), await page.getByText('news 02').count()];
        expectThat(oldest === 1 && dropped === 0, `a page opened after 12 messages shows "news 03" ${oldest} times and "news 02" ${dropped} times; expected once and never`);
        await t.refusesBadInput(late, 'history', { good: [], bad: [42], stillAnswers: () => say(t, late, 'still here') });
      },
    },
  ],
};

// The checks of lesson 05's exercises (see its README).
import type { Page } from 'playwright-core';
import { expectThat, handled, show, type Check, type Client, type LessonChecks } from './check';

/** The name the lesson gives a client: the first 6 characters of its socket id. */
const nameOf = (client: Client) => String(client.id).slice(0, 6);

/** The lesson's own chat message still works: the server is up and answering. */
async function chatStillWorks(t: Check, client: Client): Promise<void> {
  await t.expectOk(client, 'chat message', ['still there?']);
}

/** What `client` receives of `event` from now on: each first argument. */
function heard(client: Client, event: string): unknown[] {
  const seen: unknown[] = [];
  client.on(event, (value: unknown) => seen.push(value));
  return seen;
}

/** Opens the chat page as a new person. */
async function person(t: Check): Promise<Page> {
  return t.open('/');
}

/** The message box of a page: the text box named "Message". */
const messageBox = (page: Page) => page.getByRole('textbox', { name: 'Message' });

/** Types `text` in the page's message box and presses Enter, as a person would. */
async function type(page: Page, text: string): Promise<void> {
  const box = messageBox(page);
  await box.fill(text);
  await box.press('Enter');
}

/** How many elements on `page` show `text` (the innermost ones). */
const times = (page: Page, text: string) => page.getByText(text).count();

export const checks: LessonChecks = {
  lesson: '05-chat',
  explore: {
    '05.5': 'Twenty at once',
  },
  exercises: [
    {
      id: '05.1',
      title: 'Only the others',
      changes: ['05 chat sends a message to everyone, the sender included, from its short socket id'],
      async check(t) {
        const sender = await t.connect();
        const [b, c] = [await t.connect(), await t.connect()];
        const own = heard(sender, 'chat message');
        const arrivals = handled(
          Promise.all(
            [b, c].map((client) =>
              t.next(client, 'chat message', `the others to get "chat message" { from: "${nameOf(sender)}", text: "hi" }`, (m) => m?.from === nameOf(sender)),
            ),
          ),
        );
        await t.expectOk(sender, 'chat message', ['  hi  ']);
        expectThat(
          own.length === 0,
          `the sender got its own message back as ${show(own[0])}; expected it to reach only the others (socket.broadcast.emit)`,
        );
        for (const [message] of await arrivals) {
          expectThat(message.text === 'hi', `another client got ${show(message)}; expected { from: "${nameOf(sender)}", text: "hi" }`);
        }

        // The page: your own message once, when the server has taken it; a refused one never.
        const [ann, bob] = [await person(t), await person(t)];
        await t.connections(5);
        await type(ann, 'Hello from Ann');
        await t.shows(bob, 'Hello from Ann', "Bob's page");
        await t.shows(ann, 'Hello from Ann', "Ann's own page, once the server answered { ok: true },");
        const tooLong = 'y'.repeat(501);
        await messageBox(ann).evaluate((box) => box.removeAttribute('maxlength'));
        await type(ann, tooLong);
        await type(ann, 'And this one');
        await t.shows(ann, 'And this one', "Ann's own page");
        await t.shows(bob, 'And this one', "Bob's page");
        const [onAnn, onBob] = [await times(ann, 'Hello from Ann'), await times(bob, 'Hello from Ann')];
        expectThat(onAnn === 1, `Ann's page shows her message ${onAnn} times; expected once`);
        expectThat(onBob === 1, `Bob's page shows Ann's message ${onBob} times; expected once`);
        const refused = await times(ann, tooLong.slice(0, 100));
        expectThat(refused === 0, `Ann's page shows the message of 501 characters that the server refused; expected it only when the answer is { ok: true }`);
      },
    },
    {
      id: '05.2',
      title: 'Typing…',
      async check(t) {
        const typist = await t.connect();
        const [b, c] = [await t.connect(), await t.connect()];
        const own = heard(typist, 'typing');
        const want = `"typing" with { from: "${nameOf(typist)}" }`;
        const arrivals = handled(Promise.all([b, c].map((client) => t.next(client, 'typing', `the others to get ${want}`, (notice) => notice?.from === nameOf(typist)))));
        await t.expectOk(typist, 'typing', []);
        await arrivals;
        expectThat(own.length === 0, `the typist got its own "typing" back (${show(own[0])}); expected only the others to get it`);
        await t.refusesBadInput(typist, 'typing', { good: [], bad: [42], stillAnswers: () => chatStillWorks(t, typist) });

        // The page: Bob sees Ann typing; it goes away; Ann's page sends at most once a second.
        const bob = await person(t);
        await bob.clock.install();
        const ann = await person(t);
        const listener = await t.connect();
        await t.connections(6);
        const notices = heard(listener, 'typing');
        const first = handled(t.next(listener, 'typing', `"typing" from Ann's page while she types in the Message box`, () => true, 1500));
        const began = Date.now();
        await messageBox(ann).pressSequentially('hello there', { delay: 15 });
        const [{ from }] = await first;
        await t.shows(bob, `${from} is typing`, "Bob's page, while Ann types,");
        const note = bob.getByText(`${from} is typing`);
        await t.pause(100);
        const seconds = (Date.now() - began) / 1000;
        expectThat(
          notices.length <= 1 + Math.floor(seconds),
          `Ann's page sent "typing" ${notices.length} times in ${seconds.toFixed(1)} s of typing; expected at most once a second`,
        );
        await bob.clock.fastForward(3000);
        const still = await note.filter({ visible: true }).count();
        expectThat(still === 0, `Bob's page still shows "${from} is typing…" 3 seconds after the last "typing"; expected it gone by then`);
      },
    },
    {
      id: '05.3',
      title: 'Nicknames',
      async check(t) {
        const ada = await t.connect();
        const other = await t.connect();
        await t.expectOk(ada, 'nickname', ['  Ada  ']);
        const fromAda = handled(t.next(other, 'chat message', 'a "chat message" with text "hi from Ada"', (m) => m?.text === 'hi from Ada'));
        await t.expectOk(ada, 'chat message', ['hi from Ada']);
        const [message] = await fromAda;
        expectThat(message.from === 'Ada', `after nickname("  Ada  "), a message came as ${show(message)}; expected from: "Ada"`);
        const fromOther = handled(t.next(ada, 'chat message', 'a "chat message" with text "and me?"', (m) => m?.text === 'and me?'));
        await t.expectOk(other, 'chat message', ['and me?']);
        const [second] = await fromOther;
        expectThat(second.from === nameOf(other), `another client's message came as ${show(second)}; expected it still from its short id "${nameOf(other)}"`);
        await t.expectRefusal(ada, 'nickname', [''], 'an empty name is no name');
        await t.expectRefusal(ada, 'nickname', ['   '], 'a blank name is no name');
        await t.expectRefusal(ada, 'nickname', ['n'.repeat(31)], 'a name of 31 characters is over the limit of 30');
        await t.refusesBadInput(ada, 'nickname', { good: ['Ada'], bad: [42], stillAnswers: () => chatStillWorks(t, ada) });

        // The page: "/nick Ada" sets the name, and is not sent as a message.
        const [ann, bob] = [await person(t), await person(t)];
        await t.connections(4);
        await type(ann, '/nick Ann');
        await type(ann, 'hello there');
        await t.shows(bob, 'hello there', "Bob's page");
        const commands = await times(bob, '/nick');
        expectThat(commands === 0, `Bob's page shows "/nick Ann" as a message; expected Ann's page to send it with "nickname" instead`);
        const seen = (await bob.locator('body').textContent()) ?? '';
        expectThat(seen.includes('Ann'), `Bob's page shows no "Ann" after Ann typed "/nick Ann", then "hello there"; expected her message to come from Ann`);
      },
    },
    {
      id: '05.4',
      title: 'A private word',
      async check(t) {
        const [a, b, c] = [await t.connect(), await t.connect(), await t.connect()];
        const toC = heard(c, 'private message');
        const arrived = handled(t.next(b, 'private message', `B to get "private message" { from: "${nameOf(a)}", text: "psst" }`));
        const args = [{ to: nameOf(b), text: '  psst  ' }];
        await t.expectOk(a, 'private message', args);
        const [message] = await arrived;
        expectThat(
          message?.from === nameOf(a) && message?.text === 'psst',
          `B got "private message" ${show(message)}; expected { from: "${nameOf(a)}", text: "psst" }`,
        );
        await t.roundTrip(c);
        expectThat(toC.length === 0, `C got ${show(toC[0])}, a private message meant for B; expected only B to get it`);
        await t.expectRefusal(a, 'private message', [{ to: 'nobody', text: 'hi' }], 'no one is called "nobody"');
        await t.expectRefusal(a, 'private message', [{ to: nameOf(b), text: '   ' }], 'the text is blank');
        await t.expectRefusal(a, 'private message', [{ to: nameOf(b), text: 'x'.repeat(501) }], 'a text of 501 characters is over the limit of 500');
        await t.expectRefusal(a, 'private message', [{ text: 'hi' }], 'it says to no one');
        await t.refusesBadInput(a, 'private message', { good: [{ to: nameOf(b), text: 'hi' }], bad: ['psst'], stillAnswers: () => chatStillWorks(t, a) });
        expectThat(toC.length === 0, `C got ${show(toC[0])}; expected no private message at all`);

        // The page shows a private message it gets.
        const bob = await person(t);
        await t.connections(4);
        const ids = [...(await t.lesson()).io!.of('/').sockets.keys()];
        const page = ids.find((id) => ![a, b, c].some((client) => client.id === id))!.slice(0, 6);
        const sent = await t.ask(a, 'private message', [{ to: page, text: 'psst, page' }]);
        expectThat(sent?.ok === true, `a private message to the page (${page}) was answered ${show(sent)}; expected { ok: true }`);
        await t.shows(bob, 'psst, page', 'The page that got a private message');
      },
    },
  ],
};

// The checks of lesson 05's exercises (see its README).
import type { Page } from 'playwright-core';
import { HOSTILE, expectThat, handled, show, type Check, type Client, type LessonChecks } from './check';

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

        // Someone else's text, and her own, go in as text: hostile text runs nothing.
        await t.expectOk(sender, 'chat message', [HOSTILE]);
        await t.showsAsText(ann, `Ann's page, given a message from another client`);
        await type(bob, `${HOSTILE} from Bob`);
        await t.showsAsText(bob, `Bob's page, showing his own message once it was taken`, `${HOSTILE} from Bob`);
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
        const before = t.marks();
        await t.expectOk(typist, 'typing', []);
        await arrivals;
        expectThat(own.length === 0, `the typist got its own "typing" back (${show(own[0])}); expected only the others to get it`);
        await t.expectAudience('typing', want, (notice) => notice?.from === nameOf(typist), [b, c], before);
        await t.refusesBadInput(typist, 'typing', { good: [], bad: [42], stillAnswers: () => chatStillWorks(t, typist) });

        // A flood of "typing" is held back by the rate limit, as chat messages are.
        const flooder = await t.connect();
        const flood = t.marks();
        for (let i = 0; i < 50; i++) flooder.emit('typing');
        await t.roundTrip(flooder);
        await t.settle();
        const passed = t.received(b, 'typing', flood.get(b)).filter((notice) => notice?.from === nameOf(flooder)).length;
        expectThat(
          passed <= 20,
          `of 50 "typing" sent at once by one client, another client got ${passed}; expected the rate limit to hold them back (chat messages allow 10 at once), or a script floods every page`,
        );
        flooder.close();

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

        // Each "typing" starts the 3 seconds again: someone who types on stays shown.
        const name = nameOf(listener);
        const shown = bob.getByText(`${name} is typing`).filter({ visible: true });
        await t.expectOk(listener, 'typing', []);
        await t.shows(bob, `${name} is typing`, `Bob's page, after "typing" from ${name},`);
        await bob.clock.fastForward(2000);
        await t.expectOk(listener, 'typing', []);
        await t.expectOk(c, 'chat message', ['a marker']); // sent after that "typing": Bob's page has it once this shows
        await t.shows(bob, 'a marker', "Bob's page");
        await bob.clock.fastForward(2000);
        expectThat(
          (await shown.count()) > 0,
          `Bob's page hid "${name} is typing…" 4 seconds after the first "typing", though another came 2 seconds ago; expected each "typing" to restart the 3 seconds (clearTimeout, then setTimeout again), while they are still typing`,
        );
        await bob.clock.fastForward(1500);
        expectThat((await shown.count()) === 0, `Bob's page still shows "${name} is typing…" 3.5 seconds after the last "typing"; expected it gone by then`);
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
        // Any script's letters, and 30 characters counted once the name is trimmed.
        const fine = [
          ['Zoë 李雷', 'a name may have letters of any script'],
          ['n'.repeat(30), 'it is 30 characters once trimmed, and the name is trimmed before it is counted'],
        ];
        for (const [name, why] of fine) {
          const taken = await t.ask(ada, 'nickname', [`  ${name}  `]);
          expectThat(taken?.ok === true, `nickname(${show(`  ${name}  `)}) was answered ${show(taken)}; expected { ok: true }: ${why}`);
          const next = handled(t.next(other, 'chat message', `a "chat message" from "${name}"`, (m) => m?.text === `hi from ${name}`));
          await t.expectOk(ada, 'chat message', [`hi from ${name}`]);
          const [renamed] = await next;
          expectThat(renamed.from === name, `after nickname(${show(`  ${name}  `)}), a message came as ${show(renamed)}; expected from: ${show(name)}`);
        }
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

        // A name is someone else's text: a hostile one shows as text.
        const hostile = '<img src=x onerror=pwned=1>';
        await t.expectOk(other, 'nickname', [hostile]);
        await t.expectOk(other, 'chat message', ['hi from a stranger']);
        await t.shows(bob, 'hi from a stranger', "Bob's page");
        await t.showsAsText(bob, `Bob's page, given a message from someone named ${hostile}`, hostile);
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
        await t.expectAudience('private message', 'the private message "psst"', (m) => m?.text === 'psst', [b]);
        const prefix = nameOf(b).slice(0, 3);
        await t.expectRefusal(a, 'private message', [{ to: prefix, text: 'hi' }], `no one is called exactly "${prefix}" (B is "${nameOf(b)}": a name is matched whole, not as a prefix)`);
        await t.expectRefusal(a, 'private message', [{ to: 'nobody', text: 'hi' }], 'no one is called "nobody"');
        await t.expectRefusal(a, 'private message', [{ to: nameOf(b), text: '   ' }], 'the text is blank');
        await t.expectRefusal(a, 'private message', [{ to: nameOf(b), text: 'x'.repeat(501) }], 'a text of 501 characters is over the limit of 500');
        await t.expectRefusal(a, 'private message', [{ text: 'hi' }], 'it says to no one');
        await t.refusesBadInput(a, 'private message', { good: [{ to: nameOf(b), text: 'hi' }], bad: ['psst'], stillAnswers: () => chatStillWorks(t, a) });
        expectThat(toC.length === 0, `C got ${show(toC[0])}; expected no private message at all`);

        // A flood of private messages is held back by the rate limit, as chat messages are.
        const flooder = await t.connect();
        const flood = t.marks();
        for (let i = 0; i < 50; i++) flooder.emit('private message', { to: nameOf(c), text: `flood ${i}` });
        await t.roundTrip(flooder);
        await t.settle();
        const passed = t.received(c, 'private message', flood.get(c)).length;
        expectThat(
          passed <= 20,
          `of 50 private messages sent at once by one client, C got ${passed}; expected the rate limit to hold them back as it does chat messages (10 at once), or a script floods one person`,
        );

        // The page shows a private message it gets.
        const bob = await person(t);
        await t.connections(5);
        const ids = [...(await t.lesson()).io!.of('/').sockets.keys()];
        const page = ids.find((id) => ![a, b, c, flooder].some((client) => client.id === id))!.slice(0, 6);
        const sent = await t.ask(a, 'private message', [{ to: page, text: 'psst, page' }]);
        expectThat(sent?.ok === true, `a private message to the page (${page}) was answered ${show(sent)}; expected { ok: true }`);
        await t.shows(bob, 'psst, page', 'The page that got a private message');
        await t.expectOk(a, 'private message', [{ to: page, text: HOSTILE }]);
        await t.showsAsText(bob, 'The page that got a private message with HTML in it');
      },
    },
  ],
};

// The checks of lesson 10's exercises (see its README).
import { call, expectThat, show, type Check, type Client, type LessonChecks } from './check';

/** A person who has joined `room`, with everything the server sent them since they connected. */
interface Person {
  client: Client;
  seen: unknown[][];
  name: string;
}

async function joined(t: Check, name: string, room: string): Promise<Person> {
  let seen: unknown[][] = [];
  const client = await t.connect((c) => (seen = t.record(c)));
  await t.expectOk(client, 'join', [{ name, room }]);
  return { client, seen, name };
}

/** A round trip to the server: what it sent `person` before has arrived once this resolves. */
async function sync(t: Check, ...people: Person[]): Promise<void> {
  await Promise.all(people.map((person) => t.roundTrip(person.client)));
  await t.pause(20);
}

/** What `person` was sent as `event` (first arguments), from `from` on in their record. */
const sent = (person: Person, event: string, from = 0): any[] => person.seen.slice(from).filter(([name]) => name === event).map(([, arg]) => arg);

/** A typing note that names `name`: "Bob is typing…", or "Ann and Bob are typing…". */
const typingNote = (name: string) => new RegExp(`${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*\\btyping`);

const isText = (from: string) => (message: any) => message?.from === from;

async function sayOk(t: Check, person: Person, text: string): Promise<void> {
  await t.expectOk(person.client, 'createMessage', [{ text }]);
}

export const checks: LessonChecks = {
  lesson: '10-users',
  exercises: [
    {
      id: '10.1',
      title: 'Rooms on the join page',
      async check(t) {
        const base = (await t.lesson()).url;
        const rooms = async () => {
          const response = await fetch(`${base}/rooms`);
          expectThat(response.ok, `GET /rooms was answered HTTP ${response.status}; expected the rooms as JSON`);
          const body: unknown = await response.json().catch(() => 'not JSON');
          expectThat(Array.isArray(body), `GET /rooms was answered ${show(body)}; expected an array of { name, users }`);
          return body as Array<{ name?: unknown; users?: unknown }>;
        };
        const empty = await rooms();
        expectThat(empty.length === 0, `with nobody in, GET /rooms was answered ${show(empty)}; expected []`);
        await joined(t, 'Ann', 'Lobby');
        const bob = await joined(t, 'Bob', 'lobby');
        const cy = await joined(t, 'Cy', 'Kitchen');
        const has = (list: Array<{ name?: unknown; users?: unknown }>, name: string, users: number) => list.some((room) => room.name === name && room.users === users);
        const busy = await rooms();
        expectThat(
          has(busy, 'Lobby', 2) && has(busy, 'Kitchen', 1) && busy.length === 2,
          `with Ann and Bob in Lobby and Cy in Kitchen, GET /rooms was answered ${show(busy)}; expected { name: "Lobby", users: 2 } and { name: "Kitchen", users: 1 }`,
        );
        await t.expectOk(bob.client, 'join', [{ name: 'Bob', room: 'Kitchen' }]);
        const moved = await rooms();
        expectThat(
          has(moved, 'Lobby', 1) && has(moved, 'Kitchen', 2) && moved.length === 2,
          `after Bob switched from Lobby to Kitchen, GET /rooms was answered ${show(moved)}; expected { name: "Lobby", users: 1 } and { name: "Kitchen", users: 2 }: a switch leaves the old room`,
        );
        cy.client.close();
        bob.client.close();
        let after = await rooms();
        for (const until = Date.now() + 2000; after.some((room) => room.name === 'Kitchen') && Date.now() < until; after = await rooms()) await t.pause(20);
        expectThat(!after.some((room) => room.name === 'Kitchen'), `after Cy and Bob left Kitchen, GET /rooms still lists it: ${show(after)}`);

        // The page: Lobby with its count, and a room whose name is made to break out of HTML, as text.
        await joined(t, 'Dee', 'Lobby');
        const hostile = '"><img src=x onerror=pwned=1>';
        await joined(t, 'Mallory', hostile);
        const page = await t.open('/');
        await page.locator('#room').click();
        const offered = await page
          .waitForFunction(
            () => {
              if ('pwned' in window) return true;
              const options = [...(document.querySelector<HTMLInputElement>('#room')?.list?.options ?? [])];
              const lobby = options.find((option) => option.value === 'Lobby');
              return lobby && /\b2\b/.test(`${lobby.label} ${lobby.textContent}`) ? true : undefined;
            },
            undefined,
            { timeout: 2000 },
          )
          .then(() => true, () => false);
        await t.expectNoScript(page, `with a room named ${show(hostile)}, the join page`, hostile);
        expectThat(offered, 'on the join page, the room field (#room) did not suggest "Lobby" with its 2 people, in a <datalist> it names with list="…", within 2 s');
        const values = await page.evaluate(() => [...(document.querySelector<HTMLInputElement>('#room')?.list?.options ?? [])].map((option) => option.value));
        expectThat(values.includes(hostile), `the room field suggests ${show(values)}; expected the room ${show(hostile)} too, its name as typed`);
      },
    },
    {
      id: '10.2',
      title: 'Bob is typing…',
      async check(t) {
        const [ann, bob, cy] = [await joined(t, 'Ann', 'Lobby'), await joined(t, 'Bob', 'Lobby'), await joined(t, 'Cy', 'Kitchen')];
        const stranger = await t.connect();
        const early = await t.ask(stranger, 'typing', []);
        expectThat(early?.ok === false, `typing() before joining a room was answered ${show(early)}; expected { ok: false, error }`);
        const notice = t.next(ann.client, 'typing', 'Ann, in Bob\'s room, to get typing("Bob")', (who) => who === 'Bob');
        const reply = await t.ask(bob.client, 'typing', []);
        expectThat(reply?.ok === true, `Bob's typing() was answered ${show(reply)}; expected { ok: true }`);
        await notice;
        await sync(t, bob, cy);
        expectThat(sent(cy, 'typing').length === 0, `Cy, in another room, was sent typing(${show(sent(cy, 'typing')[0])}); only Bob's room should hear`);
        expectThat(sent(bob, 'typing').length === 0, 'Bob was sent his own typing notice; only the others should hear it');

        const before = sent(ann, 'typing').length;
        const typings = Array.from({ length: 50 }, () => bob.client.timeout(1000).emitWithAck('typing').catch(() => {}));
        // Right behind them, in the same burst: a limit shared with typing has had no time to refill, however slow the machine.
        const message = await t.ask(bob.client, 'createMessage', [{ text: 'done typing' }]);
        await Promise.all(typings);
        await sync(t, ann);
        const heard = sent(ann, 'typing').length - before;
        expectThat(heard <= 15, `Bob sent typing() 50 times at once and Ann heard ${heard}; rate-limit it, so she hears at most 15`);
        expectThat(
          message?.ok === true,
          `after Bob sent typing() 50 times, his createMessage({ text: "done typing" }) was answered ${show(message)}; typing must not use up what he may send: give it a rate limit of its own`,
        );

        await t.refusesBadInput(bob.client, 'typing', { good: [], bad: [42], stillAnswers: () => sayOk(t, bob, 'still here') });

        // The page: Ann sees Bob typing, and then not, once he has stopped a while.
        // Her page's clock stands still, and moves only when the check moves it.
        const annPage = await t.open('/chat.html?name=Ann&room=Attic', {}, (page) => page.clock.install());
        await annPage.locator('#users li', { hasText: 'Ann' }).waitFor({ timeout: 2000 });
        await annPage.clock.pauseAt((await annPage.evaluate(() => Date.now())) + 1000);
        const bobPage = await t.open('/chat.html?name=Bob&room=Attic');
        await annPage.locator('#users li', { hasText: 'Bob' }).waitFor({ timeout: 2000 });
        await bobPage.locator('#input').pressSequentially('hello', { delay: 20 });
        await t.shows(annPage, typingNote('Bob'), 'Bob typed "hello" in the Attic, so Ann\'s page');
        await annPage.clock.fastForward(10_000);
        const hidden = await annPage.getByText(typingNote('Bob')).waitFor({ state: 'hidden', timeout: 1000 }).then(() => true, () => false);
        expectThat(hidden, 'Ann\'s page still shows "Bob is typing…" 10 s after Bob stopped');

        // A name is text; and each notice starts the wait again.
        const hostile = '<img src=x onerror=pwned=1>';
        const mallory = await joined(t, hostile, 'Attic');
        const eve = await joined(t, 'Eve', 'Attic');
        await t.expectOk(mallory.client, 'typing', []);
        await annPage
          .waitForFunction((pattern) => 'pwned' in window || new RegExp(pattern).test(document.body.innerText), typingNote(hostile).source, { timeout: 2000 })
          .catch(() => {});
        await t.expectNoScript(annPage, `${show(hostile)} sent typing() in the Attic, and Ann's page`, hostile);
        await t.shows(annPage, typingNote(hostile), `${show(hostile)} sent typing() in the Attic, so Ann's page`);
        await annPage.clock.fastForward(1500);
        await t.expectOk(eve.client, 'typing', []);
        await t.shows(annPage, typingNote('Eve'), 'Eve sent typing() in the Attic, so Ann\'s page');
        await annPage.clock.fastForward(1800);
        const still = await annPage.getByText(typingNote('Eve')).first().isVisible();
        expectThat(
          still,
          'Ann\'s page hid "Eve is typing…" 1.8 s after Eve\'s notice, 3.3 s after the one before it; each notice must start the wait again (clearTimeout the last one), not end with an older timer',
        );
      },
    },
    {
      id: '10.3',
      title: 'Private messages',
      async check(t) {
        const ann = await joined(t, 'Ann', 'Lobby');
        const bob = await joined(t, 'Bob', 'Lobby');
        const dee = await joined(t, 'Dee', 'Lobby');
        const sam = await joined(t, 'Sam', 'Lobby');
        const cy = await joined(t, 'Cy', 'Kitchen');
        const start = ann.seen.length;
        const is = (m: any) => m?.from === 'Ann' && m?.to === 'Bob' && m?.text === 'psst' && typeof m?.createdAt === 'number';
        const heard = t.next(bob.client, 'newPrivateMessage', 'Bob to get newPrivateMessage({ from: "Ann", to: "Bob", text: "psst", createdAt })', is);
        const reply = await t.ask(ann.client, 'privateMessage', [{ to: 'Bob', text: ' psst ' }]);
        expectThat(reply?.ok === true, `Ann's privateMessage({ to: "Bob", text: " psst " }) was answered ${show(reply)}; expected { ok: true }`);
        await heard;
        await sync(t, ann, dee, cy);
        expectThat(sent(ann, 'newPrivateMessage', start).some(is), 'Ann was not sent her own copy of the private message: newPrivateMessage({ from: "Ann", to: "Bob", text: "psst", createdAt })');
        for (const other of [dee, sam, cy]) {
          const leaked = [...sent(other, 'newPrivateMessage'), ...sent(other, 'newMessage').filter((m: any) => m?.text === 'psst')];
          expectThat(leaked.length === 0, `${other.name} was sent ${show(leaked[0])}; a private message is for Bob and Ann only`);
        }
        for (const [payload, why] of [
          [{ to: 'Cy', text: 'hi' }, 'Cy is in another room'],
          [{ to: 'Nobody', text: 'hi' }, 'nobody is called Nobody'],
          [{ to: 'Bob', text: '   ' }, 'the text is blank'],
          [{ to: 'Bob', text: 'x'.repeat(501) }, 'the text is over 500 characters'],
          [{ to: 'Bob', text: 'hi', from: 'Cy' }, 'a client may not say who it is from'],
        ] as const) {
          const refused = await t.ask(ann.client, 'privateMessage', [payload]);
          expectThat(refused?.ok === false, `${call('privateMessage', [payload])} was answered ${show(refused)}; ${why}, so it should be refused with { ok: false, error }`);
        }
        // Every name, found by the name people see: "Sam" too (compared by its key, "sarn").
        const toSam = t.next(sam.client, 'newPrivateMessage', 'Sam to get Ann\'s private message "hi Sam"', (m) => m?.text === 'hi Sam' && m?.to === 'Sam');
        const samReply = await t.ask(ann.client, 'privateMessage', [{ to: 'Sam', text: 'hi Sam' }]);
        expectThat(samReply?.ok === true, `with Sam in Lobby, Ann's privateMessage({ to: "Sam", text: "hi Sam" }) was answered ${show(samReply)}; expected { ok: true }`);
        await toSam;
        const stranger = await t.connect();
        const early = await t.ask(stranger, 'privateMessage', [{ to: 'Bob', text: 'hi' }]);
        expectThat(early?.ok === false, `privateMessage before joining a room was answered ${show(early)}; expected { ok: false, error }`);
        await t.refusesBadInput(ann.client, 'privateMessage', { good: [{ to: 'Bob', text: 'hi' }], bad: ['psst'], stillAnswers: () => sayOk(t, ann, 'still here') });

        // Rate-limited, as every message is.
        const before = sent(bob, 'newPrivateMessage').length;
        await Promise.all(Array.from({ length: 50 }, (_, i) => ann.client.timeout(1000).emitWithAck('privateMessage', { to: 'Bob', text: `spam ${i}` }).catch(() => {})));
        await sync(t, bob);
        const flood = sent(bob, 'newPrivateMessage').length - before;
        expectThat(flood <= 15, `Ann sent 50 private messages to Bob at once and he got ${flood}; rate-limit privateMessage as createMessage is, so he gets at most 15`);
      },
    },
    {
      id: '10.4',
      title: 'The last 20 messages',
      options: { rateLimit: { burst: 100, perSecond: 100 } },
      async check(t) {
        const ann = await joined(t, 'Ann', 'Lobby');
        const cy = await joined(t, 'Cy', 'Kitchen');
        const first = await joined(t, 'Eve', 'Attic');
        await sync(t, first);
        const early = sent(first, 'newMessage').filter((m: any) => m?.from !== 'Admin');
        expectThat(early.length === 0, `Eve opened an empty room and was sent ${show(early[0])}; expected no messages`);
        for (let i = 1; i <= 25; i++) await sayOk(t, ann, `m${i}`);
        await sayOk(t, cy, 'from the kitchen');

        const dee = await joined(t, 'Dee', 'lobby');
        const want = Array.from({ length: 20 }, (_, i) => `m${i + 6}`);
        const got = () => sent(dee, 'newMessage').filter((m: any) => m?.from !== 'Admin').map((m: any) => m?.text);
        for (let waited = 0; got().length < 20 && waited < 1000; waited += 20) await t.pause(20);
        await sync(t, dee);
        expectThat(
          show(got()) === show(want),
          `Dee joined Lobby after Ann sent m1 to m25 there, and was sent ${show(got(), 120)}; expected m6 to m25, oldest first, and nothing from Kitchen`,
        );
        const old = sent(dee, 'newMessage').find((m: any) => m?.text === 'm6');
        const original = sent(ann, 'newMessage').find((m: any) => m?.text === 'm6');
        expectThat(
          old?.from === 'Ann' && typeof old?.createdAt === 'number' && old.createdAt === original?.createdAt,
          `the old message m6 came to Dee as ${show(old)}; expected it as first sent, ${show({ from: 'Ann', text: 'm6', createdAt: original?.createdAt })}: the same createdAt`,
        );
        await sync(t, ann);
        const again = sent(ann, 'newMessage').filter((m: any) => m?.text === 'm6').length;
        expectThat(again === 1, `when Dee joined, Ann got m6 ${again} times in all; the last 20 are for the newcomer only (socket.emit), not the whole room again`);
        const live = t.next(dee.client, 'newMessage', 'Dee to get Ann\'s next message, "live again"', (m) => m?.text === 'live again');
        await sayOk(t, ann, 'live again');
        await live;
      },
    },
    {
      id: '10.5',
      title: 'Send changes, not the whole list',
      changes: [
        '10 users sends the room its user list when someone joins, and only that room',
        '10 users says who left and sends the new list when someone disconnects',
        '10 users moves a user who joins another room: both rooms hear and get their lists',
        '10 users, a join storm sends a member fewer lists than there were joins, and the last one is complete',
      ],
      async check(t) {
        const ann = await joined(t, 'Ann', 'Lobby');
        await sync(t, ann);
        expectThat(show(sent(ann, 'updateUserList')) === show([['Ann']]), `Ann joined an empty Lobby and was sent updateUserList ${show(sent(ann, 'updateUserList'))}; expected it once, with ["Ann"]`);
        const mark = ann.seen.length;
        const bob = await joined(t, 'Bob', 'Lobby');
        const cy = await joined(t, 'Cy', 'Kitchen');
        await sync(t, ann, bob, cy);
        expectThat(show(sent(bob, 'updateUserList')) === show([['Ann', 'Bob']]), `Bob joined Lobby and was sent updateUserList ${show(sent(bob, 'updateUserList'))}; expected it once, with ["Ann", "Bob"]`);
        expectThat(show(sent(ann, 'userJoined', mark)) === show(['Bob']), `when Bob joined, Ann was sent userJoined ${show(sent(ann, 'userJoined', mark))}; expected userJoined("Bob") once, and nothing for Cy's room`);
        const own = sent(bob, 'userJoined');
        expectThat(own.length === 0, `Bob, joining, was sent userJoined ${show(own)} on top of his list; the newcomer's list has his own name already: userJoined is for the others`);

        await t.ask(bob.client, 'join', [{ name: 'Bob', room: 'Kitchen' }]);
        await sync(t, ann, bob, cy);
        expectThat(show(sent(ann, 'userLeft', mark)) === show(['Bob']), `when Bob switched to Kitchen, Ann was sent userLeft ${show(sent(ann, 'userLeft', mark))}; expected userLeft("Bob")`);
        expectThat(show(sent(cy, 'userJoined')) === show(['Bob']), `when Bob switched to Kitchen, Cy was sent userJoined ${show(sent(cy, 'userJoined'))}; expected userJoined("Bob")`);
        expectThat(show(sent(bob, 'updateUserList').at(-1)) === show(['Cy', 'Bob']), `Bob switched to Kitchen and was sent updateUserList ${show(sent(bob, 'updateUserList').at(-1))}; expected ["Cy", "Bob"]`);

        const dee = await joined(t, 'Dee', 'Lobby');
        const left = t.next(ann.client, 'userLeft', 'Ann to get userLeft("Dee") when Dee disconnects', (name) => name === 'Dee');
        dee.client.close();
        await left;
        await sync(t, ann);
        const lists = sent(ann, 'updateUserList', mark);
        expectThat(lists.length === 0, `after her own join, Ann was sent the whole list again: updateUserList ${show(lists[0])}; the others should get only changes`);

        // The page keeps its list from the changes.
        const page = await t.open('/chat.html?name=Ann&room=Attic');
        const people = () => page.locator('#users li').allTextContents();
        // Each item shows its name as a word: "Ann (you)" will do.
        const until = async (want: string[], what: string) => {
          const ok = await page
            .waitForFunction(
              (patterns) => {
                const items = [...document.querySelectorAll('#users li')].map((li) => li.textContent ?? '');
                return items.length === patterns.length && patterns.every((pattern, i) => new RegExp(pattern, 'u').test(items[i]));
              },
              want.map((name) => `(?<![\\p{L}\\p{N}])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}\\p{N}])`),
              { timeout: 2000 },
            )
            .then(() => true, () => false);
          await t.expectNoScript(page, `${what}, Ann's list of people`, hostile);
          expectThat(ok, `${what}, Ann's page lists ${show(await people())} in #users; expected ${show(want)}`);
        };
        const hostile = '<img src=x onerror=pwned=1>';
        await until(['Ann'], 'once Ann joined the Attic');
        const eve = await joined(t, 'Eve', 'Attic');
        await until(['Ann', 'Eve'], 'after Eve joined the Attic');
        const mallory = await joined(t, hostile, 'Attic');
        await until(['Ann', 'Eve', hostile], `after ${show(hostile)} joined the Attic`);
        eve.client.close();
        mallory.client.close();
        await until(['Ann'], 'after Eve and the other left');
      },
    },
    {
      id: '10.6',
      title: 'A new name, same room',
      async check(t) {
        const ann = await joined(t, 'Ann', 'Lobby');
        const bob = await joined(t, 'Bob', 'Lobby');
        const cy = await joined(t, 'Cy', 'Kitchen');
        await sync(t, ann, bob, cy);
        const mark = bob.seen.length;
        const cyMark = cy.seen.length;
        // A room gets a list at once, then at most one more per 100 ms: wait for it.
        const newList = t.next(bob.client, 'updateUserList', 'when Ann became Annie, Bob to be sent the list with Annie and Bob', (list) =>
          Array.isArray(list) && [...list].sort().join('|') === 'Annie|Bob',
        );
        const reply = await t.ask(ann.client, 'join', [{ name: 'Annie', room: 'lobby' }]);
        expectThat(
          reply?.ok === true && reply.name === 'Annie' && reply.room === 'Lobby',
          `Ann's join({ name: "Annie", room: "lobby" }) was answered ${show(reply)}; expected { ok: true, name: "Annie", room: "Lobby" }`,
        );
        await sync(t, ann, bob);
        const notices = sent(bob, 'newMessage', mark).filter(isText('Admin')).map((m: any) => String(m?.text));
        expectThat(
          notices.length === 1 && /\bAnn\b/.test(notices[0]) && /\bAnnie\b/.test(notices[0]),
          `when Ann became Annie, Bob was sent ${show(notices)} from Admin; expected one notice with both names, like "Ann is now Annie"`,
        );
        expectThat(!/has (left|joined)/.test(notices[0]), `Bob was told "${notices[0]}"; a new name is not leaving and joining`);
        await newList;
        const renamed = t.next(bob.client, 'newMessage', 'Annie\'s message to come from "Annie"', (m) => m?.text === 'it is me' && m?.from === 'Annie');
        await sayOk(t, ann, 'it is me');
        await renamed;
        await sync(t, cy);
        const elsewhere = sent(cy, 'newMessage', cyMark).filter(isText('Admin'));
        expectThat(elsewhere.length === 0, `Cy, in Kitchen, was sent ${show(elsewhere[0])} when Ann became Annie in Lobby; only her room should hear it`);

        const beforeRefusal = bob.seen.length;
        const taken = await t.ask(ann.client, 'join', [{ name: 'BOB', room: 'Lobby' }]);
        expectThat(taken?.ok === false, `Annie's join({ name: "BOB", room: "Lobby" }) was answered ${show(taken)}; Bob has that name, so it should be refused`);
        const stillAnnie = t.next(bob.client, 'newMessage', 'Annie\'s message after the refusal to come from "Annie"', (m) => m?.text === 'still me' && m?.from === 'Annie');
        await sayOk(t, ann, 'still me');
        await stillAnnie;
        const told = sent(bob, 'newMessage', beforeRefusal).filter(isText('Admin'));
        expectThat(told.length === 0, `when Annie's rename to "BOB" was refused, Bob was sent ${show(told[0])}; a refused rename changes nothing and tells nobody`);
        const newcomer = await t.connect();
        const freed = await t.ask(newcomer, 'join', [{ name: 'Ann', room: 'Lobby' }]);
        expectThat(freed?.ok === true, `once Ann had become Annie, a newcomer's join({ name: "Ann", room: "Lobby" }) was answered ${show(freed)}; the old name is free again`);
      },
    },
  ],
};

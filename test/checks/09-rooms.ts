// The checks of lesson 09's exercises (see its README).
import type { Page } from 'playwright-core';
import { call, expectThat, NotYet, show, type Check, type Client, type LessonChecks } from './check';

/** How long to wait for what should come at once: generous, for a busy machine. */
const SOON = 2000;

/** Connects a client and joins `room` as `name`; resolves with the client and the answer. */
async function joined(t: Check, name: string, room: string): Promise<[Client, any]> {
  const client = await t.connect(undefined, { as: name.trim() });
  return [client, await t.ask(client, 'join', [{ name, room }], SOON)];
}

/** Connects and joins, and expects the join to succeed. */
async function member(t: Check, name: string, room: string): Promise<Client> {
  const client = await t.connect(undefined, { as: name });
  await t.expectOk(client, 'join', [{ name, room }], SOON);
  return client;
}

/** Waits until the server has seen the socket `id` disconnect. */
async function gone(t: Check, id: string | undefined): Promise<void> {
  const sockets = (await t.lesson()).io!.of('/').sockets;
  for (const until = Date.now() + SOON; id !== undefined && sockets.has(id) && Date.now() < until; ) await t.pause(10);
}

/** Admin's notices among what a client recorded. */
const notices = (seen: unknown[][]) =>
  seen.filter(([event, message]) => event === 'newMessage' && (message as { from?: string })?.from === 'Admin').map(([, message]) => (message as { text: string }).text);

/**
 * Joins `room` as `name` on new sockets until the answer passes `good`, for up
 * to 2 s: the server may take a moment to see that others have left.
 */
async function joinOnceGone(t: Check, name: string, room: string, good: (reply: any) => boolean): Promise<any> {
  const until = Date.now() + SOON;
  for (;;) {
    const [client, reply] = await joined(t, name, room);
    if (good(reply) || Date.now() > until) return reply;
    client.close();
    await t.pause(30);
  }
}

/** Waits for the next updateUserList on `client` with exactly these names, in any order. */
function listOf(t: Check, client: Client, who: string, names: string[]): Promise<unknown[]> {
  const want = show([...names].sort());
  return t.next(client, 'updateUserList', `${who} to get updateUserList(${show(names)})`, (list) => Array.isArray(list) && show([...list].sort()) === want, SOON);
}

/** What the join page suggests for the room box: its datalist's options, and the page's text. */
function suggestions(page: Page): Promise<{ options: string[]; text: string; pwned: boolean }> {
  return page.evaluate(() => {
    const input = document.querySelector<HTMLInputElement>('#room');
    const options = [...(input?.list?.querySelectorAll('option') ?? [])].flatMap((option) => [option.value, option.textContent ?? '']);
    // The page's text, and each element's own text apart: buttons side by side, spaced
    // by CSS alone, read as one word in innerText.
    const own = [...document.body.querySelectorAll('*')].filter((element) => !['SCRIPT', 'STYLE', 'TEMPLATE'].includes(element.tagName) && element.children.length === 0);
    const text = [document.body.innerText, ...own.map((element) => element.textContent ?? '')].join('\n');
    return { options, text, pwned: 'pwned' in window };
  });
}

const words = (text: string) => new RegExp(`(^|[^\\w])${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\w])`);

export const checks: LessonChecks = {
  lesson: '09-rooms',
  exercises: [
    {
      id: '09.1',
      title: 'Someone left',
      async check(t) {
        const ann = await member(t, 'Ann', 'Lobby');
        const bob = await member(t, 'Bob', 'Lobby');
        const cy = await member(t, 'Cy', 'Kitchen');
        // A room called "undefined": where a room that was never set ends up, in a template string.
        const uma = await member(t, 'Uma', 'undefined');
        const lou = await t.connect(undefined, { as: 'Lou, who never joined a room' });
        const stranger = await t.connect(undefined, { as: 'a socket that never joined' });
        const from = t.marks();
        const left = t.next(bob, 'newMessage', 'Bob to hear { from: "Admin", text: "Ann has left" } once Ann closed her connection', (message) => message?.from === 'Admin' && message?.text === 'Ann has left', SOON);
        ann.close();
        await left;
        await t.settle();
        for (const [client, where] of [[cy, 'in another room'], [uma, 'in another room'], [lou, 'in no room']] as const) {
          const heard = notices(t.seen(client).slice(from.get(client)));
          expectThat(heard.length === 0, `${t.nameOf(client)}, ${where}, heard ${show(heard)} when Ann left "Lobby"; only Ann's room should hear that she left`);
        }
        const twice = notices(t.seen(bob).slice(from.get(bob))).filter((text) => text === 'Ann has left');
        expectThat(twice.length === 1, `Bob heard "Ann has left" ${twice.length} times; once is enough`);

        const quiet = t.marks();
        stranger.close();
        await t.pause(50);
        await t.settle();
        for (const client of [bob, cy, uma, lou]) {
          const heard = notices(t.seen(client).slice(quiet.get(client)));
          expectThat(heard.length === 0, `when a socket that never joined a room left, ${t.nameOf(client)} heard ${show(heard)}; nobody should hear of it`);
        }
      },
    },
    {
      id: '09.2',
      title: 'Lobby is lobby',
      async check(t) {
        const ann = await member(t, 'Ann', 'Lobby');
        const bobHears = t.next(ann, 'newMessage', 'Ann to hear "Bob has joined"', (message) => message?.from === 'Admin' && message?.text === 'Bob has joined', SOON);
        let welcome: Promise<any[]> | undefined;
        const bob = await t.connect((client) => {
          welcome = t.next(client, 'newMessage', 'Bob to be welcomed with "Welcome to Lobby, Bob!"', (message) => message?.from === 'Admin', SOON);
        });
        const reply = await t.ask(bob, 'join', [{ name: 'Bob', room: ' lobby ' }]);
        expectThat(
          reply?.ok === true && reply.name === 'Bob' && reply.room === 'Lobby',
          `with Ann in "Lobby", join({ name: "Bob", room: " lobby " }) was answered ${show(reply)}; expected { ok: true, name: "Bob", room: "Lobby" }, the room as the first person typed it`,
        );
        const [hello] = await welcome!;
        expectThat(hello.text === 'Welcome to Lobby, Bob!', `Bob was welcomed with ${show(hello.text)}; expected "Welcome to Lobby, Bob!"`);
        await bobHears;
        const cy = await member(t, 'Cy', 'LOBBY');
        const cyHears = t.next(cy, 'newMessage', 'Cy, who joined "LOBBY", to hear Bob in "Lobby"', (message) => message?.from === 'Bob' && message?.text === 'hi all', SOON);
        await t.ask(bob, 'createMessage', [{ text: 'hi all' }]);
        await cyHears;

        // Ann, who chose the spelling, leaves; Bob and Cy are still in: the room keeps it.
        const annId = ann.id;
        ann.close();
        await gone(t, annId);
        const [eve, kept] = await joined(t, 'Eve', 'LOBBY');
        expectThat(
          kept?.ok === true && kept.room === 'Lobby',
          `Ann left, with Bob and Cy still in "Lobby", and join({ name: "Eve", room: "LOBBY" }) was answered ${show(kept)}; the room is not empty, so it keeps the spelling of its first person: expected room "Lobby"`,
        );

        for (const client of [bob, cy, eve]) client.close();
        const after = await joinOnceGone(t, 'Dee', 'LOBBY', (answer) => answer?.room === 'LOBBY');
        expectThat(
          after?.ok === true && after.room === 'LOBBY',
          `once everyone had left "Lobby", join({ name: "Dee", room: "LOBBY" }) was answered ${show(after)}; an empty room is forgotten, so expected { ok: true, name: "Dee", room: "LOBBY" }`,
        );

        // Case is not only A to Z: "КУХНЯ" is the room "Кухня".
        await member(t, 'Fay', 'Кухня');
        const [, cyrillic] = await joined(t, 'Gus', 'КУХНЯ');
        expectThat(
          cyrillic?.ok === true && cyrillic.room === 'Кухня',
          `with Fay in "Кухня", join({ name: "Gus", room: "КУХНЯ" }) was answered ${show(cyrillic)}; room names ignore case in every script, not only A to Z (toLowerCase does), so expected room "Кухня"`,
        );
      },
    },
    {
      id: '09.3',
      title: 'One Ann per room',
      async check(t) {
        const ann = await member(t, 'Ann', 'Lobby');
        const annSaw = t.record(ann);
        const refused: Client[] = [];
        for (const name of ['Ann', ' Ann ']) {
          const [client, reply] = await joined(t, name, 'Lobby');
          refused.push(client);
          expectThat(
            reply?.ok === false && typeof reply.error === 'string' && reply.error.length > 0,
            `with Ann in "Lobby", ${call('join', [{ name, room: 'Lobby' }])} was answered ${show(reply)}; the name is taken there, so expected { ok: false, error: "…" }`,
          );
        }
        const [other, elsewhere] = await joined(t, 'Ann', 'Kitchen');
        expectThat(elsewhere?.ok === true, `join({ name: "Ann", room: "Kitchen" }) was answered ${show(elsewhere)}; a name is taken only in its own room`);
        const bob = await member(t, 'Bob', 'Lobby');
        await t.roundTrip(ann);
        const heard = notices(annSaw).filter((text) => text !== 'Bob has joined');
        expectThat(heard.length === 0, `Ann heard ${show(heard)} when a second Ann was refused; a refused join tells nobody`);

        // A refused socket is in no room: it hears nothing of Lobby, and may not speak there.
        const from = t.marks();
        const bobHears = t.next(bob, 'newMessage', 'Bob to get Ann\'s message "only Lobby"', (message) => message?.text === 'only Lobby', SOON);
        await t.expectOk(ann, 'createMessage', [{ text: 'only Lobby' }], SOON);
        await bobHears;
        await t.settle();
        const got = (client: Client) => t.seen(client).slice(from.get(client)).some(([event, message]) => event === 'newMessage' && (message as { text?: string })?.text === 'only Lobby');
        expectThat(!refused.some(got), 'a socket whose join as "Ann" was refused got Ann\'s message in "Lobby"; a refused join must leave the socket in no room');
        expectThat(!got(other), 'Ann in "Kitchen" got the message Ann sent in "Lobby"; each room hears only its own');
        const sneaky = await t.ask(refused[0], 'createMessage', [{ text: 'me too' }], SOON);
        expectThat(sneaky?.ok === false, `a socket whose join as "Ann" was refused sent createMessage({ text: "me too" }) and it was answered ${show(sneaky)}; it has joined nothing, so expected { ok: false, error: "…" }`);
        other.close();

        // A refused socket that leaves frees nothing: the name is still Ann's.
        for (const client of refused) {
          const id = client.id;
          client.close();
          await gone(t, id);
        }
        const [, still] = await joined(t, 'Ann', 'Lobby');
        expectThat(
          still?.ok === false,
          `after the sockets whose join as "Ann" was refused had left, join({ name: "Ann", room: "Lobby" }) was answered ${show(still)}; Ann is still in "Lobby": a refused socket that leaves must not free the name it asked for`,
        );

        ann.close();
        const again = await joinOnceGone(t, 'Ann', 'Lobby', (answer) => answer?.ok === true);
        expectThat(again?.ok === true, `once Ann had left "Lobby", a new join({ name: "Ann", room: "Lobby" }) was answered ${show(again)}; the name is free again`);
      },
    },
    {
      id: '09.4',
      title: 'Who is here',
      changes: ['09 rooms (in Chromium) joins from the join page, chats in the room, and keeps other rooms out'],
      async check(t) {
        let first: Promise<unknown[]> | undefined;
        const ann = await t.connect((client) => {
          first = listOf(t, client, 'Ann, on joining "Lobby" alone,', ['Ann']);
        });
        await t.ask(ann, 'join', [{ name: 'Ann', room: 'Lobby' }]);
        await first;
        const annGets = listOf(t, ann, 'Ann, when Bob joined', ['Ann', 'Bob']);
        let bobGets: Promise<unknown[]> | undefined;
        const bob = await t.connect((client) => {
          bobGets = listOf(t, client, 'Bob, on joining Ann in "Lobby",', ['Ann', 'Bob']);
        });
        await t.ask(bob, 'join', [{ name: 'Bob', room: 'Lobby' }]);
        await Promise.all([annGets, bobGets]);
        const annSaw = t.record(ann);
        await member(t, 'Cy', 'Kitchen');
        await t.roundTrip(ann);
        const lists = annSaw.filter(([event]) => event === 'updateUserList');
        expectThat(lists.length === 0, `Ann, in "Lobby", got ${show(lists[0]?.[1])} when Cy joined "Kitchen"; each room gets its own list`);
        const annAlone = listOf(t, ann, 'Ann, once Bob had left', ['Ann']);
        bob.close();
        await annAlone;

        // The page's sidebar (#users) shows them.
        const page = await t.open('/chat.html?name=Dee&room=Study');
        const sidebar = page.locator('#users');
        const shows = async (name: string, yes: boolean, sentence: string) => {
          try {
            await page.waitForFunction(
              ([pattern, want]) => new RegExp(pattern).test(document.querySelector<HTMLElement>('#users')?.innerText ?? '') === want,
              [words(name).source, yes] as const,
              { timeout: 2000 },
            );
          } catch {
            throw new NotYet(`${sentence}; the sidebar (#users) reads "${(await sidebar.innerText()).replace(/\s+/g, ' ').trim()}"`);
          }
        };
        await shows('Dee', true, 'Dee joined "Study" on the chat page, and her name is not in the sidebar');
        const eve = await member(t, 'Eve', 'Study');
        await shows('Eve', true, 'Eve joined Dee in "Study", and Dee\'s sidebar does not show her');
        // A name is text: one that looks like HTML shows as typed, and runs nothing.
        const hostile = '<img src=x onerror=pwned=1>';
        await member(t, hostile, 'Study');
        const pattern = words(hostile).source;
        await page
          .waitForFunction((p) => 'pwned' in window || new RegExp(p).test(document.querySelector<HTMLElement>('#users')?.innerText ?? ''), pattern, { timeout: 2000 })
          .catch(() => {});
        await t.expectNoScript(page, `a person named ${show(hostile)} joined "Study", and Dee's sidebar`, hostile);
        await shows(hostile, true, `a person named ${show(hostile)} joined "Study", and Dee's sidebar does not show the name as text`);
        eve.close();
        await shows('Eve', false, 'Eve left "Study", and Dee\'s sidebar still shows her');

        // Your own name is text too: a link can carry any name to the chat page.
        // Fay joins after: once the page shows her, it has drawn a list from the server.
        const own = await t.open(`/chat.html?${new URLSearchParams({ name: hostile, room: 'Den' })}`);
        await own
          .waitForFunction((p) => 'pwned' in window || new RegExp(p).test(document.querySelector<HTMLElement>('#users')?.innerText ?? ''), pattern, { timeout: 2000 })
          .catch(() => {});
        await member(t, 'Fay', 'Den');
        await own
          .waitForFunction(() => 'pwned' in window || /\bFay\b/.test(document.querySelector<HTMLElement>('#users')?.innerText ?? ''), undefined, { timeout: 2000 })
          .catch(() => {});
        await t.showsAsText(own, `the chat page opened as ${show(hostile)} (the name a link gave it), with its own name in the sidebar`, hostile);
      },
    },
    {
      id: '09.5',
      title: 'Rooms to join',
      async check(t) {
        const ids: string[] = [];
        const joinedNow = async (name: string, room: string) => {
          const client = await member(t, name, room);
          ids.push(client.id!);
          return client;
        };
        const attic = await joinedNow('Ann', 'Attic');
        await joinedNow('Bob', 'Greenhouse');
        const cy = await joinedNow('Cy', 'Greenhouse');
        await joinedNow('Dee', 'Kitchen');
        // A room whose name closes an attribute and opens a tag: text, wherever the page puts it.
        const hostile = '"><img src=x onerror=pwned=1>';
        await joinedNow('Mallory', hostile);
        // Ann leaves Attic empty; Cy leaves Greenhouse with Bob still in it.
        for (const leaver of [attic, cy]) {
          const id = leaver.id;
          leaver.close();
          await gone(t, id);
        }

        const page = await t.open('/');
        let seen = await suggestions(page);
        const offers = (room: string) => seen.options.includes(room) || words(room).test(seen.text);
        for (const until = Date.now() + 1500; !(offers('Greenhouse') && offers('Kitchen') && offers(hostile)) && !seen.pwned && Date.now() < until; ) {
          await t.pause(50);
          seen = await suggestions(page);
        }
        const where = `(the room box's list has ${show(seen.options.filter(Boolean))})`;
        expectThat(!seen.pwned, `a room named ${show(hostile)} ran as code on the join page; a room's name is text: set an option's value, or textContent, never innerHTML`);
        const leaked = ids.find((id) => seen.options.some((option) => option.includes(id)) || seen.text.includes(id));
        expectThat(!leaked, `the join page suggests a room named like a socket id ${where}; every socket is in a room of its own, which is not a chat room`);
        expectThat(!/room:/.test(seen.options.join(' ') + seen.text), `the join page suggests a room with its "room:" prefix ${where}; show the room as people typed it`);
        expectThat(
          offers('Greenhouse') || !offers('Kitchen'),
          `Cy left "Greenhouse" with Bob still in it, and the join page no longer suggests it ${where}; a room is forgotten when its last person leaves, not when anyone does`,
        );
        expectThat(offers('Greenhouse') && offers('Kitchen'), `with people in "Greenhouse" and "Kitchen", the join page suggests neither ${where}; expected both, as options of a <datalist> the room box (#room) names with list="…", or as text on the page`);
        expectThat(!offers('Attic'), `the join page suggests "Attic", whose last person has left ${where}; suggest only rooms with people in them`);
        expectThat(offers(hostile), `the join page does not suggest the room ${show(hostile)} ${where}; it should, as text`);
      },
    },
  ],
};

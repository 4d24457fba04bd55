// The checks of lesson 12's exercises (see its README).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { call, expectThat, matches, show, timeFactor, type Check, type Client, type LessonChecks } from './check';

/** The lesson keeps its messages in memory while it is checked: your data/chat.db is left alone. */
const options = { dbFile: ':memory:', rateLimit: { burst: 100, perSecond: 100 }, joinRateLimit: { burst: 100, perSecond: 100 } };

/** A person who has joined `room`, with everything the server sent them since they connected. */
interface Person {
  client: Client;
  seen: unknown[][];
  name: string;
}

async function joined(t: Check, name: string, room: string, url?: string): Promise<Person> {
  let seen: unknown[][] = [];
  const client = await t.connect((c) => (seen = t.record(c)), url ? { url, as: name } : { as: name });
  await t.expectOk(client, 'join', [{ name, room }]);
  return { client, seen, name };
}

/**
 * `person` closes their connection and comes back on a new one, as a page does
 * after a reload (no serverOffset: the server sends the room's last messages).
 * The join is tried again for a moment: the server may not have seen the old
 * connection go yet, and the name would still be taken.
 */
async function reconnected(t: Check, person: Person, room: string, url?: string): Promise<Person> {
  person.client.close();
  const until = Date.now() + 2000 * timeFactor;
  for (;;) {
    let seen: unknown[][] = [];
    const client = await t.connect((c) => (seen = t.record(c)), url ? { url, as: person.name } : { as: person.name });
    const reply = await t.ask(client, 'join', [{ name: person.name, room }]);
    if (reply?.ok === true) return { client, seen, name: person.name };
    client.close();
    expectThat(Date.now() < until, `${person.name} left and came back on a new connection, and ${call('join', [{ name: person.name, room }])} was answered ${show(reply)}; expected { ok: true }`);
    await t.pause(50);
  }
}

/** A scratch folder for a store on disk (a restart keeps it), removed when the check ends. */
function scratchStore(t: Check): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lesson12-check-'));
  t.onEnd(() => rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, 'chat.db');
}

/** A round trip to the server: what it sent these people before has arrived once this resolves. */
async function sync(t: Check, ...people: Person[]): Promise<void> {
  await Promise.all(people.map((person) => t.roundTrip(person.client)));
}

/** What `person` was sent as `event` (first arguments). */
const sent = (person: Person, event: string): any[] => person.seen.filter(([name]) => name === event).map(([, arg]) => arg);

/**
 * True when a location message's link is a map of (latitude, longitude): both
 * numbers are in its URL, in whatever format the map takes them
 * (`?q=51.5,-0.12`, `?mlat=51.5&mlon=-0.12`, …: 07.2 changes it).
 */
function isAt(message: any, latitude: number, longitude: number): boolean {
  let url: string;
  try {
    url = decodeURIComponent(String(message?.url));
  } catch {
    url = String(message?.url);
  }
  const numbers = (url.match(/[-+]?\d+(?:\.\d+)?/g) ?? []).map(Number);
  return numbers.includes(latitude) && numbers.includes(longitude);
}

async function sayOk(t: Check, person: Person, text: string): Promise<void> {
  await t.expectOk(person.client, 'createMessage', [{ text }]);
}

/** The ids of the stored messages `person` got, by text. */
async function idsOf(t: Check, person: Person): Promise<Map<string, number>> {
  await sync(t, person);
  return new Map(sent(person, 'newMessage').filter((m) => typeof m?.id === 'number').map((m) => [m.text, m.id]));
}

export const checks: LessonChecks = {
  lesson: '12-delivery',
  explore: {
    '12.4': 'Recovery alone',
    '12.5': 'One client offset per server',
  },
  exercises: [
    {
      id: '12.1',
      title: 'Locations, exactly once',
      options,
      async check(t) {
        // On disk, so that a restart keeps what was stored.
        const dbFile = scratchStore(t);
        const first = await t.start({ dbFile });
        const ann = await joined(t, 'Ann', 'Lobby', first.url);
        const bob = await joined(t, 'Bob', 'Lobby', first.url);
        const london = { latitude: 51.5, longitude: -0.12, clientOffset: 'loc-1' };
        await t.expectOk(ann.client, 'createLocationMessage', [london]);
        await t.expectOk(ann.client, 'createLocationMessage', [london]); // a retry
        await t.expectOk(ann.client, 'createLocationMessage', [{ latitude: 48.85, longitude: 2.35 }]);
        await sync(t, bob);
        const places = sent(bob, 'newLocationMessage');
        const inLondon = places.filter((m) => isAt(m, 51.5, -0.12));
        expectThat(
          inLondon.length === 1,
          `Ann sent createLocationMessage(${show(london, 60)}) twice and Bob got it ${inLondon.length} times; a retry with the same clientOffset must reach him once`,
        );
        expectThat(typeof inLondon[0]?.id === 'number', `Bob got the location as ${show(inLondon[0])}; expected it with its id, as before`);
        expectThat(
          places.some((m) => isAt(m, 48.85, 2.35)),
          'Ann sent createLocationMessage({ latitude: 48.85, longitude: 2.35 }) with no clientOffset, and Bob did not get it; a location without one must still go out',
        );
        for (const [clientOffset, why] of [
          ['', 'an empty clientOffset is no name'],
          [42, 'a clientOffset must be a string'],
          [null, 'null is no clientOffset'],
          ['x'.repeat(65), 'a clientOffset is at most 64 characters'],
        ] as const) {
          await t.expectRefusal(ann.client, 'createLocationMessage', [{ latitude: 1, longitude: 2, clientOffset }], why);
        }

        // The retry comes on a new connection, as after a dropped one: still once.
        const annAgain = await reconnected(t, ann, 'Lobby', first.url);
        await t.expectOk(annAgain.client, 'createLocationMessage', [london]);
        await sync(t, bob);
        const twice = sent(bob, 'newLocationMessage').filter((m) => isAt(m, 51.5, -0.12)).length;
        expectThat(
          twice === 1,
          `Ann left, came back on a new connection and sent createLocationMessage(${show(london, 60)}) again (a retry after a reconnect), and Bob got London ${twice} times; the store, not the connection, must know the clientOffset`,
        );
        // A clientOffset is the author's own name for a message: Bob's "loc-1" is another message.
        const berlin = { latitude: 52.52, longitude: 13.405, clientOffset: 'loc-1' };
        await t.expectOk(bob.client, 'createLocationMessage', [berlin]);
        await sync(t, annAgain);
        const fromBob = sent(annAgain, 'newLocationMessage').filter((m) => isAt(m, 52.52, 13.405)).length;
        expectThat(
          fromBob === 1,
          `Bob sent createLocationMessage(${show(berlin, 60)}), his own first "loc-1", and Ann got it ${fromBob} times; expected once: a clientOffset is unique among one author's messages, not among everyone's`,
        );

        // A restart keeps what was stored, and what a retry must not store again.
        await first.close();
        const second = await t.start({ dbFile });
        const annLater = await joined(t, 'Ann', 'Lobby', second.url);
        await t.expectOk(annLater.client, 'createLocationMessage', [london]);
        const dee = await joined(t, 'Dee', 'Lobby', second.url);
        await sync(t, dee);
        const history = sent(dee, 'newLocationMessage').filter((m) => isAt(m, 51.5, -0.12));
        expectThat(
          history.length === 1,
          `after a restart of the server, Ann sent createLocationMessage(${show(london, 60)}) once more (a retry), and Dee, joining Lobby, got London ${history.length} times in the room's history; it was stored once, so once`,
        );
      },
    },
    {
      id: '12.2',
      title: 'Earlier messages',
      options,
      async check(t) {
        const ann = await joined(t, 'Ann', 'Lobby');
        const cy = await joined(t, 'Cy', 'Kitchen');
        // Kitchen's messages come between Lobby's, on both sides of every boundary; a location is among them.
        for (let i = 1; i <= 30; i++) {
          await sayOk(t, ann, `m${i}`);
          if (i % 4 === 2) await sayOk(t, cy, `kitchen after m${i}`);
          if (i === 20) await t.expectOk(ann.client, 'createLocationMessage', [{ latitude: 51.5, longitude: -0.12 }]);
        }
        await sayOk(t, cy, 'from the kitchen');
        const ids = await idsOf(t, ann);
        const before = ids.get('m25')!;
        // What Ann was sent live, by id: history must answer the same, each as it was sent.
        const live = new Map<number, any>();
        for (const [event, message] of ann.seen as any[][]) {
          if ((event === 'newMessage' || event === 'newLocationMessage') && typeof message?.id === 'number') live.set(message.id, message);
        }
        const label = (m: any) => (typeof m?.url === 'string' ? 'the location' : typeof m?.text === 'string' ? m.text : show(m, 40));
        const reply = await t.ask(ann.client, 'history', [{ before }]);
        expectThat(
          reply?.ok === true && Array.isArray(reply.messages),
          `history({ before: ${before} }) (the id of m25) was answered ${show(reply)}; expected { ok: true, messages: […] }`,
        );
        const texts = reply.messages.map(label);
        const wantIds = [...live.keys()].filter((id) => id < before).sort((x, y) => x - y).slice(-20);
        const want = wantIds.map((id) => label(live.get(id)));
        const asked = `history({ before: ${before} }) (the id of m25) answered ${show(texts, 160)}`;
        expectThat(!texts.some((text: unknown) => String(text).startsWith('kitchen')), `${asked}: Kitchen's messages too; expected Lobby's only, Ann's room`);
        expectThat(show([...texts].reverse()) !== show(want), `${asked}: newest first; expected oldest first`);
        expectThat(show(texts) === show(want), `${asked}; expected the 20 of Lobby's messages before it, m6 to m24 with Ann's location after m20, oldest first`);
        const odd = reply.messages.find((m: any, i: number) => !matches(m, live.get(wantIds[i]), true));
        expectThat(
          odd === undefined,
          `history answered ${show(odd, 120)}; expected each message exactly as the server sent it live: ${show(live.get(wantIds[reply.messages.indexOf(odd)]), 120)}`,
        );
        const early = await t.ask(ann.client, 'history', [{ before: ids.get('m3') }]);
        const earlyTexts = early?.messages?.map(label);
        expectThat(show(earlyTexts) === show(['m1', 'm2']), `history({ before: ${ids.get('m3')} }) (the id of m3) was answered ${show(early, 120)}; expected m1 and m2 only`);
        for (const [payload, why] of [
          [{ before: 0 }, 'no id is below 1'],
          [{ before: -1 }, 'an id is a whole number from 1 up'],
          [{ before: 1.5 }, 'an id is a whole number'],
          [{ before: '10' }, 'an id is a number, not a string'],
          [{}, 'before is missing'],
        ] as const) {
          await t.expectRefusal(ann.client, 'history', [payload], why);
        }
        const stranger = await t.connect();
        await t.expectRefusal(stranger, 'history', [{ before }], 'this client has not joined a room');
        await t.refusesBadInput(ann.client, 'history', { good: [{ before }], bad: ['m25'], stillAnswers: () => sayOk(t, ann, 'still here') });

        // Reading costs the server as sending does: history is rate-limited like every other chat event.
        const tight = await t.start({ rateLimit: { burst: 5, perSecond: 1 } });
        const eve = await joined(t, 'Eve', 'Lobby', tight.url);
        const replies = await Promise.all(Array.from({ length: 15 }, () => t.ask(eve.client, 'history', [{ before: 1_000_000 }])));
        const refused = replies.filter((r) => r?.ok === false).length;
        expectThat(
          refused > 0,
          `with the lesson's rate limit at 5 at once and 1 a second, 15 history() at once were all answered; history must be rate-limited as createMessage is`,
        );
      },
    },
    {
      id: '12.3',
      title: 'Take it back',
      options,
      async check(t) {
        // Ann says something in Kitchen first, then moves to Lobby.
        let ann = await joined(t, 'Ann', 'Kitchen');
        await sayOk(t, ann, 'mine, in the kitchen');
        const annKitchen = (await idsOf(t, ann)).get('mine, in the kitchen')!;
        await t.expectOk(ann.client, 'join', [{ name: 'Ann', room: 'Lobby' }]);
        const bob = await joined(t, 'Bob', 'Lobby');
        const cy = await joined(t, 'Cy', 'Kitchen');
        await sayOk(t, ann, 'oops');
        await sayOk(t, ann, 'keep');
        await sayOk(t, ann, 'later');
        await sayOk(t, cy, 'in the kitchen');
        const ids = await idsOf(t, bob);
        const oops = ids.get('oops')!;
        const kitchen = (await idsOf(t, cy)).get('in the kitchen')!;
        await t.expectRefusal(bob.client, 'deleteMessage', [{ id: oops }], "Bob may not delete Ann's message");
        const marks = t.marks();
        const reply = await t.ask(ann.client, 'deleteMessage', [{ id: oops }]);
        expectThat(reply?.ok === true, `Ann's ${call('deleteMessage', [{ id: oops }])} (her "oops") was answered ${show(reply)}; expected { ok: true }`);
        await t.expectAudience('messageDeleted', `messageDeleted({ id: ${oops} })`, (m) => m?.id === oops, [ann.client, bob.client], marks);
        for (const [id, why] of [
          [oops, 'it is deleted already'],
          [kitchen, 'that message is in another room'],
          [annKitchen, 'that message of hers is in Kitchen, and she is in Lobby now: a message is deleted in its room'],
          [999_999_999, 'no message has that id'],
          [String(ids.get('keep')), 'an id is a number, not a string'],
        ] as const) {
          await t.expectRefusal(ann.client, 'deleteMessage', [{ id }], why);
        }
        const stranger = await t.connect();
        await t.expectRefusal(stranger, 'deleteMessage', [{ id: ids.get('keep') }], 'this client has not joined a room');

        // Her messages stay hers on a new connection.
        ann = await reconnected(t, ann, 'Lobby');
        const later = ids.get('later')!;
        const after = await t.ask(ann.client, 'deleteMessage', [{ id: later }]);
        expectThat(
          after?.ok === true,
          `Ann left, came back on a new connection, and her ${call('deleteMessage', [{ id: later }])} (her "later") was answered ${show(after)}; it is still her message: expected { ok: true }`,
        );
        const dee = await joined(t, 'Dee', 'Lobby');
        await sync(t, dee);
        const history = sent(dee, 'newMessage').map((m) => m?.text);
        expectThat(
          history.includes('keep') && !history.includes('oops') && !history.includes('later'),
          `Dee joined Lobby after Ann deleted "oops" and "later", and its history was ${show(history.filter((text) => ['oops', 'keep', 'later'].includes(text)))}; expected "keep" only`,
        );
        await t.refusesBadInput(ann.client, 'deleteMessage', { good: [{ id: 999_999_999 }], bad: ['oops'], stillAnswers: () => sayOk(t, ann, 'still here') });
      },
    },
  ],
};

// The checks of lesson 12's exercises (see its README).
import { call, expectThat, show, type Check, type Client, type LessonChecks } from './check';

/** The lesson keeps its messages in memory while it is checked: your data/chat.db is left alone. */
const options = { dbFile: ':memory:', rateLimit: { burst: 100, perSecond: 100 }, joinRateLimit: { burst: 100, perSecond: 100 } };

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
        const ann = await joined(t, 'Ann', 'Lobby');
        const bob = await joined(t, 'Bob', 'Lobby');
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
        const dee = await joined(t, 'Dee', 'Lobby');
        await sync(t, dee);
        const history = sent(dee, 'newLocationMessage').filter((m) => isAt(m, 51.5, -0.12));
        expectThat(history.length === 1, `Dee joined Lobby and got Ann's London location ${history.length} times in the room's history; it was stored once, so once`);
      },
    },
    {
      id: '12.2',
      title: 'Earlier messages',
      options,
      async check(t) {
        const ann = await joined(t, 'Ann', 'Lobby');
        const cy = await joined(t, 'Cy', 'Kitchen');
        for (let i = 1; i <= 30; i++) await sayOk(t, ann, `m${i}`);
        await sayOk(t, cy, 'from the kitchen');
        const ids = await idsOf(t, ann);
        const before = ids.get('m25')!;
        const reply = await t.ask(ann.client, 'history', [{ before }]);
        expectThat(
          reply?.ok === true && Array.isArray(reply.messages),
          `history({ before: ${before} }) (the id of m25) was answered ${show(reply)}; expected { ok: true, messages: […] }`,
        );
        const texts = reply.messages.map((m: any) => m?.text);
        const want = Array.from({ length: 20 }, (_, i) => `m${i + 5}`);
        expectThat(show(texts) === show(want), `history({ before: ${before} }) (the id of m25) answered ${show(texts, 120)}; expected the 20 before it, m5 to m24, oldest first`);
        const first = reply.messages[0];
        expectThat(
          first?.id === ids.get('m5') && first?.from === 'Ann' && typeof first?.createdAt === 'number',
          `history's first message came as ${show(first)}; expected it as the server sent it: { id: ${ids.get('m5')}, from: "Ann", text: "m5", createdAt }`,
        );
        const early = await t.ask(ann.client, 'history', [{ before: ids.get('m3') }]);
        const earlyTexts = early?.messages?.map((m: any) => m?.text);
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
      },
    },
    {
      id: '12.3',
      title: 'Take it back',
      options,
      async check(t) {
        const ann = await joined(t, 'Ann', 'Lobby');
        const bob = await joined(t, 'Bob', 'Lobby');
        const cy = await joined(t, 'Cy', 'Kitchen');
        await sayOk(t, ann, 'oops');
        await sayOk(t, ann, 'keep');
        await sayOk(t, cy, 'in the kitchen');
        const ids = await idsOf(t, bob);
        const oops = ids.get('oops')!;
        const kitchen = (await idsOf(t, cy)).get('in the kitchen')!;
        await t.expectRefusal(bob.client, 'deleteMessage', [{ id: oops }], "Bob may not delete Ann's message");
        const gone = t.next(bob.client, 'messageDeleted', `Bob to get messageDeleted({ id: ${oops} })`, (m) => m?.id === oops);
        const reply = await t.ask(ann.client, 'deleteMessage', [{ id: oops }]);
        expectThat(reply?.ok === true, `Ann's ${call('deleteMessage', [{ id: oops }])} (her "oops") was answered ${show(reply)}; expected { ok: true }`);
        await gone;
        for (const [id, why] of [
          [oops, 'it is deleted already'],
          [kitchen, 'that message is in another room'],
          [999_999_999, 'no message has that id'],
          [String(ids.get('keep')), 'an id is a number, not a string'],
        ] as const) {
          await t.expectRefusal(ann.client, 'deleteMessage', [{ id }], why);
        }
        const stranger = await t.connect();
        await t.expectRefusal(stranger, 'deleteMessage', [{ id: ids.get('keep') }], 'this client has not joined a room');
        const dee = await joined(t, 'Dee', 'Lobby');
        await sync(t, dee);
        const history = sent(dee, 'newMessage').map((m) => m?.text);
        expectThat(
          history.includes('keep') && !history.includes('oops'),
          `Dee joined Lobby after Ann deleted "oops", and its history was ${show(history.filter((text) => text === 'oops' || text === 'keep'))}; expected "keep" and not "oops"`,
        );
        await t.refusesBadInput(ann.client, 'deleteMessage', { good: [{ id: 999_999_999 }], bad: ['oops'], stillAnswers: () => sayOk(t, ann, 'still here') });
      },
    },
  ],
};

// Lesson 12's history attack (issue 22), for every lesson that takes lesson
// 12's delivery: a reader away, five classmates' 50 acknowledged messages, one
// address flooding 500 on 3 sockets, a bystander on another address who must
// be answered within 1 s and join within 2 s throughout; then the reader comes
// back and must get every acknowledged message, once. Lesson 13 plays it in
// scale-out-delivery.test.ts, lesson 14 in sign-in-delivery.test.ts; lesson
// 12's own is in delivery.test.ts. `dialect` says how a client joins (raw-client.ts).
import { expect } from 'expect';
import type { Socket } from 'socket.io-client';
import type { ServerToClientEvents } from '../../shared/delivery-events';
import type { RunningLesson } from '../../shared/run';
import { connect, emitRaw, pause } from '../helpers';
import { byName, watchBystander, type Dialect } from './raw-client';
import { QUICK_MS } from './watch';

type Client = Socket<ServerToClientEvents, any>;

/** The stored messages a client gets from now on, as "from: text", and the gap notices among them. */
export function record(client: Client) {
  const texts: string[] = [];
  const gaps: string[] = [];
  client.on('newMessage', (message) => {
    if (message.gap === true) gaps.push(message.text);
    if (message.id !== undefined) texts.push(`${message.from}: ${message.text}`);
  });
  return { texts, gaps };
}

/** Joins `room` as `name`; answers the name the server stored (lesson 14's is the account's). */
async function joinAs(client: Client, dialect: Dialect, name: string, room: string): Promise<string> {
  const reply = (await client.timeout(5000).emitWithAck('join', dialect.join(name, room))) as { ok: boolean; name?: string; error?: string };
  if (!reply.ok) throw new Error(`${name} could not join ${room}: ${reply.error}`);
  return reply.name!;
}

/** The class's clients' options: 5 classmates, and one address on 3 sockets (lesson 14: each an account, signed up before anything is timed). */
function classOptions(url: string, dialect: Dialect): Promise<object[]> {
  const addresses = [41, 42, 43, 44, 45, 46, 46, 46].map((n) => `127.0.0.${n}`); // the last three: the flooder
  return Promise.all(addresses.map((address, i) => dialect.connectOptions(url, address, `Student ${i}`)));
}

/** In room "Class": 5 classmates send 10 messages each, one address on 3 sockets sends 500. Returns what was acknowledged. */
async function classAndFlood(url: string, dialect: Dialect, options: object[]) {
  const clients = await Promise.all(options.map((each) => connect<Client>(url, each)));
  const names: string[] = [];
  for (const [i, client] of clients.entries()) names.push(await joinAs(client, dialect, `Student ${i}`, 'Class'));
  const acknowledged: string[] = [];
  const send = async (i: number, text: string) => {
    for (;;) {
      const reply = (await clients[i].timeout(5000).emitWithAck('createMessage', { text })) as { ok: boolean };
      if (reply.ok) return acknowledged.push(`${names[i]}: ${text}`);
      await pause(20); // over the rate limit: wait and try again, as a patient script does
    }
  };
  await Promise.all(
    clients.map(async (_, i) => {
      if (i < 5) for (let k = 1; k <= 10; k++) await send(i, `classmate ${i}, message ${k}`);
      else for (let k = 1; k <= 167 - (i === 7 ? 1 : 0); k++) await send(i, `flood ${k}`);
    }),
  );
  for (const client of clients) client.close();
  return acknowledged;
}

/**
 * A reader in "Class" drops; the class and the flood send 550; the reader comes back (recovered,
 * or a new socket with the last id it saw, as the page keeps it) and joins again, as the page does.
 */
export async function readerAway(url: string, dialect: Dialect = byName) {
  const auth = { serverOffset: 0 };
  const ann = await connect<Client>(url, { ...(await dialect.connectOptions(url, '127.0.0.40', 'Ann')), auth } as object);
  ann.on('newMessage', ({ id }) => {
    if (id !== undefined) auth.serverOffset = id;
  });
  await joinAs(ann, dialect, 'Ann', 'Class');
  await ann.timeout(2000).emitWithAck('createMessage', { text: 'before' });
  for (const giveUp = Date.now() + 5000; auth.serverOffset === 0; await pause(5)) {
    if (Date.now() > giveUp) throw new Error("Ann's own message came back with no id within 5 s: this lesson stores nothing");
  }
  ann.io.engine.close(); // a wifi blip; no reconnection until we say
  await pause(200);

  const options = await classOptions(url, dialect);
  const watch = watchBystander({ url } as RunningLesson, '127.0.0.48', { dialect });
  await watch.ready;
  const acknowledged = await classAndFlood(url, dialect, options);
  const annSaw = record(ann);
  ann.connect();
  await new Promise<void>((resolve) => ann.once('connect', () => resolve()));
  const rejoined = (await ann.timeout(5000).emitWithAck('join', dialect.join('Ann', 'Class'))) as { ok: boolean };
  await emitRaw(ann, 'sync', [], true, 5000); // a round trip: all has arrived
  const bystander = await watch.stop();
  ann.close();
  return { acknowledged, annSaw, bystander, rejoined, recovered: ann.recovered };
}

export function expectEveryMessage({ acknowledged, annSaw, bystander, rejoined, recovered }: Awaited<ReturnType<typeof readerAway>>) {
  expect(acknowledged.length).toBe(550);
  const missing = acknowledged.filter((text) => !annSaw.texts.includes(text));
  // Said whole when it fails: how Ann came back, and what her join was answered.
  expect({ recovered, rejoined: rejoined.ok, missing: missing.length, firstMissing: missing.slice(0, 3) }).toEqual({ recovered, rejoined: true, missing: 0, firstMissing: [] });
  expect(annSaw.texts.length).toBe(550); // and none twice
  expect(annSaw.gaps).toEqual([]);
  expect(bystander.failures).toEqual([]);
  expect(bystander.slowestAnswer).toBeLessThan(QUICK_MS);
  expect(bystander.slowestJoin).toBeLessThan(2000);
}

// Every lesson and the events a client may send it, as each lesson's
// events.ts declares them: how to ask a good question, and what the server
// sends anyway. payloads.test.ts also finds the events a server listens for
// that this list does not know (a learner's own), and feeds them too.
import type { Socket } from 'socket.io-client';
import { MAX_TEXT_LENGTH } from '../../shared/validation';
import type { RunningLesson, StartLesson } from '../../shared/run';
import type { Variant } from './payloads';
import { CHEAP_HASHES, signIn, signUp, TEACHER } from '../lessons/sign-in-clients';

export interface EventTarget {
  event: string;
  /** A good request's payload arguments (the acknowledgement comes last, separately). */
  good: unknown[];
  /** The longest string it accepts. */
  limit?: number;
  /** More bad requests, special to this event. */
  extra?: Variant[];
}

export interface Target {
  lesson: string;
  start: () => StartLesson;
  options?: object;
  /** Events the server sends on its own, like a clock: not leaks. */
  ambient: string[];
  /** True for a notice that someone arrived ("A new user joined"): expected, not a leak. */
  isArrival?: (event: string, args: unknown[]) => boolean;
  /** Puts a client where the events make sense, e.g. in a room. */
  prepare?: (client: Socket, name: string) => Promise<void>;
  /** What a client needs to connect at all, for `name` ("Bystander", "Mallory"): lesson 14's session cookie. */
  connectOptions?: (url: string, name: string) => Promise<object>;
  events: EventTarget[];
  /** A good request that must be answered; resolves when it is. */
  probe: (client: Socket, timeoutMs: number) => Promise<unknown>;
}

const ask = (client: Socket, timeoutMs: number, event: string, ...args: unknown[]) =>
  client.timeout(timeoutMs).emitWithAck(event, ...args);

const waitEvent = (client: Socket, timeoutMs: number, event: string) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`"${event}" did not come within ${timeoutMs} ms`)), timeoutMs);
    client.once(event, (value: unknown) => {
      clearTimeout(timer);
      resolve(value);
    });
  });

/** Asks for something and expects a yes. */
async function expectOk(reply: Promise<unknown>): Promise<unknown> {
  const answer = (await reply) as { ok?: boolean; error?: string };
  if (answer?.ok !== true) throw new Error(`expected { ok: true }, got ${JSON.stringify(answer)}`);
  return answer;
}

/**
 * Lesson 14: a client signs in first and carries the cookie. Mallory, the
 * attacker, is the instructor, so that her bad payloads reach the checks of
 * the instructor's events (a student's are refused before: sign-in.test.ts).
 */
let signedUp = 0;
async function signedIn(url: string, name: string): Promise<object> {
  const cookie = name === 'Mallory' ? await signIn(url, TEACHER.name, TEACHER.password) : await signUp(url, `${name} ${++signedUp}`);
  return { extraHeaders: { cookie } };
}

const lesson = (folder: string) => () => require(`../../lessons/${folder}/server`).start as StartLesson;
const chatEvents: EventTarget[] = [
  { event: 'createMessage', good: [{ text: 'hello' }], limit: MAX_TEXT_LENGTH },
  {
    event: 'createLocationMessage',
    good: [{ latitude: 51.5, longitude: -0.12 }],
    extra: [
      { label: 'latitude out of range', args: [{ latitude: 91, longitude: 0 }] },
      { label: 'longitude out of range', args: [{ latitude: 0, longitude: -181 }] },
      { label: 'coordinates as strings', args: [{ latitude: '1', longitude: '2' }] },
    ],
  },
];
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/**
 * Names that pass for someone else or show nothing, and rooms that hide
 * characters. The bystander is "Bystander", in room "Robust".
 */
const impostors: Variant[] = [
  ...Object.entries({
    'Admin with a zero-width space': 'Admin\u200b',
    'Admin with a Cyrillic А': '\u0410dmin',
    'Admin with a Cyrillic і': 'Adm\u0456n',
    'Admin in full-width letters': '\uff21\uff44\uff4d\uff49\uff4e',
    'Admin with r and n for m': 'Adrnin',
    'Bystander with a Cyrillic В, in their room': '\u0412ystander',
    'Bystander with a zero-width space': 'Bystander\u200b',
    'a zero-width space': '\u200b',
    'a braille blank': '\u2800',
    'a Hangul filler': '\u3164',
    'two Hangul fillers': '\u115f\u1160',
    'a half-width Hangul filler': '\uffa0',
    'a Mongolian vowel separator': 'Ada\u180e',
    'a variation selector': 'Ada\ufe0f',
    'a tag character': 'Ada\u{e0041}',
    'an isolate': 'Ada\u2067',
    'a right-to-left override before the name': '\u202eAda',
    'private use': 'Ada\ue000',
  }).map(([label, name]) => ({ label: `a name: ${label}`, args: [{ name, room: 'Robust' }] })),
  ...Object.entries({
    'a zero-width space': 'Robust\u200b',
    'a right-to-left override': '\u202eRobust',
    'a Hangul filler': '\u3164',
  }).map(([label, room]) => ({ label: `a room: ${label}`, args: [{ name: 'Ada', room }] })),
];

const join = async (client: Socket, name: string) => {
  await expectOk(ask(client, 2000, 'join', { name, room: 'Robust' }));
};
const sayHello = (client: Socket, timeoutMs: number) => expectOk(ask(client, timeoutMs, 'createMessage', { text: 'still there?' }));
/**
 * sayHello, and waits for the room's copy of the message too. With Redis and
 * recovery, lesson 13 sends the room a message once Redis has stored it (its
 * offset is the stream's id), after the answer: a probe that did not wait
 * for it would see it arrive in the next test.
 */
const sayHelloAndHearIt = async (client: Socket, timeoutMs: number) => {
  let stop = () => {};
  const heard = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the room's copy of "still there?" did not come within ${timeoutMs} ms`)), timeoutMs);
    const listener = (message: { text?: unknown }) => message?.text === 'still there?' && (stop(), resolve());
    stop = () => (clearTimeout(timer), client.off('newMessage', listener));
    client.on('newMessage', listener);
  });
  try {
    await Promise.all([sayHello(client, timeoutMs), heard]);
  } finally {
    stop();
  }
};

/** Lessons 12 to 14: a message's own name for itself (clientOffset), wrong in every way. */
const badClientOffsets: Variant[] = [
  { label: 'clientOffset null', args: [{ text: 'hello', clientOffset: null }] },
  { label: 'clientOffset empty', args: [{ text: 'hello', clientOffset: '' }] },
  { label: 'clientOffset over 64 characters', args: [{ text: 'hello', clientOffset: 'x'.repeat(65) }] },
  { label: 'clientOffset a number', args: [{ text: 'hello', clientOffset: 7 }] },
  { label: 'clientOffset an object', args: [{ text: 'hello', clientOffset: { id: 7 } }] },
  { label: 'clientOffset with bad text', args: [{ text: '   ', clientOffset: 'robust-1' }] },
];

const all: Target[] = [
  {
    lesson: '01-date-notifier',
    start: lesson('01-date-notifier'),
    options: { intervalMs: 50 },
    ambient: ['date'],
    events: [],
    probe: (client, timeoutMs) => waitEvent(client, timeoutMs, 'date'),
  },
  {
    lesson: '02-http-server',
    start: lesson('02-http-server'),
    options: { intervalMs: 50 },
    ambient: ['date'],
    isArrival: (event) => event === 'clients',
    events: [],
    probe: (client, timeoutMs) => waitEvent(client, timeoutMs, 'date'),
  },
  {
    lesson: '03-acknowledgements',
    start: lesson('03-acknowledgements'),
    ambient: [],
    events: [{ event: 'shout', good: ['hello'], limit: MAX_TEXT_LENGTH }],
    probe: (client, timeoutMs) => expectOk(ask(client, timeoutMs, 'shout', 'hello')),
  },
  {
    lesson: '04-broadcast',
    start: lesson('04-broadcast'),
    ambient: [],
    events: [
      {
        event: 'speak',
        good: [{ text: 'hello', to: 'me' }],
        limit: MAX_TEXT_LENGTH,
        extra: [{ label: 'an unknown audience', args: [{ text: 'hello', to: 'nobody' }] }],
      },
    ],
    probe: (client, timeoutMs) => expectOk(ask(client, timeoutMs, 'speak', { text: 'hello', to: 'me' })),
  },
  {
    lesson: '05-chat',
    start: lesson('05-chat'),
    ambient: [],
    events: [{ event: 'chat message', good: ['hello'], limit: MAX_TEXT_LENGTH }],
    probe: (client, timeoutMs) => expectOk(ask(client, timeoutMs, 'chat message', 'still there?')),
  },
  ...['06-message-generator', '07-geolocation', '08-timestamps-templates'].map(
    (folder): Target => ({
      lesson: folder,
      start: lesson(folder),
      ambient: [],
      isArrival: (event, [message]) => event === 'newMessage' && (message as { from?: string })?.from === 'Admin',
      events: folder === '06-message-generator' ? chatEvents.slice(0, 1) : chatEvents,
      probe: sayHello,
    }),
  ),
  ...['09-rooms', '10-users'].map(
    (folder): Target => ({
      lesson: folder,
      start: lesson(folder),
      // Lesson 10 limits joins (5, then 1 a second): a bad name let in would use that up, and
      // the next bad names would be refused as too many, hiding that they got in.
      options: folder === '10-users' ? { joinRateLimit: { burst: 1000, perSecond: 1000 } } : undefined,
      ambient: [],
      prepare: join,
      events: [
        {
          event: 'join',
          good: [{ name: 'Ada', room: 'Robust' }],
          limit: 30,
          extra: impostors,
        },
        ...chatEvents,
      ],
      probe: sayHello,
    }),
  ),
  {
    lesson: '12-delivery',
    start: lesson('12-delivery'),
    options: { dbFile: ':memory:' }, // nothing written to the lesson's data folder
    ambient: [],
    prepare: join,
    events: [
      { event: 'join', good: [{ name: 'Ada', room: 'Robust' }], limit: 30 },
      {
        ...chatEvents[0],
        extra: badClientOffsets,
      },
      chatEvents[1],
    ],
    probe: sayHello,
  },
  {
    lesson: '13-scale-out',
    // Its server.ts is the primary: here its chat, in this process, two servers sharing Redis (scale-out.ts).
    start: () => require('./scale-out').startScaleOut as StartLesson,
    // Joins are limited as in lesson 10 (see above).
    options: { joinRateLimit: { burst: 1000, perSecond: 1000 } },
    ambient: [],
    // The welcome and the lists come a moment after the join's answer, through Redis; the second list 100 ms after the first.
    prepare: (client, name) => join(client, name).then(() => pause(250)),
    events: [
      { event: 'join', good: [{ name: 'Ada', room: 'Robust' }], limit: 30, extra: impostors },
      {
        ...chatEvents[0],
        extra: badClientOffsets,
      },
      chatEvents[1],
    ],
    probe: sayHelloAndHearIt,
  },
  {
    lesson: '14-sign-in',
    start: lesson('14-sign-in'),
    options: {
      dbFile: ':memory:',
      instructor: TEACHER,
      joinRateLimit: { burst: 1000, perSecond: 1000 }, // as lesson 10 (see above)
      signUpRateLimit: { burst: 1000, perSecond: 1000 },
      passwordCost: CHEAP_HASHES, // sign-in.test.ts floods the lesson's own cost
    },
    connectOptions: signedIn,
    ambient: [],
    prepare: async (client) => {
      await expectOk(ask(client, 2000, 'join', { room: 'Robust' }));
    },
    events: [
      {
        event: 'join',
        good: [{ room: 'Robust' }],
        limit: 30,
        extra: [
          { label: 'a name besides the room', args: [{ name: 'Teacher', room: 'Robust' }] },
          { label: 'a room with a zero-width space', args: [{ room: 'Robust\u200b' }] },
        ],
      },
      { ...chatEvents[0], extra: [...badClientOffsets, { label: 'a name besides the text', args: [{ text: 'hello', name: 'Teacher' }] }] }, // lesson 12's
      chatEvents[1],
      ...(['mute', 'remove'] as const).map((event) => ({
        event,
        good: [{ room: 'Robust', name: 'Nobody', minutes: 5 }],
        limit: 30,
        extra: [0, 1441, 2.5, '5', null, -1, Number.MAX_SAFE_INTEGER + 2].map((minutes) => ({ label: `minutes ${String(minutes)}`, args: [{ room: 'Robust', name: 'Nobody', minutes }] })),
      })),
      { event: 'unmute', good: [{ room: 'Robust', name: 'Nobody' }], limit: 30 },
      { event: 'closeRoom', good: [{ room: 'Elsewhere' }], limit: 30 },
    ],
    probe: sayHello,
  },
  {
    lesson: '11-pi-gpio',
    start: lesson('11-pi-gpio'),
    options: { simulate: true },
    ambient: [],
    events: [
      {
        event: 'gpio:17',
        good: [{ value: 1 }],
        extra: [
          { label: 'value 2', args: [{ value: 2 }] },
          { label: 'value as a string', args: [{ value: '1' }] },
          { label: 'value true', args: [{ value: true }] },
        ],
      },
    ],
    probe: (client, timeoutMs) => expectOk(ask(client, timeoutMs, 'gpio:17', { value: 0 })),
  },
];

/**
 * Every lesson's target, or some lessons': ONLY_LESSON=10 keeps lesson 10's
 * (npm run test:lesson), ONLY_LESSON=01,05,10 those three (the exercises'
 * proof runs the tests of one exercise of each lesson at once).
 */
const only = process.env.ONLY_LESSON?.split(',').map((number) => number.trim().padStart(2, '0'));
export const targets = only ? all.filter((target) => only.includes(target.lesson.slice(0, 2))) : all;

/**
 * A robustness block's title starts as the lesson's own tests do, with the
 * lesson's number and name ("10 users robustness: …"), so that
 * `-g "^10 "` (npm run test:lesson -- 10) finds them all.
 */
export const titleOf = (target: Target, what: string) => `${target.lesson.slice(0, 2)} ${target.lesson.slice(3).replace(/-/g, ' ')} robustness: ${what}`;

export type { RunningLesson };

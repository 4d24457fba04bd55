import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'expect';
import { WRONG_NAME_OR_PASSWORD } from '../../lessons/14-sign-in/accounts';
import { FOR_INSTRUCTOR } from '../../lessons/14-sign-in/instructor';
import { WRONG_CODE, WRONG_SITE } from '../../lessons/14-sign-in/pages';
import { hashPassword, SCRYPT_COST, verifyPassword } from '../../lessons/14-sign-in/passwords';
import { NOT_JOINED, SIGN_IN_FIRST, start } from '../../lessons/14-sign-in/server';
import type { RunningLesson } from '../../shared/run';
import { collect, connect, emitRaw, pause, useLesson, waitFor } from '../helpers';
import { connectWith, freshName, getPage, PASSWORD, person, postForm, ROOMY, signIn, signUp, TEACHER, type Client } from './sign-in-clients';

const join = (client: Client, room: string) => client.timeout(2000).emitWithAck('join', { room });
const say = (client: Client, text: string) => client.timeout(2000).emitWithAck('createMessage', { text });
const sync = (client: Client) => emitRaw(client, 'sync', [], true, 2000);
const texts = (client: Client) => {
  const seen: string[] = [];
  client.on('newMessage', ({ from, text }) => seen.push(`${from}: ${text}`));
  return seen;
};
/** The stored messages `client` gets from now on (they carry an id), as "from: text", and their ids. */
const stored = (client: Client) => {
  const seen: string[] = [];
  const ids: number[] = [];
  const keep = ({ id, from, text, url }: { id?: number; from: string; text?: string; url?: string }) => {
    if (id === undefined) return;
    seen.push(`${from}: ${text ?? url}`);
    ids.push(id);
  };
  client.on('newMessage', keep);
  client.on('newLocationMessage', keep);
  return { seen, ids };
};
/** Resolves once `client` is disconnected, with the reason; fails after `ms`. */
const disconnected = (client: Client, ms = 1000) =>
  new Promise<string>((resolve, reject) => {
    if (!client.connected) return resolve('already');
    const timer = setTimeout(() => reject(new Error(`still connected after ${ms} ms`)), ms);
    client.once('disconnect', (reason) => (clearTimeout(timer), resolve(reason)));
  });

const roomy = ROOMY;

describe('14 sign-in', function () {
  this.timeout(20_000); // every sign-up and sign-in hashes a password on purpose
  const lesson = useLesson(start, roomy);
  const url = () => lesson().url;
  let rooms = 0;
  const fresh = () => `Room ${++rooms}`;

  describe('pages', () => {
    it('shows the forms, sends the signed-out to /signin, and the chat to the signed-in', async () => {
      for (const page of ['/signin', '/signup']) {
        const answer = await getPage(url(), page);
        expect(answer.status).toBe(200);
        expect(answer.body).toContain(`action="${page}" method="post"`);
        expect(answer.headers['content-security-policy']).toContain("default-src 'self'");
      }
      expect(await getPage(url(), '/')).toMatchObject({ status: 303, location: '/signin' });
      expect(await getPage(url(), '/instructor')).toMatchObject({ status: 303, location: '/signin' });
      const cookie = await signUp(url(), freshName('Ann'));
      const chat = await getPage(url(), '/', cookie);
      expect(chat.status).toBe(200);
      expect(chat.body).toContain('/app.js');
      expect(await getPage(url(), '/instructor', cookie)).toMatchObject({ status: 403 });
      const teacher = await signIn(url(), TEACHER.name, TEACHER.password);
      expect(await getPage(url(), '/instructor', teacher)).toMatchObject({ status: 200 });
    });

    it('signs up with 303 to / and a session cookie that is HttpOnly and SameSite=Lax', async () => {
      const answer = await postForm(url(), '/signup', { name: freshName('Bea'), password: PASSWORD });
      expect(answer).toMatchObject({ status: 303, location: '/' });
      const sid = answer.setCookies.find((line) => line.startsWith('sid='))!;
      expect(sid).toMatch(/; HttpOnly/);
      expect(sid).toMatch(/; SameSite=Lax/);
      expect(sid).not.toMatch(/; Secure/); // plain http here; behind https it is Secure
    });

    it('refuses bad input with 400, a taken name or lookalike with 409, and shows the form again', async () => {
      const cases: Array<[Record<string, string>, number, RegExp]> = [
        [{ name: 'Admin', password: PASSWORD }, 400, /kept for the server/],
        [{ name: 'Аdmin', password: PASSWORD }, 400, /looks like/],
        [{ name: 'Ann\u200b', password: PASSWORD }, 400, /invisible/],
        [{ name: 'x'.repeat(31), password: PASSWORD }, 400, /at most 30/],
        [{ name: 'Shorty', password: 'seven77' }, 400, /at least 8/],
        [{ name: 'Longy', password: 'x'.repeat(257) }, 400, /at most 256/],
        [{ password: PASSWORD }, 400, /name must be a string/],
      ];
      for (const [fields, status, reason] of cases) {
        const answer = await postForm(url(), '/signup', fields);
        expect({ fields, status: answer.status }).toEqual({ fields, status });
        expect(answer.body).toMatch(reason);
        expect(answer.body).toContain('<form');
        expect(answer.cookie).toBeUndefined();
      }
      const name = freshName('Cleo');
      await signUp(url(), name);
      for (const taken of [name.toUpperCase(), ` ${name} `, name.replace('C', 'С' /* Cyrillic */)]) {
        const answer = await postForm(url(), '/signup', { name: taken, password: PASSWORD });
        expect({ taken, status: answer.status }).toEqual({ taken, status: 409 });
      }
      // A password of 8 emoji is 8 characters; any characters go.
      await signUp(url(), freshName('Emoji'), '🔑🔑🔑🔑🔑🔑🔑🔑');
    });

    it('escapes what a user typed on the form it shows again', async () => {
      const answer = await postForm(url(), '/signup', { name: '<script>alert(1)</script>"', password: 'short' });
      expect(answer.status).toBe(400);
      expect(answer.body).not.toContain('<script>alert');
      expect(answer.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;');
    });

    it('answers a wrong password and an unknown name with one 401 and one message', async () => {
      const name = freshName('Dev');
      await signUp(url(), name);
      const wrong = await postForm(url(), '/signin', { name, password: 'not the password' });
      const unknown = await postForm(url(), '/signin', { name: freshName('Nobody'), password: 'not the password' });
      expect([wrong.status, unknown.status]).toEqual([401, 401]);
      for (const answer of [wrong, unknown]) expect(answer.body).toContain(WRONG_NAME_OR_PASSWORD);
      expect(wrong.body.replace(name, 'NAME')).toEqual(unknown.body.replace(/Nobody \d+/, 'NAME'));
    });

    it('takes about as long for an unknown name as for a wrong password', async () => {
      const shipped = await start({ ...roomy, passwordCost: SCRYPT_COST, port: 0 }); // the lesson's own cost, not the tests' cheap one
      try {
        const name = freshName('Eve');
        await signUp(shipped.url, name);
        const time = async (who: string) => {
          const started = performance.now();
          await postForm(shipped.url, '/signin', { name: who, password: 'not the password' });
          return performance.now() - started;
        };
        const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
        const wrong: number[] = [];
        const unknown: number[] = [];
        for (let i = 0; i < 3; i++) {
          wrong.push(await time(name));
          unknown.push(await time(freshName('Nobody')));
        }
        // A hash takes tens of milliseconds; a lookup that skipped it would take one.
        expect(median(unknown)).toBeGreaterThan(median(wrong) / 3);
      } finally {
        await shipped.close();
      }
    });

    it('gives a new session id at sign-in, also over a signed-in session, and the old one stops working', async () => {
      const name = freshName('Fay');
      const first = await signUp(url(), name);
      const tab = await connectWith(url(), first);
      const second = await signIn(url(), name, PASSWORD, first);
      expect(second).not.toEqual(first);
      await disconnected(tab); // the old session ended, and its socket with it
      expect(await getPage(url(), '/', first)).toMatchObject({ status: 303 });
      expect(await getPage(url(), '/', second)).toMatchObject({ status: 200 });
    });

    it("refuses another site's form and a null Origin with 403, and changes nothing", async () => {
      const name = freshName('Gus');
      for (const origin of ['https://evil.example', 'null']) {
        const answer = await postForm(url(), '/signup', { name, password: PASSWORD }, { origin });
        expect(answer.status).toBe(403);
        expect(answer.body).toContain(WRONG_SITE);
      }
      // Nobody was signed up: the name is free.
      const own = await postForm(url(), '/signup', { name, password: PASSWORD }, { origin: url() });
      expect(own.status).toBe(303);
      const cookie = own.cookie!;
      const signout = await postForm(url(), '/signout', '', { cookie, origin: 'https://evil.example' });
      expect(signout.status).toBe(403);
      expect(await getPage(url(), '/', cookie)).toMatchObject({ status: 200 }); // still signed in
    });

    it('signs out with 303 to /signin, and the cookie no longer opens the chat', async () => {
      const { cookie } = await person(url(), 'Hal', 0);
      expect(await postForm(url(), '/signout', '', { cookie })).toMatchObject({ status: 303, location: '/signin' });
      expect(await getPage(url(), '/', cookie)).toMatchObject({ status: 303, location: '/signin' });
      await expect(connectWith(url(), cookie)).rejects.toThrow(SIGN_IN_FIRST);
    });
  });

  describe('the handshake', () => {
    it('refuses a handshake without a session, or with a forged one, saying to sign in', async () => {
      await expect(connect(url())).rejects.toThrow(SIGN_IN_FIRST);
      await expect(connectWith(url(), 'sid=s%3Aforged.signature')).rejects.toThrow(SIGN_IN_FIRST);
      const { cookie } = await person(url(), 'Ida', 0);
      const [, value] = cookie.split('=');
      const tampered = `sid=${value.slice(0, -3)}${value.endsWith('abc') ? 'xyz' : 'abc'}`;
      await expect(connectWith(url(), tampered)).rejects.toThrow(SIGN_IN_FIRST);
      await expect(connectWith(url(), cookie, { polling: true })).resolves.toBeTruthy();
    });

    for (const polling of [false, true]) {
      it(`chats with the account's name over ${polling ? 'long-polling' : 'WebSocket'}`, async () => {
        const room = fresh();
        const ann = await signUp(url(), freshName('Ann'));
        const [a, b] = await Promise.all([connectWith(url(), ann, { polling }), person(url(), 'Bob').then((p) => p.clients[0])]);
        const annReply = await join(a, room);
        expect(annReply).toMatchObject({ ok: true, room });
        await join(b, room);
        await sync(a);
        const heard = waitFor(b, 'newMessage', 2000, (message) => message.text === 'hello');
        await expect(say(a, 'hello')).resolves.toEqual({ ok: true });
        expect((await heard).from).toBe((annReply as { name: string }).name);
      });
    }

    it('refuses a join that names someone, and messages before a join', async () => {
      const { clients: [a] } = await person(url(), 'Jo');
      await expect(emitRaw(a, 'join', [{ name: 'Teacher', room: fresh() }])).resolves.toEqual({ ok: false, error: 'unexpected field "name"' });
      await expect(say(a, 'hi')).resolves.toEqual({ ok: false, error: NOT_JOINED });
    });

    it('lists one person in two tabs once, and says they left when the last tab goes', async () => {
      const room = fresh();
      const { name, clients: [tab1, tab2] } = await person(url(), 'Kim', 2);
      const { clients: [other] } = await person(url(), 'Lou');
      await join(other, room);
      const seen = texts(other);
      await join(tab1, room);
      const list = waitFor(other, 'updateUserList', 2000, (names) => names.length === 2);
      await join(tab2, room);
      expect(await list).toEqual([expect.any(String), name]);
      await pause(250);
      expect(seen).toEqual([`Admin: ${name} has joined`]); // once, not twice
      // Both tabs are in the room: each hears it.
      const bothHear = [tab1, tab2].map((tab) => waitFor(tab, 'newMessage', 2000, (m) => m.text === 'to both tabs'));
      await say(other, 'to both tabs');
      await Promise.all(bothHear);
      seen.length = 0;
      tab1.close();
      await pause(300);
      await sync(other);
      expect(seen).toEqual([]); // one tab left: they are still here
      tab2.close();
      await waitFor(other, 'newMessage', 2000, (m) => m.text === `${name} has left`);
    });

    it('disconnects every tab of a session within a second of signing out, and no other session', async () => {
      const name = freshName('Max');
      const cookie = await signUp(url(), name);
      const otherSession = await signIn(url(), name);
      const tabs = await Promise.all([connectWith(url(), cookie), connectWith(url(), cookie, { polling: true })]);
      const elsewhere = await connectWith(url(), otherSession);
      const started = Date.now();
      const gone = tabs.map((tab) => disconnected(tab, 1000));
      await postForm(url(), '/signout', '', { cookie });
      expect(await Promise.all(gone)).toEqual(['io server disconnect', 'io server disconnect']);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(elsewhere.connected).toBe(true);
    });
  });

  describe("lesson 12's delivery: stored history, nothing lost, nothing twice", () => {
    /** Someone in a fresh room who has sent `count` messages: "name: message i". */
    async function roomWith(count: number) {
      const room = fresh();
      const { name, cookie, clients: [ann] } = await person(url(), 'Ann');
      await join(ann, room);
      const sent: string[] = [];
      for (let i = 1; i <= count; i++) {
        await expect(say(ann, `message ${i}`)).resolves.toEqual({ ok: true });
        sent.push(`${name}: message ${i}`);
      }
      return { room, name, cookie, ann, sent };
    }

    it("gives a newcomer the room's last 50 messages, oldest first, each with its id, under the account's name", async () => {
      const { room, sent } = await roomWith(53);
      const { clients: [bob] } = await person(url(), 'Bob');
      const bobSaw = stored(bob);
      await join(bob, room);
      await sync(bob);
      expect(bobSaw.seen).toEqual(sent.slice(-50));
      expect(bobSaw.ids).toEqual([...bobSaw.ids].sort((a, b) => a - b));
      // Another room's messages stay there.
      const { clients: [cy] } = await person(url(), 'Cy');
      const cySaw = stored(cy);
      await join(cy, fresh());
      await sync(cy);
      expect(cySaw.seen).toEqual([]);
    });

    it('stores and sends a retry with the same clientOffset once, and answers it { ok: true } again', async () => {
      const { room, name, ann } = await roomWith(0);
      const { clients: [bob] } = await person(url(), 'Bob');
      await join(bob, room);
      const bobSaw = stored(bob);
      const message = { text: 'only once', clientOffset: 'page-1' };
      for (let i = 0; i < 3; i++) await expect(ann.timeout(2000).emitWithAck('createMessage', message)).resolves.toEqual({ ok: true });
      await expect(ann.timeout(2000).emitWithAck('createMessage', { text: 'the next', clientOffset: 'page-2' })).resolves.toEqual({ ok: true });
      await sync(bob);
      expect(bobSaw.seen).toEqual([`${name}: only once`, `${name}: the next`]);
      const { clients: [cy] } = await person(url(), 'Cy');
      const cySaw = stored(cy);
      await join(cy, room);
      await sync(cy);
      expect(cySaw.seen).toEqual([`${name}: only once`, `${name}: the next`]);
      // The name is the account's: a payload naming someone is refused, and a bad clientOffset too.
      await expect(emitRaw(ann, 'createMessage', [{ text: 'hi', name: 'Teacher' }])).resolves.toEqual({ ok: false, error: 'unexpected field "name"' });
      await expect(emitRaw(ann, 'createMessage', [{ text: 'hi', clientOffset: null }])).resolves.toMatchObject({ ok: false });
    });

    it('gives a page that comes back with its serverOffset exactly what it missed', async () => {
      const { room, name, ann, sent } = await roomWith(3);
      const bobCookie = await signUp(url(), freshName('Bob'));
      const bob = await connectWith(url(), bobCookie);
      const first = stored(bob);
      await join(bob, room);
      await sync(bob);
      expect(first.seen).toEqual(sent);
      bob.close(); // away
      for (const text of ['while away 1', 'while away 2']) await say(ann, text);
      const again = await connectWith(url(), bobCookie, { auth: { serverOffset: first.ids.at(-1) } });
      const missed = stored(again);
      await join(again, room);
      await sync(again);
      expect(missed.seen).toEqual([`${name}: while away 1`, `${name}: while away 2`]);
      // A second join of the same socket (a switch and back) is a newcomer's: the last 50.
      await join(again, fresh());
      missed.seen.length = 0;
      await join(again, room);
      await sync(again);
      expect(missed.seen).toEqual([...sent, `${name}: while away 1`, `${name}: while away 2`]);
    });

    it("stores nothing of a muted person's, and shows the room's stored messages after closeRoom and a rejoin", async () => {
      const { room, name, ann, sent } = await roomWith(2);
      const teacher = await connectWith(url(), await signIn(url(), TEACHER.name, TEACHER.password));
      const { name: bobName, clients: [bob] } = await person(url(), 'Bob');
      await join(bob, room);
      await expect(teacher.timeout(2000).emitWithAck('mute', { room, name: bobName })).resolves.toEqual({ ok: true });
      await expect(bob.timeout(2000).emitWithAck('createMessage', { text: 'let me speak', clientOffset: 'bob-1' })).resolves.toMatchObject({ ok: false, error: expect.stringMatching(/muted/) });
      await expect(emitRaw(bob, 'createLocationMessage', [{ latitude: 1, longitude: 2 }])).resolves.toMatchObject({ ok: false, error: expect.stringMatching(/muted/) });
      await expect(teacher.timeout(2000).emitWithAck('closeRoom', { room })).resolves.toEqual({ ok: true });
      const annSaw = stored(ann);
      await join(ann, room); // the room may be joined again, with its stored messages
      await sync(ann);
      expect(annSaw.seen).toEqual(sent); // and not Bob's
      await expect(teacher.timeout(2000).emitWithAck('unmute', { room, name: bobName })).resolves.toEqual({ ok: true });
      await expect(bob.timeout(2000).emitWithAck('createMessage', { text: 'let me speak', clientOffset: 'bob-1' })).resolves.toMatchObject({ ok: false }); // closed: out of the room
      await join(bob, room);
      await expect(bob.timeout(2000).emitWithAck('createMessage', { text: 'let me speak', clientOffset: 'bob-1' })).resolves.toEqual({ ok: true });
      await sync(ann);
      expect(annSaw.seen).toEqual([...sent, `${bobName}: let me speak`]); // the refused try stored nothing: this one is new
      expect(name).not.toEqual(bobName);
    });
  });

  describe('the instructor', () => {
    async function classroom() {
      const room = fresh();
      const teacherCookie = await signIn(url(), TEACHER.name, TEACHER.password);
      const teacher = await connectWith(url(), teacherCookie);
      const student = await person(url(), 'Ned', 2);
      const [tab1, tab2] = student.clients;
      const { name: otherName, clients: [other] } = await person(url(), 'Ola');
      for (const client of [tab1, tab2, other]) await join(client, room);
      await pause(250);
      await Promise.all([tab1, tab2, other].map(sync));
      return { room, teacher, student: student.name, tab1, tab2, other, otherName };
    }

    it("refuses every instructor's event to a student, and changes nothing", async () => {
      const { room, tab1, other, otherName } = await classroom();
      for (const [event, payload] of [
        ['mute', { room, name: otherName }],
        ['unmute', { room, name: otherName }],
        ['remove', { room, name: otherName }],
        ['closeRoom', { room }],
      ] as const) {
        await expect(emitRaw(tab1, event, [payload])).resolves.toEqual({ ok: false, error: FOR_INSTRUCTOR });
      }
      await expect(say(other, 'still here')).resolves.toEqual({ ok: true });
    });

    it('mutes a person in a room: every tab is told, their messages are refused, the room hears it; unmute', async () => {
      const { room, teacher, student, tab1, tab2, other } = await classroom();
      const told = [tab1, tab2].map((tab) => waitFor(tab, 'muted'));
      const roomHeard = waitFor(other, 'newMessage', 2000, (m) => m.from === 'Admin' && m.text.includes('muted'));
      const before = Date.now();
      await expect(teacher.timeout(2000).emitWithAck('mute', { room, name: student, minutes: 5 })).resolves.toEqual({ ok: true });
      for (const notice of await Promise.all(told)) {
        expect(notice.room).toBe(room);
        expect(notice.until).toBeGreaterThanOrEqual(before + 5 * 60_000);
        expect(notice.until).toBeLessThan(Date.now() + 5 * 60_000 + 1000);
      }
      expect((await roomHeard).text).toBe(`${student} is muted for 5 minutes`);
      const refused = await say(tab2, 'let me speak');
      expect(refused).toMatchObject({ ok: false, error: expect.stringMatching(/muted/) });
      await expect(say(other, 'I may')).resolves.toEqual({ ok: true });
      // Elsewhere, they may speak.
      const { clients: [elsewhere] } = await person(url(), 'Pia');
      await join(elsewhere, fresh());
      await expect(teacher.timeout(2000).emitWithAck('unmute', { room, name: student })).resolves.toEqual({ ok: true });
      await expect(say(tab1, 'thank you')).resolves.toEqual({ ok: true });
    });

    it('refuses minutes that are not a whole number from 1 to 1440, and names nobody has', async () => {
      const { room, teacher, student } = await classroom();
      for (const minutes of [0, 1441, 1.5, '5', null, -1]) {
        const reply = await emitRaw(teacher, 'mute', [{ room, name: student, minutes }]);
        expect({ minutes, reply }).toEqual({ minutes, reply: { ok: false, error: expect.stringMatching(/minutes/) } });
      }
      await expect(emitRaw(teacher, 'remove', [{ room, name: 'Nobody at all' }])).resolves.toMatchObject({ ok: false });
      await expect(emitRaw(teacher, 'mute', [{ room, name: student, minutes: 1440 }])).resolves.toEqual({ ok: true });
    });

    it('removes a person: every tab leaves the room and is told, a rejoin is refused, the room hears it', async () => {
      const { room, teacher, student, tab1, tab2, other } = await classroom();
      const told = [tab1, tab2].map((tab) => waitFor(tab, 'removed'));
      const list = waitFor(other, 'updateUserList', 2000, (names) => names.length === 1);
      await expect(teacher.timeout(2000).emitWithAck('remove', { room, name: student })).resolves.toEqual({ ok: true });
      expect(await Promise.all(told)).toEqual([{ room }, { room }]);
      expect(await list).toEqual([expect.stringMatching(/^Ola/)]);
      await expect(say(tab1, 'am I there?')).resolves.toEqual({ ok: false, error: NOT_JOINED });
      await expect(join(tab2, room)).resolves.toMatchObject({ ok: false, error: expect.stringMatching(/removed/) });
      await expect(join(tab2, fresh())).resolves.toMatchObject({ ok: true });
    });

    it('closes a room: everyone in it is told and leaves; it may be joined again', async () => {
      const { room, teacher, tab1, tab2, other } = await classroom();
      const told = [tab1, tab2, other].map((tab) => waitFor(tab, 'roomClosed'));
      const heard = waitFor(other, 'newMessage', 2000, (m) => m.from === 'Admin' && /closed/.test(m.text));
      await expect(teacher.timeout(2000).emitWithAck('closeRoom', { room })).resolves.toEqual({ ok: true });
      expect(await Promise.all(told)).toEqual([{ room }, { room }, { room }]);
      await heard;
      await expect(say(other, 'anyone?')).resolves.toEqual({ ok: false, error: NOT_JOINED });
      await expect(join(other, room)).resolves.toMatchObject({ ok: true, room });
    });

    it('sends the instructor every room live: who, in how many tabs, who is muted', async () => {
      const { room, teacher, student } = await classroom();
      const view = collect(teacher, 'rooms') as Array<Array<{ room: string; people: Array<{ name: string; tabs: number; mutedUntil?: number }> }>>;
      await teacher.timeout(2000).emitWithAck('mute', { room, name: student });
      await pause(300);
      const last = view.at(-1)!.find((r) => r.room === room)!;
      expect(last.people).toEqual([
        { name: student, tabs: 2, mutedUntil: expect.any(Number) },
        { name: expect.stringMatching(/^Ola/), tabs: 1 },
      ]);
    });
  });
});

describe('14 sign-in: limits, code, expiry and restart', function () {
  this.timeout(30_000);
  let lesson: RunningLesson | undefined;
  afterEach(async () => {
    await lesson?.close();
    lesson = undefined;
  });

  it('answers 429 with Retry-After after too many wrong passwords for a name, but lets its own browser in', async () => {
    lesson = await start({ ...roomy, signInLimits: { perName: 5, perAddress: 20, perDevice: 5, windowMs: 60_000 } });
    const name = freshName('Quin');
    const cookie = await signUp(lesson.url, name);
    const device = (await postForm(lesson.url, '/signin', { name, password: PASSWORD }, { cookie })).setCookies.find((line) => line.startsWith('device='))!.split(';')[0];
    for (let i = 0; i < 5; i++) expect((await postForm(lesson.url, '/signin', { name, password: 'guess guess' })).status).toBe(401);
    const locked = await postForm(lesson.url, '/signin', { name, password: PASSWORD });
    expect(locked.status).toBe(429);
    expect(Number(locked.retryAfter)).toBeGreaterThan(0);
    expect(Number(locked.retryAfter)).toBeLessThanOrEqual(60);
    // The browser that signed in as Quin before carries its device cookie: the prankster's lock does not hold it.
    expect((await postForm(lesson.url, '/signin', { name, password: PASSWORD }, { cookie: device })).status).toBe(303);
  });

  it('answers 429 after too many failures from one address, whatever the names', async () => {
    lesson = await start({ ...roomy, signInLimits: { perName: 20, perAddress: 5, perDevice: 5, windowMs: 60_000 } });
    for (let i = 0; i < 5; i++) expect((await postForm(lesson.url, '/signin', { name: freshName('Any'), password: 'guess guess' })).status).toBe(401);
    const answer = await postForm(lesson.url, '/signin', { name: freshName('Any'), password: 'guess guess' });
    expect(answer.status).toBe(429);
    expect(answer.retryAfter).toMatch(/^\d+$/);
  });

  it('needs SIGNUP_CODE to sign up when it is set (403 without it)', async () => {
    lesson = await start({ ...roomy, signupCode: 'open sesame' });
    expect((await getPage(lesson.url, '/signup')).body).toContain('name="code"');
    for (const code of [undefined, 'wrong']) {
      const answer = await postForm(lesson.url, '/signup', { name: freshName('Ray'), password: PASSWORD, ...(code ? { code } : {}) });
      expect(answer.status).toBe(403);
      expect(answer.body).toContain(WRONG_CODE);
    }
    await signUp(lesson.url, freshName('Ray'), PASSWORD, { code: 'open sesame' });
  });

  it('ends an idle session and its sockets; events count as activity', async () => {
    lesson = await start({ ...roomy, sessionIdleMs: 2000 });
    const idle = await connectWith(lesson.url, await signUp(lesson.url, freshName('Sam')));
    const busyCookie = await signUp(lesson.url, freshName('Tia'));
    const busy = await connectWith(lesson.url, busyCookie);
    await join(busy, 'Busy');
    const gone = disconnected(idle, 4000);
    for (let i = 0; i < 8; i++) {
      await say(busy, `still here ${i}`);
      await pause(400);
    }
    expect(await gone).toBe('io server disconnect');
    expect(busy.connected).toBe(true);
    expect(await getPage(lesson.url, '/', busyCookie)).toMatchObject({ status: 200 });
  });

  it('keeps every stored message across a restart, with its id', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lesson14-'));
    try {
      const options = { ...roomy, dbFile: path.join(dir, 'sign-in.db'), sessionSecret: undefined };
      lesson = await start(options);
      const name = freshName('Vic');
      const cookie = await signUp(lesson.url, name);
      const before = await connectWith(lesson.url, cookie);
      const saw = stored(before);
      await join(before, 'Kept');
      for (const text of ['one', 'two']) await say(before, text);
      await sync(before);
      await lesson.close();
      lesson = await start(options);
      const after = await connectWith(lesson.url, cookie);
      const again = stored(after);
      await join(after, 'Kept');
      await sync(after);
      expect(again).toEqual({ seen: [`${name}: one`, `${name}: two`], ids: saw.ids });
      await say(after, 'three'); // ids go on from there
      await sync(after);
      expect(again.ids[2]).toBeGreaterThan(saw.ids[1]);
    } finally {
      await lesson?.close();
      lesson = undefined;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps everyone signed in across a restart', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lesson14-'));
    try {
      const options = { ...roomy, dbFile: path.join(dir, 'sign-in.db'), sessionSecret: undefined };
      lesson = await start(options);
      const cookie = await signUp(lesson.url, freshName('Uma'));
      await lesson.close();
      lesson = await start(options); // the secret was kept beside the database
      expect(await getPage(lesson.url, '/', cookie)).toMatchObject({ status: 200 });
      await expect(connectWith(lesson.url, cookie)).resolves.toBeTruthy();
    } finally {
      await lesson?.close();
      lesson = undefined;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('14 sign-in: passwords', () => {
  it('stores a salted, self-describing scrypt hash, and checks it', async () => {
    const [one, two] = await Promise.all([hashPassword('correct horse'), hashPassword('correct horse')]);
    expect(one).toMatch(/^scrypt\$N=\d+,r=\d+,p=\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(one).not.toEqual(two); // a salt of its own
    expect(one).not.toContain('correct horse');
    await expect(verifyPassword('correct horse', one)).resolves.toBe(true);
    await expect(verifyPassword('correct hors', one)).resolves.toBe(false);
    await expect(verifyPassword('correct horse', 'garbage')).resolves.toBe(false);
  });
});

// The server cases lessons 07 and 08 share: their servers are the same (08
// adds only the routes for its page's libraries). Each lesson's test file
// adds what is special to its page.
import { expect } from 'expect';
import { RATE_LIMITED, type RateLimitOptions } from '../../shared/rate-limit';
import type { RunningLesson } from '../../shared/run';
import { connect, connectMany, emitRaw, notFromAdmin, useLesson, waitFor } from '../helpers';
import { connectRecording, nameOf, record, say, share, sync, syncMessage, type Client } from './chat-clients';

/** Text, locations, notices and bad input, for a lesson started by `lesson`. */
export function chatCases(lesson: () => RunningLesson, pageEscapes: string): void {
  it('welcomes a newcomer from Admin, and tells the others someone joined', async () => {
    const welcome = ['newMessage', { from: 'Admin', text: 'Welcome to the chat!', createdAt: expect.any(Number) }];
    const joined = ['newMessage', { from: 'Admin', text: 'A new user joined', createdAt: expect.any(Number) }];
    const a = await connectRecording(lesson().url);
    const b = await connectRecording(lesson().url);
    await sync(a.client, a.client, b.client);
    expect(a.seen).toEqual([welcome, joined, syncMessage(a.client)]);
    expect(b.seen).toEqual([welcome, syncMessage(a.client)]); // no "joined" notice about itself
  });

  it('sends a message to everyone, from the sender, stamped by the server', async () => {
    const clients = await connectMany<Client>(lesson().url, 3);
    const arrivals = clients.map((client) => waitFor(client, 'newMessage', 2000, notFromAdmin));
    const before = Date.now();
    await expect(say(clients[0], { text: '  hello  ' })).resolves.toEqual({ ok: true });
    for (const message of await Promise.all(arrivals)) {
      expect(message).toEqual({ from: nameOf(clients[0]), text: 'hello', createdAt: expect.any(Number) });
      expect(message.createdAt).toBeGreaterThanOrEqual(before);
      expect(message.createdAt).toBeLessThanOrEqual(Date.now());
    }
  });

  it(`passes HTML on as text (${pageEscapes})`, async () => {
    const [a, b] = await connectMany<Client>(lesson().url, 2);
    const arrived = waitFor(b, 'newMessage', 2000, notFromAdmin);
    await say(a, { text: '<img src=x onerror=alert(1)>' });
    expect((await arrived).text).toBe('<img src=x onerror=alert(1)>');
  });

  it('refuses a client that sets its own from or createdAt, and bad text, and they reach no one', async () => {
    const [a, b] = await connectMany<Client>(lesson().url, 2);
    const seenByA = record(a);
    const seenByB = record(b);
    await expect(say(a, { text: 'hi', from: 'Admin' })).resolves.toEqual({ ok: false, error: 'unexpected field "from"' });
    await expect(say(a, { text: 'hi', createdAt: 0 })).resolves.toEqual({ ok: false, error: 'unexpected field "createdAt"' });
    await expect(say(a, { text: '' })).resolves.toEqual({ ok: false, error: 'text must not be empty' });
    await expect(say(a, { text: ' \n ' })).resolves.toEqual({ ok: false, error: 'text must not be empty' });
    await expect(say(a, { text: 'x'.repeat(501) })).resolves.toEqual({ ok: false, error: 'text must be at most 500 characters' });
    await expect(say(a, { text: 42 })).resolves.toEqual({ ok: false, error: 'text must be a string' });
    await expect(say(a, 'hi')).resolves.toEqual({ ok: false, error: 'expected an object like { text }' });
    await expect(say(a, { text: 'x'.repeat(500) })).resolves.toEqual({ ok: true });
    await sync(a, a, b);
    const expected = [['newMessage', expect.objectContaining({ text: 'x'.repeat(500) })], syncMessage(a)];
    expect(seenByA).toEqual(expected);
    expect(seenByB).toEqual(expected);
  });

  it('shares a location as a map link with everyone', async () => {
    const [a, b] = await connectMany<Client>(lesson().url, 2);
    const arrivals = [a, b].map((client) => waitFor(client, 'newLocationMessage'));
    await expect(share(a, { latitude: 51.5, longitude: -0.12 })).resolves.toEqual({ ok: true });
    for (const message of await Promise.all(arrivals)) {
      expect(message).toEqual({
        from: nameOf(a),
        url: 'https://www.google.com/maps?q=51.5,-0.12',
        createdAt: expect.any(Number),
      });
    }
  });

  it('refuses bad coordinates, and they reach no one', async () => {
    const [a, b] = await connectMany<Client>(lesson().url, 2);
    const seenByB = record(b);
    const bad: Array<[unknown, string]> = [
      [{ latitude: 91, longitude: 0 }, 'latitude must be from -90 to 90'],
      [{ latitude: 0, longitude: -181 }, 'longitude must be from -180 to 180'],
      [{ latitude: '51.5', longitude: '-0.12' }, 'latitude must be a number'],
      [{ latitude: NaN, longitude: 0 }, 'latitude must be a number'], // NaN and Infinity travel as null
      [{ latitude: 0, longitude: Infinity }, 'longitude must be a number'],
      [{ latitude: 0 }, 'longitude must be a number'],
      [{ latitude: 0, longitude: 0, url: 'javascript:alert(1)' }, 'unexpected field "url"'],
      [[51.5, -0.12], 'expected an object like { latitude, longitude }'],
      [null, 'expected an object like { latitude, longitude }'],
    ];
    for (const [payload, error] of bad) await expect(share(a, payload)).resolves.toEqual({ ok: false, error });
    await sync(a, b);
    expect(seenByB).toEqual([syncMessage(a)]);
  });

  it('survives bad input, answers it where it can, and works afterwards', async () => {
    const [a, b] = await connectMany<Client>(lesson().url, 2);
    const seenByB = record(b);
    for (const send of [say, share]) {
      await expect(send(a)).resolves.toEqual({ ok: false, error: 'expected 1 argument and an acknowledgement, got 0 arguments' });
      await expect(send(a, { text: 'hi' }, 'extra')).resolves.toMatchObject({ ok: false });
      await expect(send(a, undefined)).resolves.toMatchObject({ ok: false });
    }
    // Without an acknowledgement, or with one that is not a function, a request is dropped,
    // even a good one: the contract asks for an acknowledgement.
    for (const event of ['createMessage', 'createLocationMessage']) {
      for (const args of [[{ text: 'no ack' }], [{ latitude: 1, longitude: 2 }], [null], [{ text: 'hi' }, 'not a function'], [{ text: 'hi' }, null]]) {
        await emitRaw(a, event, args, false);
      }
    }
    await expect(emitRaw(a, 'chat message', ['hi'])).resolves.toEqual({ ok: false, error: 'unknown event "chat message"' });
    await expect(emitRaw(a, 'newMessage', [{ text: 'hi' }])).resolves.toEqual({ ok: false, error: 'unknown event "newMessage"' });
    await sync(a, b);
    expect(seenByB).toEqual([syncMessage(a)]);
    expect(a.connected).toBe(true);
  });

  it('disconnects a client that sends more than a few KB, and carries on for the others', async () => {
    const [a, b] = await connectMany<Client>(lesson().url, 2);
    const gone = new Promise((resolve) => a.once('disconnect', resolve));
    a.emit('createMessage', { text: 'x'.repeat(10_000) }, () => {});
    await gone;
    await sync(b, b);
  });
}

type Start = (options: { port: number; rateLimit?: RateLimitOptions }) => Promise<RunningLesson>;

/** The rate limit, with a tight limit so the test need not send much. */
export function rateLimitCases(title: string, start: Start): void {
  describe(`${title}: rate limit`, () => {
    const lesson = useLesson(start, { rateLimit: { burst: 3, perSecond: 0.1 } });

    it('refuses a burst over the limit, messages and locations alike, for that socket only', async () => {
      const [a, b] = await connectMany<Client>(lesson().url, 2);
      const seenByB = record(b);
      const replies = await Promise.all([
        say(a, { text: 'a1' }),
        share(a, { latitude: 1, longitude: 2 }),
        say(a, { text: 'a3' }),
        share(a, { latitude: 3, longitude: 4 }),
        say(a, { text: 'a5' }),
      ]);
      expect(replies).toEqual([{ ok: true }, { ok: true }, { ok: true }, { ok: false, error: RATE_LIMITED }, { ok: false, error: RATE_LIMITED }]);
      await sync(b, b); // b has an allowance of its own
      expect(seenByB.map(([event]) => event)).toEqual(['newMessage', 'newLocationMessage', 'newMessage', 'newMessage']);
      // A refused request costs nothing: bad input does not use up the allowance.
      const c = await connect<Client>(lesson().url);
      for (let n = 0; n < 5; n++) await say(c, { text: '' });
      await expect(say(c, { text: 'still allowed' })).resolves.toEqual({ ok: true });
    });
  });
}

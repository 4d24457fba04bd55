import { expect } from 'expect';
import type { Socket } from 'socket.io-client';
import { start } from '../../lessons/06-message-generator/server';
import type { ClientToServerEvents, ServerToClientEvents } from '../../lessons/06-message-generator/events';
import { RATE_LIMITED } from '../../shared/rate-limit';
import { connect, connectMany, emitRaw, notFromAdmin, useLesson, waitFor } from '../helpers';
import { connectRecording, nameOf, record, say, sync, syncMessage } from './chat-clients';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

describe('06 message generator', () => {
  const lesson = useLesson(start);

  it('serves the page, its compiled script and styles', async () => {
    const html = await (await fetch(`${lesson().url}/`)).text();
    expect(html).toContain('<script type="module" src="app.js">');
    expect(await (await fetch(`${lesson().url}/app.js`)).text()).toContain("emitWithAck('createMessage'");
    expect((await fetch(`${lesson().url}/style.css`)).status).toBe(200);
  });

  it('welcomes a newcomer from Admin, and tells the others someone joined', async () => {
    const welcome = ['newMessage', { from: 'Admin', text: 'Welcome to the chat!', createdAt: expect.any(Number) }];
    const joined = ['newMessage', { from: 'Admin', text: 'A new user joined', createdAt: expect.any(Number) }];
    const a = await connectRecording(lesson().url);
    const b = await connectRecording(lesson().url);
    const c = await connectRecording(lesson().url);
    await sync(a.client, a.client, b.client, c.client);
    expect(a.seen).toEqual([welcome, joined, joined, syncMessage(a.client)]);
    expect(b.seen).toEqual([welcome, joined, syncMessage(a.client)]);
    expect(c.seen).toEqual([welcome, syncMessage(a.client)]);
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

  it('passes HTML on as text (the page shows it with textContent)', async () => {
    const [a, b] = await connectMany<Client>(lesson().url, 2);
    const arrived = waitFor(b, 'newMessage', 2000, notFromAdmin);
    await say(a, { text: '<script>alert(1)</script>' });
    expect((await arrived).text).toBe('<script>alert(1)</script>');
  });

  it('refuses a client that sets its own from or createdAt, and bad text, and they reach no one', async () => {
    const [a, b] = await connectMany<Client>(lesson().url, 2);
    const seenByA = record(a);
    const seenByB = record(b);
    await expect(say(a, { text: 'hi', from: 'Admin' })).resolves.toEqual({ ok: false, error: 'unexpected field "from"' });
    await expect(say(a, { text: 'hi', createdAt: 0 })).resolves.toEqual({ ok: false, error: 'unexpected field "createdAt"' });
    await expect(say(a, { text: '' })).resolves.toEqual({ ok: false, error: 'text must not be empty' });
    await expect(say(a, { text: ' \t ' })).resolves.toEqual({ ok: false, error: 'text must not be empty' });
    await expect(say(a, { text: 'x'.repeat(501) })).resolves.toEqual({ ok: false, error: 'text must be at most 500 characters' });
    await expect(say(a, { text: ['hi'] })).resolves.toEqual({ ok: false, error: 'text must be a string' });
    await expect(say(a, 'hi')).resolves.toEqual({ ok: false, error: 'expected an object like { text }' });
    await expect(say(a, { text: 'x'.repeat(500) })).resolves.toEqual({ ok: true });
    await sync(a, a, b);
    const expected = [['newMessage', expect.objectContaining({ text: 'x'.repeat(500) })], syncMessage(a)];
    expect(seenByA).toEqual(expected);
    expect(seenByB).toEqual(expected);
  });

  it('survives bad input, answers it where it can, and works afterwards', async () => {
    const [a, b] = await connectMany<Client>(lesson().url, 2);
    const seenByB = record(b);
    await expect(say(a)).resolves.toEqual({ ok: false, error: 'expected 1 argument and an acknowledgement, got 0 arguments' });
    await expect(say(a, { text: 'hi' }, 'extra')).resolves.toEqual({
      ok: false,
      error: 'expected 1 argument and an acknowledgement, got 2 arguments',
    });
    await expect(say(a, null)).resolves.toEqual({ ok: false, error: 'expected an object like { text }' });
    await expect(say(a, 42)).resolves.toEqual({ ok: false, error: 'expected an object like { text }' });
    // Without an acknowledgement, or with one that is not a function, a request is dropped,
    // even a good one: the contract asks for an acknowledgement.
    for (const args of [[{ text: 'no ack' }], [null], [{ text: 'hi' }, 'not a function'], [{ text: 'hi' }, 42]]) {
      await emitRaw(a, 'createMessage', args, false);
    }
    await expect(emitRaw(a, 'chat message', ['hi'])).resolves.toEqual({ ok: false, error: 'unknown event "chat message"' });
    await expect(emitRaw(a, 'createLocationMessage', [{ latitude: 1, longitude: 2 }])).resolves.toEqual({
      ok: false,
      error: 'unknown event "createLocationMessage"', // that comes in lesson 07
    });
    await sync(a, b);
    expect(seenByB).toEqual([syncMessage(a)]);
    expect(a.connected).toBe(true);
  });
});

describe('06 message generator: rate limit', () => {
  const lesson = useLesson(start, { rateLimit: { burst: 3, perSecond: 0.1 } });

  it('refuses a burst over the limit for that socket only', async () => {
    const [a, b] = await connectMany<Client>(lesson().url, 2);
    const seenByB = record(b);
    const replies = await Promise.all([1, 2, 3, 4, 5].map((n) => say(a, { text: `a${n}` })));
    expect(replies).toEqual([{ ok: true }, { ok: true }, { ok: true }, { ok: false, error: RATE_LIMITED }, { ok: false, error: RATE_LIMITED }]);
    await sync(b, b); // b has an allowance of its own
    expect(seenByB.map(([, message]) => (message as { text: string }).text)).toEqual(['a1', 'a2', 'a3', 'sync']);
  });

  it('gives a new connection a fresh allowance', async () => {
    const a = await connect<Client>(lesson().url);
    for (let n = 0; n < 3; n++) await expect(say(a, { text: 'hi' })).resolves.toEqual({ ok: true });
    await expect(say(a, { text: 'hi' })).resolves.toEqual({ ok: false, error: RATE_LIMITED });
    a.close();
    const again = await connect<Client>(lesson().url);
    await expect(say(again, { text: 'hi' })).resolves.toEqual({ ok: true });
  });
});

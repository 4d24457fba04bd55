import { expect } from 'expect';
import type { Socket } from 'socket.io-client';
import { start } from '../../lessons/05-chat/server';
import type { ClientToServerEvents, ServerToClientEvents } from '../../lessons/05-chat/events';
import { RATE_LIMITED } from '../../shared/rate-limit';
import { collect, connect, connectMany, emitRaw, useLesson, waitFor } from '../helpers';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const nameOf = (client: Client) => client.id!.slice(0, 6);
const say = (client: Client, ...args: unknown[]) => emitRaw(client, 'chat message', args);

/**
 * Sends a marker message from `sender` and waits until `receiver` has it. The
 * server handles a socket's events in order and writes to each client in
 * order, so whatever `sender` sent before would have reached `receiver` by then.
 */
async function sync(sender: Client, receiver: Client): Promise<void> {
  const arrived = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the "sync" message did not arrive within 2000 ms')), 2000);
    const listener = (message: { from: string; text: string }) => {
      if (message.text !== 'sync' || message.from !== nameOf(sender)) return;
      clearTimeout(timer);
      receiver.off('chat message', listener);
      resolve();
    };
    receiver.on('chat message', listener);
  });
  await expect(say(sender, 'sync')).resolves.toEqual({ ok: true });
  await arrived;
}

describe('05 chat', () => {
  const lesson = useLesson(start);

  it('serves the page, its compiled script and styles', async () => {
    const html = await (await fetch(`${lesson().url}/`)).text();
    expect(html).toContain('<script src="/socket.io/socket.io.js"></script>');
    expect(html).toContain('<script type="module" src="app.js">');
    const script = await fetch(`${lesson().url}/app.js`);
    expect(script.headers.get('content-type')).toContain('javascript');
    expect(await script.text()).toContain('textContent');
    expect((await fetch(`${lesson().url}/style.css`)).status).toBe(200);
    expect((await fetch(`${lesson().url}/workbook.css`)).status).toBe(200);
  });

  it('sends a message to everyone, the sender included, from its short socket id', async () => {
    const [a, b, c] = await connectMany<Client>(lesson().url, 3);
    const arrivals = [a, b, c].map((client) => waitFor(client, 'chat message'));
    await expect(say(a, '  hello  ')).resolves.toEqual({ ok: true });
    for (const message of await Promise.all(arrivals)) {
      expect(message).toEqual({ from: nameOf(a), text: 'hello' });
    }
    expect(nameOf(a)).toHaveLength(6);
  });

  it('takes a message without an acknowledgement too', async () => {
    const [a, b] = await connectMany<Client>(lesson().url, 2);
    const arrived = waitFor(b, 'chat message');
    a.emit('chat message', 'no ack');
    expect(await arrived).toEqual({ from: nameOf(a), text: 'no ack' });
  });

  it('passes HTML on as plain text (the page shows it with textContent)', async () => {
    const [a, b] = await connectMany<Client>(lesson().url, 2);
    const arrived = waitFor(b, 'chat message');
    await say(a, '<img src=x onerror=alert(1)>');
    expect((await arrived).text).toBe('<img src=x onerror=alert(1)>');
  });

  it('accepts 500 characters, refuses 501, blank text and non-strings, and a refused message reaches no one', async () => {
    const [a, b] = await connectMany<Client>(lesson().url, 2);
    const seenByA = collect(a, 'chat message');
    const seenByB = collect(b, 'chat message');
    await expect(say(a, 'x'.repeat(500))).resolves.toEqual({ ok: true });
    await expect(say(a, 'x'.repeat(501))).resolves.toEqual({ ok: false, error: 'text must be at most 500 characters' });
    await expect(say(a, '')).resolves.toEqual({ ok: false, error: 'text must not be empty' });
    await expect(say(a, ' \n\t ')).resolves.toEqual({ ok: false, error: 'text must not be empty' });
    for (const junk of [42, null, ['hi'], { text: 'hi' }, { from: 'Admin', text: 'hi' }, true]) {
      await expect(say(a, junk)).resolves.toEqual({ ok: false, error: 'text must be a string' });
    }
    await sync(a, b);
    const expected = [{ from: nameOf(a), text: 'x'.repeat(500) }, { from: nameOf(a), text: 'sync' }];
    expect(seenByB).toEqual(expected);
    // The sender, too, saw nothing else (whether it hears its own messages is exercise 1's business).
    for (const message of seenByA) expect(expected).toContainEqual(message);
  });

  it('survives bad input, answers it where it can, and works afterwards', async () => {
    const [a, b] = await connectMany<Client>(lesson().url, 2);
    const seenByB = collect(b, 'chat message');
    // Extra arguments, with an acknowledgement: refused with a reason.
    await expect(say(a, 'hi', 'there')).resolves.toEqual({
      ok: false,
      error: 'expected 1 argument and an acknowledgement, got 2 arguments',
    });
    await expect(say(a)).resolves.toMatchObject({ ok: false });
    // No acknowledgement, or one that is not a function: dropped silently.
    for (const junk of [[42], [null], [undefined], ['hi', 'not a function'], ['hi', 42], [{ text: 'hi' }, null]]) {
      await emitRaw(a, 'chat message', junk, false);
    }
    // An unknown event.
    await expect(emitRaw(a, 'chat', ['hi'])).resolves.toEqual({ ok: false, error: 'unknown event "chat"' });
    await emitRaw(a, 'newMessage', [{ text: 'hi' }], false);
    await sync(a, b);
    expect(seenByB).toEqual([{ from: nameOf(a), text: 'sync' }]);
    expect(a.connected).toBe(true);
  });

  it('disconnects a client that sends more than a few KB, and carries on for the others', async () => {
    const [a, b, c] = await connectMany<Client>(lesson().url, 3);
    const gone = new Promise((resolve) => a.once('disconnect', resolve));
    a.emit('chat message', 'x'.repeat(10_000));
    await gone;
    await sync(b, c);
  });
});

describe('05 chat rate limit', () => {
  const lesson = useLesson(start, { rateLimit: { burst: 3, perSecond: 0.1 } });

  it('refuses a burst over the limit for that socket only', async () => {
    const [a, b, c] = await connectMany<Client>(lesson().url, 3);
    const seenByB = collect(b, 'chat message');
    const replies = await Promise.all([1, 2, 3, 4, 5].map((n) => say(a, `a${n}`)));
    expect(replies).toEqual([
      { ok: true },
      { ok: true },
      { ok: true },
      { ok: false, error: RATE_LIMITED },
      { ok: false, error: RATE_LIMITED },
    ]);
    // c and b have allowances of their own, and b heard only a's first three.
    await sync(c, b);
    expect(seenByB.map((message) => (message as { text: string }).text)).toEqual(['a1', 'a2', 'a3', 'sync']);
    await expect(say(b, 'b too')).resolves.toEqual({ ok: true });
  });

  it('gives a new connection a fresh allowance', async () => {
    const a = await connect<Client>(lesson().url);
    for (let n = 0; n < 3; n++) await expect(say(a, 'hi')).resolves.toEqual({ ok: true });
    await expect(say(a, 'hi')).resolves.toEqual({ ok: false, error: RATE_LIMITED });
    a.close();
    const again = await connect<Client>(lesson().url);
    await expect(say(again, 'hi')).resolves.toEqual({ ok: true });
  });
});

import { expect } from 'expect';
import type { Socket } from 'socket.io-client';
import { start } from '../../lessons/03-acknowledgements/server';
import type { ClientToServerEvents, ServerToClientEvents } from '../../lessons/03-acknowledgements/events';
import { connect, emitRaw, pause, useLesson } from '../helpers';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

describe('03 acknowledgements', () => {
  const lesson = useLesson(start);

  /** Records any event the server sends `client`: in this lesson, none should come. */
  const record = (client: Client) => {
    const heard: string[] = [];
    client.onAny((event: string) => heard.push(event));
    return heard;
  };

  it('answers a shout with the text in capitals', async () => {
    const client = await connect<Client>(lesson().url);
    await expect(client.timeout(1000).emitWithAck('shout', 'hello')).resolves.toEqual({ ok: true, text: 'HELLO' });
    await expect(client.timeout(1000).emitWithAck('shout', '  trimmed  ')).resolves.toEqual({ ok: true, text: 'TRIMMED' });
  });

  it('answers with a plain callback too', async () => {
    const client = await connect<Client>(lesson().url);
    const reply = await new Promise((resolve) => client.emit('shout', 'straße', resolve));
    expect(reply).toEqual({ ok: true, text: 'STRASSE' });
  });

  it('refuses bad text with an error answer', async () => {
    const client = await connect<Client>(lesson().url);
    const ask = (...args: unknown[]) => emitRaw(client, 'shout', args);
    await expect(ask('')).resolves.toEqual({ ok: false, error: 'text must not be empty' });
    await expect(ask('   ')).resolves.toEqual({ ok: false, error: 'text must not be empty' });
    await expect(ask('x'.repeat(501))).resolves.toEqual({ ok: false, error: 'text must be at most 500 characters' });
    await expect(ask('x'.repeat(500))).resolves.toEqual({ ok: true, text: 'X'.repeat(500) });
  });

  it('refuses the wrong type, null, no text and extra arguments', async () => {
    const client = await connect<Client>(lesson().url);
    const ask = (...args: unknown[]) => emitRaw(client, 'shout', args);
    const notAString = { ok: false, error: 'text must be a string' };
    await expect(ask(42)).resolves.toEqual(notAString);
    await expect(ask(null)).resolves.toEqual(notAString);
    await expect(ask(true)).resolves.toEqual(notAString);
    await expect(ask(['hello'])).resolves.toEqual(notAString);
    await expect(ask({ text: 'hello' })).resolves.toEqual(notAString);
    await expect(ask()).resolves.toEqual({ ok: false, error: 'expected 1 argument and an acknowledgement, got 0 arguments' });
    await expect(ask('hello', 'world')).resolves.toEqual({
      ok: false,
      error: 'expected 1 argument and an acknowledgement, got 2 arguments',
    });
    await expect(client.timeout(1000).emitWithAck('shout', 'still fine')).resolves.toEqual({ ok: true, text: 'STILL FINE' });
  });

  it('survives requests with no acknowledgement, or one that is not a function', async () => {
    const bystander = await connect<Client>(lesson().url);
    const heard = record(bystander);
    const client = await connect<Client>(lesson().url);
    const send = (...args: unknown[]) => emitRaw(client, 'shout', args, false);
    send('hello'); // good, but nobody to answer
    send(42);
    send(null);
    send();
    send('hello', 'not a function');
    send('hello', { ack: true });
    send('hello', 'extra', 'arguments');
    // Still connected, still answering, and no one else heard a thing.
    await expect(client.timeout(1000).emitWithAck('shout', 'after')).resolves.toEqual({ ok: true, text: 'AFTER' });
    expect(client.connected).toBe(true);
    await pause(20);
    expect(heard).toEqual([]);
  });

  it('answers an unknown event with an error, or drops it without an acknowledgement', async () => {
    const client = await connect<Client>(lesson().url);
    // Not `whisper`: exercise 2 adds that one.
    await expect(emitRaw(client, 'no such event', ['hello'])).resolves.toEqual({ ok: false, error: 'unknown event "no such event"' });
    await expect(emitRaw(client, 'SHOUT', ['hello'])).resolves.toEqual({ ok: false, error: 'unknown event "SHOUT"' });
    await emitRaw(client, 'no such event', ['hello'], false);
    await expect(client.timeout(1000).emitWithAck('shout', 'ok')).resolves.toEqual({ ok: true, text: 'OK' });
  });

  it('closes the connection of a client that sends more than a few KB, and carries on', async () => {
    const bystander = await connect<Client>(lesson().url);
    const heard = record(bystander);
    const client = await connect<Client>(lesson().url);
    const gone = new Promise((resolve) => client.once('disconnect', resolve));
    emitRaw(client, 'shout', ['x'.repeat(100_000)], false); // over the limit, even after 03.6 raises it
    await gone;
    await expect(bystander.timeout(1000).emitWithAck('shout', 'still here')).resolves.toEqual({ ok: true, text: 'STILL HERE' });
    expect(heard).toEqual([]);
  });
});

// Lesson 12 stores what it acknowledges. Text with a lone surrogate cannot
// be stored as it was sent (SQLite keeps UTF-8, where "\uD800" becomes
// U+FFFD), so it is refused before it is acknowledged: what a rejoin replays
// is what was acknowledged.
import { expect } from 'expect';
import type { Socket } from 'socket.io-client';
import { start, type DeliveryOptions } from '../../lessons/12-delivery/server';
import type { ClientToServerEvents, Message, ServerToClientEvents } from '../../lessons/12-delivery/events';
import { checkMessage } from '../../lessons/12-delivery/offsets';
import { collect, connect, emitRaw, useLesson } from '../helpers';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const join = (client: Client, name: string, room: string) => client.timeout(1000).emitWithAck('join', { name, room });
const say = (client: Client, text: string) => client.timeout(1000).emitWithAck('createMessage', { text });

const memory: DeliveryOptions = { dbFile: ':memory:' };

describe('12 delivery: well-formed text', () => {
  const lesson = useLesson(start, memory);

  it('refuses a message of lone surrogates, so none is stored or replayed as U+FFFD; a pair is kept as sent', async () => {
    const ann = await connect<Client>(lesson().url);
    await join(ann, 'Ann', 'Surrogates');
    for (const text of ['\ud800'.repeat(500), 'half a smile \ud83d', '\ude00 the other half']) {
      expect(await say(ann, text)).toEqual({ ok: false, error: expect.stringMatching(/^text must not contain lone surrogates/) });
    }
    await expect(say(ann, 'a whole smile \ud83d\ude00')).resolves.toEqual({ ok: true });

    const bob = await connect<Client>(lesson().url);
    const replayed = collect(bob, 'newMessage') as Message[];
    await join(bob, 'Bob', 'Surrogates');
    await emitRaw(bob, 'sync', []); // a round trip: the history has arrived
    expect(replayed.filter((message) => message.id !== undefined).map((message) => message.text)).toEqual(['a whole smile 😀']);
  });

  it('refuses a lone surrogate in a clientOffset too (a retry would not find its message, stored as U+FFFD), as lesson 13 does', async () => {
    expect(checkMessage({ text: 'hi', clientOffset: 'ann-\udc00' })).toEqual({ ok: false, error: 'clientOffset must be a string of 1 to 64 characters' });
    expect(checkMessage({ text: 'hi', clientOffset: 'ann-\ud83d\ude00' })).toEqual({ ok: true, value: { text: 'hi', clientOffset: 'ann-😀' } });
    const ann = await connect<Client>(lesson().url);
    await join(ann, 'Ann', 'Offsets');
    expect(await ann.timeout(1000).emitWithAck('createMessage', { text: 'hi', clientOffset: '\ud800' })).toEqual({
      ok: false,
      error: 'clientOffset must be a string of 1 to 64 characters',
    });
  });
});

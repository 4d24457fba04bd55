// Chat clients for the tests of lessons 06 to 08: send, record what arrives,
// and wait until everything sent before has arrived.
import { expect } from 'expect';
import type { Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/chat-events';
import { connectListening, emitRaw } from '../helpers';

export type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

export const nameOf = (client: Client) => client.id!.slice(0, 6);
export const say = (client: Client, ...args: unknown[]) => emitRaw(client, 'createMessage', args);
export const share = (client: Client, ...args: unknown[]) => emitRaw(client, 'createLocationMessage', args);

/**
 * Every event `client` receives from now on, as [event, payload]. Admin's
 * notices are left out unless asked for: clients connecting in parallel
 * hear about each other at unknown times.
 */
export function record(client: Client, withNotices = false): Array<[string, unknown]> {
  const seen: Array<[string, unknown]> = [];
  client.onAny((event: string, payload: { from?: string }) => {
    if (withNotices || payload?.from !== 'Admin') seen.push([event, payload]);
  });
  return seen;
}

/**
 * Sends a marker message from `sender` and waits until each receiver has it.
 * The server handles a socket's events in order and writes to each client in
 * order, so whatever `sender` sent before would have arrived by then.
 */
export async function sync(sender: Client, ...receivers: Client[]): Promise<void> {
  const arrivals = receivers.map(
    (receiver) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the "sync" message did not arrive within 2000 ms')), 2000);
        const listener = ({ from, text }: { from: string; text: string }) => {
          if (text !== 'sync' || from !== nameOf(sender)) return;
          clearTimeout(timer);
          receiver.off('newMessage', listener);
          resolve();
        };
        receiver.on('newMessage', listener);
      }),
  );
  await expect(say(sender, { text: 'sync' })).resolves.toEqual({ ok: true });
  await Promise.all(arrivals);
}

/**
 * Connects a client that records its events from the very start: the welcome
 * comes right behind the connection, before `await connect()` would return.
 */
export async function connectRecording(url: string): Promise<{ client: Client; seen: Array<[string, unknown]> }> {
  let seen: Array<[string, unknown]> = [];
  const client = await connectListening<Client>(url, (socket) => {
    seen = record(socket, true);
  });
  return { client, seen };
}

export const syncMessage = (sender: Client) => ['newMessage', { from: nameOf(sender), text: 'sync', createdAt: expect.any(Number) }];

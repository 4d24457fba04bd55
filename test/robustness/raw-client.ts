// What the robustness tests of lessons 12 and 13 attack with: a Socket.IO
// client written by hand over a WebSocket, and a bystander on an address of
// its own who keeps count of its slowest answer and join.
import type { Socket } from 'socket.io-client';
import WebSocket from 'ws';
import type { RunningLesson } from '../../shared/run';
import { connect, pause } from '../helpers';

type Client = Socket;
/** socket.io-client's options for a connection from `address` (127.0.0.x). */
export const from = (address: string) => ({ localAddress: address }) as object;

/**
 * A Socket.IO client written by hand over a WebSocket, as an attacker would:
 * it sends whatever `auth` it likes (a session id, an old offset), and counts
 * what it gets.
 */
interface RawClient {
  /** The socket id and the private session id the server gave. */
  sid: string;
  pid: string;
  /** The chat messages it got (replayed or live), and their bytes. */
  messages: number;
  bytes: number;
  /** Of those, the stored ones (with an id), and Admin's notices of a gap. */
  stored: number;
  gaps: number;
  /** The offset of the last packet it got, as Socket.IO's client keeps it. */
  lastOffset?: string;
  /** Sends an event with an acknowledgement; resolves with the answer. */
  ask(event: string, ...args: unknown[]): Promise<unknown>;
  /** Closes the WebSocket; resolves once the server has let the socket go. */
  close(): Promise<void>;
}

export function openRaw(lesson: RunningLesson, localAddress: string, auth: object = {}, headers: Record<string, string> = {}): Promise<RawClient> {
  const url = `${lesson.url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
  const ws = new WebSocket(url, { localAddress, headers }); // headers: lesson 14's session cookie
  const acks = new Map<number, (value: unknown) => void>();
  let nextAck = 0;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no Socket.IO connection from ${localAddress} within 2000 ms`)), 2000);
    ws.on('error', reject);
    const client: RawClient = {
      sid: '',
      pid: '',
      messages: 0,
      bytes: 0,
      stored: 0,
      gaps: 0,
      ask(event, ...args) {
        const id = nextAck++;
        ws.send(`42${id}${JSON.stringify([event, ...args])}`);
        return new Promise((answered, failed) => {
          // Long enough to see what an attack costs, rather than a timeout, when the server is slow.
          const timeout = setTimeout(() => failed(new Error(`no answer to "${event}" within 5000 ms`)), 5000);
          acks.set(id, (value) => (clearTimeout(timeout), answered(value)));
        });
      },
      close() {
        const sockets = lesson.io?.of('/').sockets; // none when the server runs in other processes
        return new Promise((closed) => {
          ws.once('close', async () => {
            if (!sockets) await pause(50);
            while (sockets?.has(client.sid)) await pause(5);
            closed();
          });
          ws.close();
        });
      },
    };
    ws.on('message', (data) => {
      const text = data.toString();
      if (text === '2') return ws.send('3'); // Engine.IO's ping
      if (text.startsWith('0')) return ws.send(`40${JSON.stringify(auth)}`); // open: connect to "/"
      if (text.startsWith('40')) {
        clearTimeout(timer);
        Object.assign(client, JSON.parse(text.slice(2)));
        return resolve(client);
      }
      if (text.startsWith('44')) return reject(new Error(`refused: ${text}`));
      const event = /^42(\[.*)$/s.exec(text);
      if (event) {
        const args = JSON.parse(event[1]) as unknown[];
        if (args[0] === 'newMessage' || args[0] === 'newLocationMessage') {
          client.messages++;
          client.bytes += text.length;
          const message = args[1] as { id?: unknown; gap?: unknown };
          if (message.id !== undefined) client.stored++;
          if (message.gap === true) client.gaps++;
        }
        if (typeof args.at(-1) === 'string' && args.length > 2) client.lastOffset = args.at(-1) as string;
      }
      const ack = /^43(\d+)(\[.*)$/s.exec(text);
      if (ack) acks.get(Number(ack[1]))?.((JSON.parse(ack[2]) as unknown[])[0]);
    });
  });
}

/**
 * How a lesson's clients connect and join: lessons 12 and 13 give a name in
 * `join`; lesson 14 takes the name from an account, whose cookie the client carries.
 */
export interface Dialect {
  /** socket.io-client's options for a client from `address` that joins as `name`. */
  connectOptions(url: string, address: string, name: string): Promise<object>;
  /** `join`'s payload. */
  join(name: string, room: string): object;
}

/** Lessons 12 and 13: any client may connect; the name is in the join. */
export const byName: Dialect = { connectOptions: async (_url, address) => from(address), join: (name, room) => ({ name, room }) };

/**
 * A bystander on its own address: in its own room, it sends a message every
 * 50 ms (`everyMs`) and keeps the slowest answer; every 300 ms (`joinEveryMs`)
 * a fresh connection of its own joins, and the slowest of those is kept too.
 */
export function watchBystander(lesson: RunningLesson, address: string, { everyMs = 50, joinEveryMs = 300, dialect = byName } = {}) {
  let slowestAnswer = 0;
  let slowestJoin = 0;
  const failures: string[] = [];
  let running = true;
  const time = async (what: string, run: () => Promise<unknown>) => {
    const asked = Date.now();
    const answer = (await run().catch((err: Error) => ({ ok: false, error: err.message }))) as { ok?: boolean; error?: string };
    if (answer?.ok !== true) failures.push(`${what}: ${JSON.stringify(answer)}`);
    return Date.now() - asked;
  };
  let bystander: Client | undefined;
  const options = dialect.connectOptions(lesson.url, address, 'Bystander');
  const asking = (async () => {
    bystander = await connect<Client>(lesson.url, await options);
    await bystander.timeout(2000).emitWithAck('join', dialect.join('Bystander', 'Elsewhere'));
    for (let i = 0; running; i++) {
      const took = await time('a message', () => bystander!.timeout(5000).emitWithAck('createMessage', { text: `still there? ${i}` }));
      slowestAnswer = Math.max(slowestAnswer, took);
      await pause(everyMs);
    }
  })();
  const joining = (async () => {
    await options.catch(() => {}); // a sign-up (lesson 14) is not part of a join's time
    for (let i = 0; running; i++) {
      const took = await time('a fresh join', async () => {
        const fresh = await connect<Client>(lesson.url, await options);
        try {
          return await fresh.timeout(5000).emitWithAck('join', dialect.join(`Fresh ${i}`, 'Elsewhere too'));
        } finally {
          fresh.close();
        }
      });
      slowestJoin = Math.max(slowestJoin, took);
      await pause(joinEveryMs);
    }
  })();
  return {
    /** Resolves once the bystander may connect (lesson 14: its account is signed up). */
    ready: options.then(() => {}),
    async stop() {
      running = false;
      await Promise.all([asking, joining]);
      bystander?.close();
      return { slowestAnswer, slowestJoin, failures };
    },
  };
}


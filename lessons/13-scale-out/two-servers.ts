// Lesson 13, first: the problem. Two servers of the chat, with no adapter,
// like two copies of lesson 12 behind one address. Ann is on one, Bob on the
// other, both in Lobby: Ann's message never reaches Bob, each sees only
// themselves in the room, and a name taken on one is free on the other.
//
//   npx ts-node lessons/13-scale-out/two-servers.ts
//
// It prints what happens, then leaves both servers running: open each in a
// browser window, join the same room, and see for yourself. Ctrl-C stops them.
// (Two servers in one process: each Socket.IO server keeps its rooms in an
// adapter of its own, so two processes behave the same.)
import { io, type Socket } from 'socket.io-client';
import { portFromEnv } from '../../shared/run';
import { start } from './chat';
import type { ClientToServerEvents, ServerToClientEvents } from './events';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Joins and says how it went, with the first user list the server sends. */
async function join(client: Client, name: string, room: string): Promise<string> {
  const list = new Promise<string[]>((resolve) => client.once('updateUserList', resolve));
  const reply = await client.timeout(2000).emitWithAck('join', { name, room });
  return reply.ok ? `accepted; the list it sends: ${(await list).join(', ')}` : `refused: ${reply.error}`;
}

/** Starts two servers on `ports` (0 for free ones), plays the scene with `say`; they run until `close()`. */
export async function showTheProblem(ports: [number, number], say: (line: string) => void = console.log) {
  // Each with a store of its own, in memory: nothing is shared.
  const servers = [await start({ port: ports[0], name: 'server A', dbFile: ':memory:' })];
  const clients: Client[] = [];
  const close = async () => {
    clients.forEach((client) => client.close());
    await Promise.all(servers.map((server) => server.close()));
  };
  try {
    servers.push(await start({ port: ports[1], name: 'server B', dbFile: ':memory:' }));
    const [a, b] = servers;
    say(`Two servers of the chat, with no adapter: server A on ${a.url}, server B on ${b.url}.`);
    // Node clients, as a page would connect, but over a WebSocket at once.
    const [ann, bob, cy] = [a.url, b.url, b.url].map((url) => io(url, { transports: ['websocket'], reconnection: false, forceNew: true }) as Client);
    clients.push(ann, bob, cy);
    say(`  Ann joins Lobby on server A: ${await join(ann, 'Ann', 'Lobby')}`);
    say(`  Bob joins Lobby on server B: ${await join(bob, 'Bob', 'Lobby')}`);
    const heard = new Promise<boolean>((resolve) => {
      setTimeout(() => resolve(false), 1000);
      bob.on('newMessage', (message) => message.from === 'Ann' && resolve(true));
    });
    await ann.timeout(2000).emitWithAck('createMessage', { text: 'Hello, is anyone there?' });
    say('  Ann, on server A, says "Hello, is anyone there?" to Lobby.');
    const crossed = await heard;
    say(crossed ? '  Bob, on server B, got it.' : '  Bob, on server B, got nothing within 1 s: the message did not cross.');
    say(`  Cy joins Lobby on server B as "Ann": ${await join(cy, 'Ann', 'Lobby')} (server B has never heard of the Ann on A).`);
    say('Each server keeps its rooms in its own memory. An adapter passes what one sends to the others:');
    say('npm start -- 13 runs the same chat on two workers, with one.');
    return { servers: [a, b], crossed, close };
  } catch (err) {
    await close();
    throw err;
  } finally {
    clients.forEach((client) => client.close());
  }
}

if (require.main === module) {
  const port = portFromEnv();
  showTheProblem(port === 0 ? [0, 0] : [port + 1, port + 2]).then(
    ({ servers: [a, b], close }) => {
      console.log(`\nBoth servers keep running: open ${a.url} and ${b.url} in two windows, join the same room. Ctrl-C stops them.`);
      for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => void close().then(() => process.exit(0)));
    },
    (err: NodeJS.ErrnoException & { port?: number }) => {
      console.error(err.code === 'EADDRINUSE' ? `Port ${err.port} is already in use: choose another, e.g. PORT=4000 (the servers take PORT+1 and PORT+2).` : err.message);
      process.exitCode = 1;
    },
  );
}

// npx ts-node bench/gpio-flood.ts [--clients 100] [--addresses 20] [--rate 50] [--seconds 10]
//
// Lesson 11 under a flood: CLIENTS sockets, spread over ADDRESSES loopback
// addresses (127.0.0.2, .3, …), each send gpio:17 and simulate:sensor RATE
// times a second for SECONDS. A bystander on an address of its own asks
// gpio:21 ten times a second. Three processes: the server (so its memory is
// its own), the flooders, and the bystander (so its waits are the server's,
// not those of a busy load generator). Prints what the flooders got, what the
// bystander waited, the server's memory and how much it wrote to the terminal.
import { fork } from 'node:child_process';
import { io, type Socket } from 'socket.io-client';
import { killChildrenOnExit, memory, pause, settle, startServer } from './processes';

const USAGE = 'npx ts-node bench/gpio-flood.ts [--clients 100] [--addresses 20] [--rate 50] [--seconds 10]';

interface Options {
  clients: number;
  addresses: number;
  rate: number;
  seconds: number;
}

function options(argv: string[]): Options {
  const chosen: Options = { clients: 100, addresses: 20, rate: 50, seconds: 10 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '') as keyof Options;
    const value = Number(argv[i + 1]);
    if (!(key in chosen) || !Number.isFinite(value) || value <= 0) {
      console.error(USAGE);
      process.exit(2);
    }
    chosen[key] = value;
  }
  if (chosen.addresses > 250) throw new Error('--addresses: at most 250 (127.0.0.2 to 127.0.0.251)');
  return chosen;
}

interface Tally {
  ok: number;
  refused: number;
  timedOut: number;
}

function connect(url: string, localAddress: string): Promise<Socket> {
  const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, localAddress } as never);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

/** The flooders' process: connects, says "ready", floods when told "go", and sends back its tallies. */
async function flood(url: string, { clients, addresses, rate, seconds }: Options): Promise<void> {
  process.once('disconnect', () => process.exit(0)); // the bench is gone
  const sockets = await Promise.all(Array.from({ length: clients }, (_, i) => connect(url, `127.0.0.${2 + (i % addresses)}`)));
  process.send!('ready');
  await new Promise((resolve) => process.once('message', resolve));
  const tallies = { led: { ok: 0, refused: 0, timedOut: 0 }, sensor: { ok: 0, refused: 0, timedOut: 0 } };
  const send = (socket: Socket, event: string, args: unknown[], into: Tally) =>
    socket
      .timeout(2000)
      .emitWithAck(event, ...args)
      .then(
        (reply: { ok?: boolean }) => (reply?.ok ? into.ok++ : into.refused++),
        () => into.timedOut++,
      );
  const replies: Promise<unknown>[] = [];
  let value = 0;
  const timers = sockets.map((socket) =>
    setInterval(() => {
      replies.push(send(socket, 'gpio:17', [{ value: (value ^= 1) }], tallies.led), send(socket, 'simulate:sensor', [], tallies.sensor));
    }, 1000 / rate),
  );
  await pause(seconds * 1000);
  for (const timer of timers) clearInterval(timer);
  await Promise.all(replies);
  for (const socket of sockets) socket.close();
  process.send!(tallies, () => process.disconnect());
}

const MB = 1024 * 1024;
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;

async function main(): Promise<void> {
  const chosen = options(process.argv.slice(2));
  const { clients, addresses, rate, seconds } = chosen;
  killChildrenOnExit();
  const server = await startServer(['lessons/11-pi-gpio/server.ts'], { nodeArgs: ['-r', 'ts-node/register'], env: { SIMULATE: '1' } });
  let logLines = 0;
  // Lines about connections come and go with the clients; count the others.
  server.child.stdout!.on('data', (chunk: Buffer) => (logLines += String(chunk).split('\n').filter((line) => line && !line.startsWith('client ')).length));
  const url = server.url.replace('localhost', '127.0.0.1'); // an IPv4 address, to connect from 127.0.0.N

  const flooders = fork(__filename, ['--flooders', url, JSON.stringify(chosen)], { execArgv: ['-r', 'ts-node/register'] });
  process.on('exit', () => flooders.kill());
  const message = () => new Promise<unknown>((resolve, reject) => {
    flooders.once('message', resolve);
    flooders.once('exit', (code) => reject(new Error(`the flooders' process ended (code ${code})`)));
  });
  await message(); // ready
  const bystander = await connect(url, '127.0.0.252');
  let pushes = 0;
  bystander.on('gpio:21', () => pushes++);
  await settle(server.pid);
  const before = memory(server.pid).rss;
  const linesBefore = logLines;

  const waits: number[] = [];
  const slow: string[] = []; // when the bystander waited over 500 ms
  let unanswered = 0;
  let peak = before;
  const tallies = message() as Promise<{ led: Tally; sensor: Tally }>;
  flooders.send('go');
  const began = Date.now();
  const asking = setInterval(() => {
    const asked = Date.now();
    bystander
      .timeout(2000)
      .emitWithAck('gpio:21')
      .then(
        () => {
          const waited = Date.now() - asked;
          waits.push(waited);
          if (waited > 500) slow.push(`${waited} ms at ${((asked - began) / 1000).toFixed(1)} s`);
        },
        () => unanswered++,
      );
  }, 100);
  const sampling = setInterval(() => (peak = Math.max(peak, memory(server.pid).rss)), 250);
  await pause(seconds * 1000);
  clearInterval(asking);
  const took = (Date.now() - began) / 1000;
  const { led, sensor } = await tallies;
  await pause(2500); // the last answers, and a summary line or two
  clearInterval(sampling);
  peak = Math.max(peak, memory(server.pid).rss);
  server.checkAlive();
  bystander.close();
  await server.stop();

  const perSecond = (n: number) => (n / took).toFixed(0);
  const sorted = [...waits].sort((a, b) => a - b);
  const row = (name: string, t: Tally) =>
    `${name.padEnd(16)} sent ${perSecond(t.ok + t.refused + t.timedOut).padStart(5)}/s   accepted ${perSecond(t.ok).padStart(5)}/s   refused ${perSecond(t.refused).padStart(5)}/s   unanswered in 2 s ${t.timedOut}`;
  console.log(`${clients} clients from ${addresses} addresses, each ${rate}/s, for ${took.toFixed(1)} s`);
  console.log(row('gpio:17', led));
  console.log(row('simulate:sensor', sensor));
  console.log(
    `bystander        gpio:21 answered in p50 ${percentile(sorted, 50)} ms, p99 ${percentile(sorted, 99)} ms, max ${sorted.at(-1)} ms; ` +
      `${unanswered} of ${waits.length + unanswered} unanswered in 2 s; heard ${perSecond(pushes)} sensor pushes/s`,
  );
  if (slow.length > 0) console.log(`                 waited over 500 ms: ${slow.join(', ')}`);
  console.log(`server           RSS ${(before / MB).toFixed(0)} MB before, ${(peak / MB).toFixed(0)} MB at most; ${logLines - linesBefore} log lines (${perSecond(logLines - linesBefore)}/s)`);
}

const run = process.argv[2] === '--flooders' ? flood(process.argv[3], JSON.parse(process.argv[4]) as Options) : main();
run.catch((err) => {
  console.error(err);
  process.exit(1);
});

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'expect';
import type { Socket } from 'socket.io-client';
import { WORKERS_BUSY } from '../../lessons/13-scale-out/chat';
import { start as startChat } from '../../lessons/13-scale-out/chat';
import type { ClientToServerEvents, ServerToClientEvents } from '../../lessons/13-scale-out/events';
import { start, stickyFromEnv, workersFromEnv, type ScaleOut } from '../../lessons/13-scale-out/server';
import { showTheProblem } from '../../lessons/13-scale-out/two-servers';
import { roomFull } from '../../shared/room-events';
import { closeClients, connect, notFromAdmin, pause, waitFor } from '../helpers';
import { useRedis, type RedisServer } from '../redis';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const root = path.join(__dirname, '..', '..');
const LOOSE = { burst: 100, perSecond: 100 };
const MAX_ROOM = 3;

const join = (client: Client, name: string, room: string) => client.timeout(3000).emitWithAck('join', { name, room });
const say = (client: Client, text: string) => client.timeout(3000).emitWithAck('createMessage', { text });
/** The next user list that is `names`, in that order. */
const listOf = (client: Client, names: string[], ms = 3000) =>
  waitFor(client, 'updateUserList', ms, (list) => JSON.stringify(list) === JSON.stringify(names));
/** The next message from someone (not Admin) that says `text`. */
const heard = (client: Client, text: string, ms = 3000) => waitFor(client, 'newMessage', ms, (message) => notFromAdmin(message) && message.text === text);

/** Joins, asking again while the workers are still finding out that one of them died. */
async function joinSoon(client: Client, name: string, room: string, ms = 10_000) {
  const until = Date.now() + ms;
  for (;;) {
    const reply = await join(client, name, room).catch((err: Error) => ({ ok: false as const, error: err.message }));
    if (reply.ok || Date.now() > until || (reply.error !== WORKERS_BUSY && !/taken|timed out|timeout/.test(reply.error))) return reply;
    await pause(200);
  }
}

/** One plain HTTP request, on a connection of its own (as a browser's second connection would be). */
function request(url: string, method: 'GET' | 'POST', body?: string, localAddress?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent: false, localAddress, headers: { 'content-type': 'text/plain;charset=UTF-8' } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A long-polling session by hand, from `localAddress`: the handshake, then
 * `posts` requests that send an Engine.IO no-op ("6"), each on a new
 * connection, then one that closes the session ("1"). Returns each no-op's
 * status, and the answer to the first refused one.
 */
async function pollByHand(url: string, posts: number, localAddress = '127.0.0.1'): Promise<{ statuses: number[]; refusal?: string }> {
  const handshake = await request(`${url}/socket.io/?EIO=4&transport=polling`, 'GET', undefined, localAddress);
  expect(handshake.status).toBe(200);
  const session = `${url}/socket.io/?EIO=4&transport=polling&sid=${JSON.parse(handshake.text.slice(1)).sid}`;
  const statuses: number[] = [];
  let refusal: string | undefined;
  for (let i = 0; i < posts; i++) {
    const reply = await request(session, 'POST', '6', localAddress);
    statuses.push(reply.status);
    if (reply.status !== 200) refusal ??= reply.text;
  }
  // Goodbye, to whichever worker has it (without sticky sessions, perhaps not the first time).
  for (let i = 0; i < 4 && (await request(session, 'POST', '1', localAddress)).status !== 200; i++);
  return { statuses, refusal };
}

/** Runs the lesson as `npm start -- 13` would (PORT=0), with `env`, and its store in `dir`. */
function run(env: NodeJS.ProcessEnv, dir = os.tmpdir()) {
  const child = spawn(process.execPath, ['-r', 'ts-node/register', 'lessons/13-scale-out/server.ts'], {
    cwd: root,
    env: { ...process.env, PORT: '0', DB_FILE: path.join(dir, 'chat.db'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  /** Waits until its output matches `pattern` (or it exits, or `ms` pass); resolves with what it printed. */
  const printed = async (pattern: RegExp, ms = 30_000) => {
    const until = Date.now() + ms;
    while (!pattern.test(out) && child.exitCode === null && Date.now() < until) await pause(50);
    return { out, err };
  };
  return { child, exited, printed, output: () => ({ out, err }) };
}

/** The pids of a process's children (Linux). */
const childrenOf = (pid: number) =>
  readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * `npm start -- 13` with `env`: the front and both workers print where they
 * listen, a client joins through the front with long-polling, and Ctrl-C
 * stops every process.
 */
async function runsFromTheCommandLine(env: NodeJS.ProcessEnv, adapterLine: string): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lesson13-'));
  const program = run({ WORKERS: '2', ...env }, dir);
  try {
    const { out, err } = await program.printed(/^listening on /m);
    expect(out).toContain(`messages are stored in ${path.join(dir, 'chat.db')} (one SQLite file, in WAL mode, that every worker opens)`);
    expect({ out, err }).toMatchObject({ out: expect.stringMatching(/^listening on http:\/\/localhost:\d+$/m) });
    expect(out).toMatch(/^worker 1 listening on http:\/\/localhost:\d+$/m);
    expect(out).toMatch(/^worker 2 listening on http:\/\/localhost:\d+$/m);
    expect(out).toContain(adapterLine);
    const front = /^listening on (http:\/\/localhost:\d+)$/m.exec(out)![1];
    const ann = await connect<Client>(front, { transports: ['polling'] });
    await expect(join(ann, 'Ann', 'Lobby')).resolves.toMatchObject({ ok: true });
    ann.close();
    const workers = childrenOf(program.child.pid!);
    expect(workers).toHaveLength(2);
    program.child.kill('SIGINT');
    expect(await program.exited).toBe(0);
    expect(workers.filter(alive)).toEqual([]);
  } finally {
    program.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What the classroom printed to stderr (the primary's news of its workers, and theirs). */
const errorLines: string[] = [];

/** A folder of its own for a block's message store, deleted after it. */
function useScratch(): () => string {
  let dir: string | undefined;
  before(() => void (dir = mkdtempSync(path.join(os.tmpdir(), 'lesson13-'))));
  after(() => dir && rmSync(dir, { recursive: true, force: true }));
  return () => dir!;
}

/**
 * Starts the classroom before the block's tests and closes it after them (and
 * its clients first), with a message store of its own in a scratch folder.
 */
function useClassroom(options: () => Parameters<typeof start>[0]): () => ScaleOut {
  let lesson: ScaleOut | undefined;
  const error = console.error;
  const scratch = useScratch();
  before(async function () {
    this.timeout(60_000); // two workers, each loading ts-node: a few seconds on a busy machine
    errorLines.length = 0;
    console.error = (...args: unknown[]) => void errorLines.push(args.join(' '));
    lesson = await start({
      port: 0,
      workers: 2,
      rateLimit: LOOSE,
      joinRateLimit: LOOSE,
      maxRoomSize: MAX_ROOM,
      dbFile: path.join(scratch(), 'chat.db'),
      ...options(),
    });
  });
  after(async function () {
    this.timeout(20_000);
    closeClients();
    await lesson?.close();
    console.error = error;
  });
  return () => {
    if (!lesson) throw new Error('the classroom has not started');
    return lesson;
  };
}

describe('13 scale-out', function () {
  this.timeout(20_000);

  describe('the problem: two servers with no adapter', () => {
    it('keeps each room to its own server: a message does not cross, each list shows one, a name is taken twice', async () => {
      const lines: string[] = [];
      const scene = await showTheProblem([0, 0], (line) => lines.push(line));
      await scene.close();
      expect(scene.crossed).toBe(false);
      expect(lines.join('\n')).toContain('Ann joins Lobby on server A: accepted; the list it sends: Ann');
      expect(lines.join('\n')).toContain('Bob joins Lobby on server B: accepted; the list it sends: Bob');
      expect(lines.join('\n')).toContain('got nothing within 1 s: the message did not cross');
      expect(lines.join('\n')).toContain('Cy joins Lobby on server B as "Ann": accepted');
    });
  });

  it('reads WORKERS: a whole number from 1 to 16, 2 by default', () => {
    expect(workersFromEnv({})).toBe(2);
    expect(workersFromEnv({ WORKERS: '3' })).toBe(3);
    for (const bad of ['0', '17', 'two', '1.5', '-1']) expect(() => workersFromEnv({ WORKERS: bad })).toThrow(`WORKERS must be a whole number from 1 to 16, not "${bad}"`);
  });

  it('reads STICKY: on by default, off with 0 or off', () => {
    for (const on of [undefined, '', '1', 'on', ' ON ']) expect(stickyFromEnv({ STICKY: on })).toBe(true);
    for (const off of ['0', 'off', 'OFF']) expect(stickyFromEnv({ STICKY: off })).toBe(false);
    expect(() => stickyFromEnv({ STICKY: 'maybe' })).toThrow('STICKY must be on or off (1 or 0), not "maybe"');
  });

  for (const kind of ['cluster', 'redis'] as const) {
    describe(`with the ${kind} adapter`, () => {
      const redis: () => RedisServer | undefined = kind === 'redis' ? useRedis() : () => undefined;

      describe('two workers', () => {
        const lesson = useClassroom(() => ({ redisUrl: redis()?.url }));
        const workers = () => {
          const [one, two] = lesson().workers();
          return [one, two];
        };

        it(`says which adapter it uses, and each worker listens on a port of its own`, () => {
          expect(lesson().adapter).toBe(kind);
          const [one, two] = workers();
          expect([one.index, two.index]).toEqual([1, 2]);
          expect(new Set([lesson().url, one.url, two.url]).size).toBe(3);
        });

        it('lets clients on two workers share a room: messages, notices and the user list', async () => {
          const [one, two] = workers();
          const ann = await connect<Client>(one.url);
          const bob = await connect<Client>(two.url);
          const cy = await connect<Client>(two.url);
          await expect(join(ann, 'Ann', 'Lobby 1')).resolves.toEqual({ ok: true, name: 'Ann', room: 'Lobby 1' });
          const bobHearsAnnArrive = listOf(ann, ['Ann', 'Bob']);
          const annHearsBob = waitFor(ann, 'newMessage', 3000, (message) => message.text === 'Bob has joined');
          await expect(join(bob, 'Bob', 'lobby 1')).resolves.toEqual({ ok: true, name: 'Bob', room: 'Lobby 1' }); // the first spelling, from worker 1
          await annHearsBob;
          await bobHearsAnnArrive;
          await expect(join(cy, 'Cy', 'Kitchen 1')).resolves.toMatchObject({ ok: true });

          const cySaw: unknown[] = [];
          cy.on('newMessage', (message) => notFromAdmin(message) && cySaw.push(message));
          const toBob = heard(bob, 'from worker 1');
          await expect(say(ann, 'from worker 1')).resolves.toEqual({ ok: true });
          expect(await toBob).toMatchObject({ from: 'Ann', text: 'from worker 1' });
          const toAnn = heard(ann, 'from worker 2');
          await expect(say(bob, 'from worker 2')).resolves.toEqual({ ok: true });
          expect(await toAnn).toMatchObject({ from: 'Bob', text: 'from worker 2' });

          // Bob leaves: Ann, on the other worker, hears it and gets the new list.
          const left = waitFor(ann, 'newMessage', 3000, (message) => message.text === 'Bob has left');
          const list = listOf(ann, ['Ann']);
          bob.close();
          await left;
          await list;
          await pause(100);
          expect(cySaw).toEqual([]);
        });

        it('sends every member the same list, in the order they joined, whichever worker they are on', async () => {
          const [one, two] = workers();
          const clients = [await connect<Client>(one.url), await connect<Client>(two.url), await connect<Client>(one.url)];
          const names = ['Ann', 'Bob', 'Cy'];
          const lists = clients.map((client) => listOf(client, names));
          for (const [i, client] of clients.entries()) await expect(join(client, names[i], 'Lobby 2')).resolves.toMatchObject({ ok: true });
          await Promise.all(lists);
        });

        it('refuses a name taken on one worker when it is asked for on the other, ignoring case', async () => {
          const [one, two] = workers();
          const ann = await connect<Client>(one.url);
          const impostor = await connect<Client>(two.url);
          await join(ann, 'Ann', 'Lobby 3');
          await expect(join(impostor, ' aNN ', 'lobby 3')).resolves.toEqual({ ok: false, error: 'the name "Ann" is taken in room "Lobby 3"' });
          await expect(say(impostor, 'I am Ann')).resolves.toMatchObject({ ok: false });
          // Once Ann has gone, the name is free on every worker.
          const gone = waitFor(impostor, 'updateUserList', 100).catch(() => undefined);
          ann.close();
          await gone;
          await expect(joinSoon(impostor, 'Ann', 'Lobby 3', 3000)).resolves.toMatchObject({ ok: true, name: 'Ann' });
        });

        it('counts a full room on every worker', async () => {
          const [one, two] = workers();
          const clients = [await connect<Client>(one.url), await connect<Client>(two.url), await connect<Client>(one.url)];
          for (const [i, client] of clients.entries()) await expect(join(client, `P${i}`, 'Full')).resolves.toMatchObject({ ok: true });
          const late = await connect<Client>(two.url);
          await expect(join(late, 'Late', 'Full')).resolves.toEqual({ ok: false, error: roomFull('Full', MAX_ROOM) });
        });

        it('routes each session\'s first request after the handshake to its worker, even when it comes at once (50 sessions)', async () => {
          // The race: the worker's news of a new session against the client's next request.
          const results = await Promise.all(Array.from({ length: 50 }, (_, i) => pollByHand(lesson().url, 1, `127.0.13.${i + 1}`)));
          expect(results.map(({ statuses }) => statuses[0])).toEqual(Array(50).fill(200));
        });

        it('works with long-polling through the front port: every request of a session reaches its worker', async () => {
          const { statuses } = await pollByHand(lesson().url, 6);
          expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);

          const [one] = workers();
          const poller = await connect<Client>(lesson().url, { transports: ['polling'] });
          const ann = await connect<Client>(one.url);
          await join(ann, 'Ann', 'Lobby 4');
          await expect(join(poller, 'Pat', 'Lobby 4')).resolves.toMatchObject({ ok: true });
          for (let i = 0; i < 5; i++) {
            const toPat = heard(poller, `ping ${i}`);
            await say(ann, `ping ${i}`);
            await toPat;
            const toAnn = heard(ann, `pong ${i}`);
            await say(poller, `pong ${i}`);
            await toAnn;
          }
          expect(poller.io.engine.transport.name).toBe('polling');
        });

        it('numbers every message from one store: ids grow across workers, and a newcomer on either gets the room\'s history', async () => {
          const [one, two] = workers();
          const ann = await connect<Client>(one.url);
          const bob = await connect<Client>(two.url);
          await join(ann, 'Ann', 'Lobby 8');
          await join(bob, 'Bob', 'Lobby 8');
          const ids: number[] = [];
          for (const [client, other, text] of [[ann, bob, 'one'], [bob, ann, 'two'], [ann, bob, 'three']] as const) {
            const arrival = heard(other, text);
            await expect(say(client, text)).resolves.toEqual({ ok: true });
            ids.push((await arrival).id!);
          }
          expect(ids).toEqual([...ids].sort((a, b) => a - b));
          expect(new Set(ids).size).toBe(3);
          for (const url of [one.url, two.url]) {
            const newcomer = await connect<Client>(url);
            const history: Array<[number, string]> = [];
            newcomer.on('newMessage', (message) => message.id !== undefined && history.push([message.id, message.text]));
            const last = heard(newcomer, 'three');
            await join(newcomer, `Newcomer ${url.slice(-5)}`, 'Lobby 8');
            await last;
            expect(history).toEqual([[ids[0], 'one'], [ids[1], 'two'], [ids[2], 'three']]);
            newcomer.close();
          }
        });

        it('stores a retry once when it reaches another worker than the first try (the same clientOffset)', async () => {
          const [one, two] = workers();
          const bob = await connect<Client>(one.url);
          await join(bob, 'Bob', 'Lobby 9');
          const bobSaw: string[] = [];
          bob.on('newMessage', (message) => message.from === 'Ann' && bobSaw.push(message.text));
          const ann = await connect<Client>(one.url);
          await join(ann, 'Ann', 'Lobby 9');
          const first = heard(bob, 'sent twice?');
          await expect(ann.timeout(3000).emitWithAck('createMessage', { text: 'sent twice?', clientOffset: 'ann-1' })).resolves.toEqual({ ok: true });
          await first;
          // Ann's connection drops before she hears the answer; her page reconnects to worker 2 and retries.
          ann.close();
          const again = await connect<Client>(two.url);
          await expect(joinSoon(again, 'Ann', 'Lobby 9')).resolves.toMatchObject({ ok: true });
          await expect(again.timeout(3000).emitWithAck('createMessage', { text: 'sent twice?', clientOffset: 'ann-1' })).resolves.toEqual({ ok: true });
          const after = heard(bob, 'and once more, new');
          await again.timeout(3000).emitWithAck('createMessage', { text: 'and once more, new', clientOffset: 'ann-2' });
          await after;
          expect(bobSaw).toEqual(['sent twice?', 'and once more, new']);
        });

        it('starts a worker that dies again; its clients reconnect to another worker, rejoin, and get what they missed from the store', async function () {
          this.timeout(40_000);
          // Ann keeps the id of the last message she saw in her auth, as lesson 12's page does.
          const auth = { serverOffset: 0 };
          const ann = await connect<Client>(lesson().url, { auth, reconnection: true, reconnectionDelay: 300, randomizationFactor: 0 });
          const annSaw: string[] = [];
          ann.on('newMessage', (message) => {
            if (message.id === undefined) return; // Admin's notices
            annSaw.push(message.text);
            auth.serverOffset = message.id;
          });
          const annOn = await lesson().workerOf(ann.io.engine.id);
          const other = lesson().workers().find((worker) => worker.index !== annOn.index)!;
          const bob = await connect<Client>(other.url);
          await join(ann, 'Ann', 'Lobby 5');
          await join(bob, 'Bob', 'Lobby 5');
          const before = heard(ann, 'before');
          await say(bob, 'before');
          await before;

          // Killed: no goodbye, no session saved anywhere. Bob speaks while Ann is away.
          ann.once('disconnect', () => void say(bob, 'while you were down'));
          const back = new Promise<void>((resolve) => ann.io.once('reconnect', () => resolve()));
          process.kill(annOn.pid, 'SIGKILL');
          await back;
          expect(ann.recovered).toBeFalsy(); // undefined with the cluster adapter: no recovery at all
          expect((await lesson().workerOf(ann.io.engine.id)).index).toBe(other.index);
          // The page rejoins on every connection. The dead worker's Ann is gone from every list
          // (with the cluster adapter, once the others have missed its heartbeats: 3 s). The join
          // sends what came after her serverOffset, from the store every worker shares.
          const missed = heard(ann, 'while you were down', 10_000);
          await expect(joinSoon(ann, 'Ann', 'Lobby 5')).resolves.toMatchObject({ ok: true });
          await missed;
          expect(annSaw).toEqual(['before', 'while you were down']);
          await listOf(bob, ['Bob', 'Ann'], 5000);
          const toBob = heard(bob, 'back on another worker');
          await say(ann, 'back on another worker');
          await toBob;

          const again = await lesson().restarted(annOn.index, annOn.pid, 30_000);
          expect(again.pid).not.toBe(annOn.pid);
          expect(errorLines).toContain(`worker ${annOn.index} (pid ${annOn.pid}) stopped (SIGKILL): starting another in 0.2 s`);
          const dee = await connect<Client>(again.url);
          await expect(joinSoon(dee, 'Dee', 'Lobby 5')).resolves.toMatchObject({ ok: true });
          const fromDee = heard(bob, 'on the new worker');
          await say(dee, 'on the new worker');
          await fromDee;
        });

        if (kind === 'redis') {
          it('recovers what a client missed while its worker went down, on another worker (connection state recovery)', async function () {
            this.timeout(40_000);
            const ann = await connect<Client>(lesson().url, { reconnection: true, reconnectionDelay: 500, randomizationFactor: 0 });
            const annOn = await lesson().workerOf(ann.io.engine.id);
            const other = lesson().workers().find((worker) => worker.index !== annOn.index)!;
            const bob = await connect<Client>(other.url);
            await join(ann, 'Ann', 'Lobby 6');
            await join(bob, 'Bob', 'Lobby 6');
            await listOf(ann, ['Ann', 'Bob']);

            // Ann's worker stops (SIGTERM: it closes, and Redis keeps Ann's session). Bob speaks while she is away.
            const missed = heard(ann, 'while you were away', 15_000);
            ann.once('disconnect', () => void say(bob, 'while you were away'));
            const back = new Promise<void>((resolve) => ann.once('connect', () => resolve()));
            process.kill(annOn.pid, 'SIGTERM');
            await back;
            expect(ann.recovered).toBe(true);
            await missed;
            expect((await lesson().workerOf(ann.io.engine.id)).index).toBe(other.index);
            // Recovered: still in the room under her name, without joining again.
            const toBob = heard(bob, 'and I did not rejoin');
            await expect(say(ann, 'and I did not rejoin')).resolves.toEqual({ ok: true });
            await toBob;
            await lesson().restarted(annOn.index, annOn.pid, 30_000);
          });
        }
      });

      if (kind === 'redis') {
        it('runs from the command line beside a redis-server: REDIS_URL=redis://127.0.0.1:PORT npm start -- 13', async function () {
          this.timeout(60_000);
          await runsFromTheCommandLine({ REDIS_URL: redis()!.url }, `2 workers, Redis Streams adapter (${redis()!.url}), sticky sessions on the front port`);
        });
      }
    });
  }

  describe('without sticky sessions', () => {
    const lesson = useClassroom(() => ({ sticky: false }));

    it('breaks long-polling: a request reaches a worker that never heard of the session, which answers 400', async () => {
      const [one, two] = lesson().workers();
      expect(one.url).toBe(two.url); // one port, shared by the workers
      const { statuses, refusal } = await pollByHand(lesson().url, 4);
      expect(statuses).toContain(400);
      expect(JSON.parse(refusal!)).toEqual({ code: 1, message: 'Session ID unknown' });
    });

    it('still works over WebSocket only: one connection, which stays on one worker', async () => {
      const ann = await connect<Client>(lesson().url);
      const bob = await connect<Client>(lesson().url);
      await join(ann, 'Ann', 'Lobby 7');
      await join(bob, 'Bob', 'Lobby 7');
      const toBob = heard(bob, 'websocket only');
      await say(ann, 'websocket only');
      await toBob;
    });
  });

  describe('run from the command line', () => {
    it('prints where the front and each worker listen, and Ctrl-C stops every process', async function () {
      this.timeout(60_000);
      await runsFromTheCommandLine({ REDIS_URL: '' }, '2 workers, cluster adapter (set REDIS_URL to use Redis), sticky sessions on the front port');
    });

    it('names its processes for ps and pgrep: the front, and each worker by its number, which pkill -f kills', async function () {
      this.timeout(60_000);
      const dir = mkdtempSync(path.join(os.tmpdir(), 'lesson13-'));
      const program = run({ WORKERS: '2', REDIS_URL: '' }, dir);
      const primary = String(program.child.pid);
      const args = (pid: number | string) => execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).trim();
      try {
        await program.printed(/^2 workers, cluster adapter/m);
        expect(args(primary)).toBe('front of lesson 13 (primary)');
        expect(childrenOf(Number(primary)).map(args).sort()).toEqual(['worker 1 of lesson 13', 'worker 2 of lesson 13']);
        // As the README says, with -P (children of this run's primary only): other runs may be on this machine.
        const listed = execFileSync('pgrep', ['-P', primary, '-af', 'lesson 13'], { encoding: 'utf8' }).trim().split('\n');
        expect(listed.map((line) => line.replace(/^\d+ /, '')).sort()).toEqual(['worker 1 of lesson 13', 'worker 2 of lesson 13']);
        const two = Number(execFileSync('pgrep', ['-P', primary, '-f', 'worker 2 of lesson 13'], { encoding: 'utf8' }).trim());
        expect(args(two)).toBe('worker 2 of lesson 13');
        execFileSync('pkill', ['-9', '-P', primary, '-f', 'worker 2 of lesson 13']);
        const restarted = `worker 2 (pid ${two}) stopped (SIGKILL): starting another in 0.2 s`;
        const until = Date.now() + 20_000;
        while (!(program.output().err.includes(restarted) && program.output().out.split('worker 2 listening on').length === 3) && Date.now() < until) await pause(50);
        expect(program.output().err).toContain(restarted);
        const again = childrenOf(Number(primary)).filter((pid) => pid !== two && args(pid) === 'worker 2 of lesson 13');
        expect(again).toHaveLength(1);
      } finally {
        program.child.kill('SIGINT');
        await program.exited;
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('says so when Redis cannot be reached, and stops', async function () {
      this.timeout(60_000);
      const program = run({ REDIS_URL: 'redis://127.0.0.1:1' });
      expect(await program.exited).toBe(1);
      const { err } = program.output();
      expect(err).toContain('could not reach Redis at redis://127.0.0.1:1');
      expect(err).toContain('Start redis-server, or unset REDIS_URL to use the cluster adapter');
    });

    it('refuses a message store that the workers could not share, or that cannot be written, before starting anything', async () => {
      await expect(start({ port: 0, workers: 2, dbFile: ':memory:' })).rejects.toThrow(
        'DB_FILE=:memory: keeps messages in one process\'s memory: the 2 workers could not share them. Name a file, or leave DB_FILE unset.',
      );
      const underAFile = path.join(root, 'package.json', 'chat.db'); // its folder would be a file
      await expect(start({ port: 0, workers: 2, dbFile: underAFile })).rejects.toThrow(`Could not open the message store ${underAFile}`);
    });

    it('refuses a REDIS_URL that is not one, before starting anything', async () => {
      await expect(start({ port: 0, redisUrl: 'localhost:6379' })).rejects.toThrow('REDIS_URL must start with redis://');
      await expect(start({ port: 0, redisUrl: 'not a url' })).rejects.toThrow('REDIS_URL must look like redis://127.0.0.1:6379, not "not a url"');
    });
  });

  it('starts one chat server alone, with no adapter: lesson 12 again', async () => {
    const alone = await startChat({ port: 0, dbFile: ':memory:' });
    try {
      const ann = await connect<Client>(alone.url);
      await expect(join(ann, 'Ann', 'Lobby')).resolves.toEqual({ ok: true, name: 'Ann', room: 'Lobby' });
    } finally {
      closeClients();
      await alone.close();
    }
  });
});

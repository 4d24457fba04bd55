// npm run bench -- --only sign-in   (or: npx ts-node bench/sign-in.ts [classroom size])
//
// Lesson 14's costs, on this machine:
//   1. one scrypt hash, for each of OWASP's equivalent parameter sets (the lesson uses one);
//   2. a classroom signing in at once (300 by default, each from an address of its own), on
//      lesson 14 run as `npm start -- 14` would, while a chat of 20 already runs in it: how long
//      until all are in, sign-ins per second, and the chat's round trips meanwhile (p50, p99).
// The hashes run on libuv's thread pool: the event loop, and so the chat, keeps its pace.
import { scryptSync } from 'node:crypto';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { io, type Socket } from 'socket.io-client';
import { Accounts } from '../lessons/14-sign-in/accounts';
import { hashPassword, SCRYPT_COST } from '../lessons/14-sign-in/passwords';
import { cpuSeconds, killChildrenOnExit, startServer } from './processes';

const PASSWORD = 'correct horse battery';
const OWASP_SETS = [
  { N: 2 ** 17, r: 8, p: 1 },
  { N: 2 ** 16, r: 8, p: 2 },
  { N: 2 ** 15, r: 8, p: 3 },
  { N: 2 ** 14, r: 8, p: 5 },
  { N: 2 ** 13, r: 8, p: 10 },
];

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))];
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Per hash, the median of `runs`: the wall time, and the CPU time (user + system) this process
 * spent on it. On a busy machine the wall time grows with the load; the CPU time barely does.
 */
export function hashCosts(runs = 5): Array<{ set: string; ms: number; cpuMs: number; mb: number; chosen: boolean }> {
  return OWASP_SETS.map(({ N, r, p }) => {
    const times: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      const used = process.cpuUsage();
      scryptSync(PASSWORD, 'a salt of 16 b..', 32, { N, r, p, maxmem: 256 * N * r + 2 ** 20 });
      const { user, system } = process.cpuUsage(used);
      times.push(performance.now() - started);
      cpu.push((user + system) / 1000);
    }
    const chosen = N === SCRYPT_COST.N && r === SCRYPT_COST.r && p === SCRYPT_COST.p;
    return { set: `N=2^${Math.log2(N)}, r=${r}, p=${p}`, ms: median(times), cpuMs: median(cpu), mb: (128 * N * r) / 2 ** 20, chosen };
  });
}

/** POST /signin from `localAddress`; resolves with the status and the session cookie. */
function signIn(url: string, name: string, localAddress: string): Promise<{ status: number; cookie?: string }> {
  const body = new URLSearchParams({ name, password: PASSWORD }).toString();
  return new Promise((resolve, reject) => {
    const req = request(`${url}/signin`, { method: 'POST', localAddress, agent: false, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      const cookie = res.headers['set-cookie']?.find((line) => line.startsWith('sid='))?.split(';')[0];
      res.on('end', () => resolve({ status: res.statusCode!, cookie }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function classroomSignIn(size = 300): Promise<{ seconds: number; perSecond: number; refused: number; cpuSeconds: number; chat: { before: { p50: number; p99: number }; during: { p50: number; p99: number }; count: number } }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench14-'));
  const dbFile = path.join(dir, 'sign-in.db');
  // The accounts exist already (one hash for all: the cost of a sign-in does not depend on the salt).
  const db = new Database(dbFile);
  new Accounts(db);
  const hash = await hashPassword(PASSWORD);
  const insert = db.prepare("INSERT INTO accounts (name, name_key, looks_key, role, hash) VALUES (?, ?, ?, 'student', ?)");
  const names = Array.from({ length: size + 20 }, (_, i) => `student ${i}`);
  const { nameKeyOf } = await import('../shared/users');
  const { skeleton } = await import('../shared/skeleton');
  db.transaction(() => names.forEach((name) => insert.run(name, nameKeyOf(name), skeleton(name), hash)))();
  db.close();
  const server = await startServer(['node_modules/.bin/ts-node', 'lessons/14-sign-in/server.ts'], { env: { DB_FILE: dbFile, SESSION_SECRET: 'bench', INSTRUCTOR_NAME: '', INSTRUCTOR_PASSWORD: '' } });
  const sockets: Socket[] = [];
  try {
    // A chat of 20, already running: each sends a message every 200 ms and times its acknowledgement.
    const chatters = names.slice(size);
    for (const [i, name] of chatters.entries()) {
      const { cookie } = await signIn(server.url, name, `127.0.1.${i + 1}`);
      const socket = io(server.url, { transports: ['websocket'], extraHeaders: { cookie: cookie! }, localAddress: `127.0.1.${i + 1}` } as object);
      await new Promise((resolve) => socket.once('connect', () => resolve(null)));
      await socket.emitWithAck('join', { room: 'Chatting' });
      sockets.push(socket);
    }
    let phase: 'before' | 'during' | 'after' = 'before';
    const rounds = { before: [] as number[], during: [] as number[], after: [] as number[] };
    let stop = false;
    const chatting = sockets.map(async (socket, i) => {
      await pause(i * 10);
      while (!stop) {
        const started = performance.now();
        const at = phase;
        await socket.timeout(10_000).emitWithAck('createMessage', { text: 'still chatting' });
        rounds[at].push(performance.now() - started);
        await pause(200);
      }
    });
    await pause(3000);
    phase = 'during';
    const started = performance.now();
    const cpuBefore = cpuSeconds(server.pid);
    const answers = await Promise.all(names.slice(0, size).map((name, i) => signIn(server.url, name, `127.0.${2 + Math.floor(i / 200)}.${(i % 200) + 1}`)));
    const seconds = (performance.now() - started) / 1000;
    const cpu = cpuSeconds(server.pid) - cpuBefore;
    phase = 'after';
    stop = true;
    await Promise.all(chatting);
    const stats = (values: number[]) => ({ p50: Math.round(median(values)), p99: Math.round(percentile(values, 99)) });
    return {
      seconds,
      perSecond: size / seconds,
      refused: answers.filter((answer) => answer.status !== 303).length,
      cpuSeconds: cpu,
      chat: { before: stats(rounds.before), during: stats(rounds.during), count: rounds.during.length },
    };
  } finally {
    for (const socket of sockets) socket.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The figures as lines for the terminal and the report. */
export async function signInBench(size = 300): Promise<string[]> {
  const lines = [`Lesson 14: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), load ${os.loadavg()[0].toFixed(1)}`];
  for (const { set, ms, cpuMs, mb, chosen } of hashCosts()) {
    lines.push(`  scrypt ${set}: ${cpuMs.toFixed(0)} ms of CPU a hash (${ms.toFixed(0)} ms wall), ${mb} MB${chosen ? '  <- the lesson' : ''}`);
  }
  const { seconds, perSecond, refused, cpuSeconds: cpu, chat } = await classroomSignIn(size);
  const cores = os.availableParallelism();
  lines.push(
    `  ${size} sign-ins at once: all answered in ${seconds.toFixed(1)} s (${perSecond.toFixed(1)} a second), ${refused} not 303`,
    `  the server's CPU meanwhile: ${cpu.toFixed(1)} s, ${((cpu / size) * 1000).toFixed(0)} ms a sign-in: ${(cpu / cores).toFixed(1)} s on ${cores} idle cores`,
    `  chat of 20 meanwhile: round trip p50 ${chat.during.p50} ms, p99 ${chat.during.p99} ms (${chat.count} messages; before: p50 ${chat.before.p50}, p99 ${chat.before.p99})`,
  );
  return lines;
}

if (require.main === module) {
  killChildrenOnExit();
  const size = Number(process.argv[2] ?? 300);
  signInBench(size).then(
    (lines) => {
      console.log(lines.join('\n'));
      process.exit(0);
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}

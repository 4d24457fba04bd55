// The bench's child processes: starting servers and load workers, reading
// what Linux says about them in /proc, and making sure none outlives the bench.
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FromWorker, ToWorker } from './protocol';

export const root = path.join(__dirname, '..');
const guard = path.join(__dirname, 'guard.js');

// ---------------------------------------------------------------- no orphans

const children = new Set<ChildProcess>();

/** Keeps `child` in the list that killAll() ends. */
export function track<C extends ChildProcess>(child: C): C {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Kills every child still running (SIGKILL: this is for when the bench itself is ending). */
export function killAll(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}

/** However the bench ends, its children end with it. */
export function killChildrenOnExit(): void {
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping every child process`);
      killAll();
      process.exit(130);
    });
  }
  const fail = (err: unknown) => {
    console.error(err);
    killAll();
    process.exit(1);
  };
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
}

// ---------------------------------------------------------------- servers

export interface Server {
  child: ChildProcess;
  pid: number;
  url: string;
  /** Milliseconds from spawn() to the "listening on" line on stdout. */
  startMs: number;
  /** SIGTERM, then wait for the exit (SIGKILL after `ms`). */
  stop(ms?: number): Promise<void>;
  /** Throws, saying how the server ended and what it last wrote to stderr, if it is no longer running. */
  checkAlive(): void;
}

/**
 * Runs `node [nodeArgs] -r bench/guard.js ...args` with PORT=0 and resolves
 * once it prints `listening on http://localhost:PORT`. Its output is read and
 * dropped from then on (a full pipe would stall a server that logs).
 */
export function startServer(
  args: string[],
  { nodeArgs = [] as string[], env = {} as Record<string, string>, timeoutMs = 20_000 } = {},
): Promise<Server> {
  const began = process.hrtime.bigint();
  const child = track(
    spawn(process.execPath, [...nodeArgs, '-r', guard, ...args], {
      cwd: root,
      env: { ...process.env, ...env, PORT: '0' },
      stdio: ['pipe', 'pipe', 'pipe'],
    }),
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (ms = 5000) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), ms);
      await exited;
      clearTimeout(timer);
    }
  };
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(`no "listening on" line within ${timeoutMs} ms`), timeoutMs);
    const fail = (why: string) => {
      clearTimeout(timer);
      child.stdout.removeAllListeners('data').resume();
      void stop(1000);
      const said = (err || out).trim().split('\n').slice(-3).join(' | ');
      reject(new Error(`${args.join(' ')}: ${why}${said ? `: ${said}` : ''}`));
    };
    child.stderr.on('data', (chunk: Buffer) => {
      err = (err + chunk).slice(-4000); // the latest only
    });
    const checkAlive = () => {
      if (child.exitCode === null && child.signalCode === null) return;
      const tail = (text: string) => text.trim().split('\n').slice(-4).join('\n    ');
      throw new Error(
        `${args.join(' ')} ended (${child.signalCode ?? `exit code ${child.exitCode}`}); its output ended with:\n    ${tail(out)}` +
          (err.trim() ? `\n  and its errors with:\n    ${tail(err)}` : ''),
      );
    };
    child.stdout.on('data', function onData(chunk: Buffer) {
      const at = process.hrtime.bigint();
      out += chunk;
      // At the start of a line: lesson 13's workers print "worker K listening on …" before the front's line.
      const match = /^listening on (http:\/\/\S+)/m.exec(out);
      if (!match) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.off('exit', onExit);
      child.stdout.on('data', (more: Buffer) => (out = (out + more).slice(-2000))); // keep draining
      resolve({ child, pid: child.pid!, url: match[1], startMs: Number(at - began) / 1e6, stop, checkAlive });
    });
    const onExit = (code: number | null, signal: string | null) => fail(`exited (${signal ?? `code ${code}`}) before listening`);
    child.once('exit', onExit);
  });
}

// ---------------------------------------------------------------- workers

export interface Worker {
  send(message: ToWorker): void;
  /** The next message of `type` (about `target`, if given); rejects on a worker error, its exit, or after `timeoutMs`. */
  next<T extends FromWorker['type']>(type: T, timeoutMs: number, target?: string): Promise<Extract<FromWorker, { type: T }>>;
  stop(): Promise<void>;
}

/** Forks bench/load-worker.ts (through ts-node) and resolves once it is ready. */
export async function startWorker(): Promise<Worker> {
  const child = track(
    fork(path.join(__dirname, 'load-worker.ts'), [], {
      cwd: root,
      execArgv: ['-r', 'ts-node/register'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  const inbox: FromWorker[] = [];
  const waiting = new Set<() => void>(); // every next() in progress: each looks again when something happens
  const wakeAll = () => {
    for (const wake of waiting) wake();
  };
  child.on('message', (message: FromWorker) => {
    inbox.push(message);
    wakeAll();
  });
  child.once('exit', wakeAll);
  const worker: Worker = {
    send: (message) => child.send(message),
    async next(type, timeoutMs, target) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const i = inbox.findIndex((message) => (message.type === type && (target === undefined || message.target === target)) || message.type === 'error');
        if (i >= 0) {
          const [message] = inbox.splice(i, 1);
          if (message.type === 'error') throw new Error(`load worker: ${message.message}`);
          return message as never;
        }
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`load worker exited while the bench waited for "${type}"`);
        const left = until - Date.now();
        if (left <= 0) throw new Error(`load worker: no "${type}" within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(timer);
            waiting.delete(wake);
            resolve();
          };
          const timer = setTimeout(wake, left);
          waiting.add(wake);
        });
      }
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.disconnect(); // the worker exits when its channel closes
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
  await worker.next('ready', 30_000);
  return worker;
}

// ---------------------------------------------------------------- /proc

const ticksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** The process and every process under it (lesson 13's primary and its workers), from /proc/PID/task/TID/children. */
export function processTree(pid: number): number[] {
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) {
    let children: number[] = [];
    try {
      children = readdirSync(`/proc/${tree[i]}/task`).flatMap((tid) =>
        readFileSync(`/proc/${tree[i]}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
      );
    } catch {
      // it has just ended
    }
    tree.push(...children.filter((child) => !tree.includes(child)));
  }
  return tree;
}

/**
 * CPU seconds (user + system) the process and those under it have used so
 * far, from /proc/PID/stat: their utime and stime, and the cutime and cstime
 * of the children that already ended.
 */
export function cpuSeconds(pid: number): number {
  let ticks = 0;
  for (const member of processTree(pid)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${member}/stat`, 'utf8');
    } catch {
      if (member === pid) throw new Error(`process ${pid} is gone`);
      continue;
    }
    // Fields after "(comm)": state is field 3, utime 14, stime 15, cutime 16, cstime 17.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  }
  return ticks / ticksPerSecond;
}

/**
 * Resident memory now and at its peak (VmRSS, VmHWM), in bytes, from
 * /proc/PID/status: summed over the process and those under it (the peaks
 * of several processes need not come at once: their sum is an upper bound).
 */
export function memory(pid: number): { rss: number; peak: number } {
  let rss = 0;
  let peak = 0;
  for (const member of processTree(pid)) {
    let status: string;
    try {
      status = readFileSync(`/proc/${member}/status`, 'utf8');
    } catch {
      if (member === pid) throw new Error(`process ${pid} is gone`);
      continue;
    }
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    rss += kb('VmRSS');
    peak += kb('VmHWM');
  }
  return { rss, peak };
}

/** Bytes the process has passed to write()/writev() (sockets and pipes included), from /proc/PID/io. */
export function bytesWritten(pid: number): number {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  return Number(/^wchar:\s+(\d+)/m.exec(io)?.[1] ?? NaN);
}

/**
 * Waits until the process has settled: at most one clock tick (10 ms) of CPU
 * in `quietMs` (Socket.IO's pings to idle clients cost a little). At most `maxMs`.
 */
export async function settle(pid: number, { quietMs = 300, maxMs = 15_000 } = {}): Promise<void> {
  const until = Date.now() + maxMs;
  let last = cpuSeconds(pid);
  while (Date.now() < until) {
    await pause(quietMs);
    const now = cpuSeconds(pid);
    if (now - last <= 1.5 / ticksPerSecond) return;
    last = now;
  }
}

export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

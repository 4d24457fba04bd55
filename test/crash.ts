// One failure per crash. A lesson's handler that throws would end the server
// (`npm start` stops, everyone is disconnected). In the tests the lesson runs
// inside mocha, where the same error used to fail the test that was running,
// then, as that test went on against a half-dead server, fail it again
// ("done() called multiple times"), then fail the next tests and a hook as
// each tripped on the same bug.
//
// Here (installed by test/setup.ts), the first throw of a lesson's handler:
//   - fails the test (or hook) that was running, once, with an error that
//     names the event, the error and where it was thrown;
//   - disconnects that lesson's clients, as the end of the server would;
//   - and skips the rest of that top-level block: its tests would only meet
//     the same crash. Other blocks, and other lessons, run as usual.
// Later throws of that lesson are dropped: it has already crashed.
// (A throw in a lesson's timer is not a handler's: mocha reports it as before.)
import path from 'node:path';
import type { Runnable, Runner, Suite, Test } from 'mocha';
import { Socket } from 'socket.io';
import { show } from './checks/check';

const root = path.join(__dirname, '..');

/** "TypeError: x is not a function (lessons/03-acknowledgements/server.ts:40)": one line, no stack. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const where = (err.stack ?? '')
    .split('\n')
    .map((line) => line.match(/\(?([^\s()]+):(\d+):\d+\)?$/))
    .find((found) => found && /[/\\](lessons|shared)[/\\]/.test(found[1]) && !found[1].includes('node_modules'));
  const place = where ? ` (${path.relative(root, where[1])}:${where[2]})` : '';
  return `${err.name}: ${err.message.split('\n')[0]}${place}`;
}

/** What a lesson's crash fails the test with. */
export class LessonCrash extends Error {
  /** `given`: what the client sent with the event, when it is a client's event. */
  constructor(
    readonly event: string,
    readonly original: unknown,
    given?: unknown[],
  ) {
    const sent = given ? ` when sent ${show(given.filter((arg) => typeof arg !== 'function'))}` : '';
    super(`the server crashed: ${event} threw ${describeError(original)}${sent}`);
    this.name = 'LessonCrash';
    const frames = original instanceof Error ? (original.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line) && !line.includes(__filename)) : [];
    this.stack = [
      `${this.name}: ${this.message}`,
      '  (npm start would stop here, disconnecting everyone; the rest of this block is skipped)',
      ...frames,
    ].join('\n');
  }
}

/** The Socket.IO servers that crashed: each is reported once. */
const crashedServers = new WeakSet<object>();
/** The top-level blocks a crash stopped, and the tests and hooks it failed. */
const crashedBlocks = new WeakSet<Suite>();
const failedByCrash = new WeakSet<Runnable>();

/** The server a Socket.IO socket or namespace belongs to, or undefined for anything else. */
function serverOf(emitter: unknown): { disconnectSockets(close?: boolean): void } | undefined {
  const target = emitter as { nsp?: { server?: unknown }; server?: unknown; sockets?: unknown };
  const server = (target.nsp?.server ?? (target.sockets instanceof Map ? target.server : undefined)) as
    | { disconnectSockets(close?: boolean): void }
    | undefined;
  return typeof server?.disconnectSockets === 'function' ? server : undefined;
}

/** "its "shout" handler", "its connection handler": which listener it was. */
function describeListener(event: unknown): string {
  if (['connection', 'connect', 'disconnect', 'disconnecting'].includes(String(event))) return `its ${String(event)} handler`;
  return `its "${String(event)}" handler`;
}

/**
 * Wraps Socket.IO's server-side event emitters (a socket's `socket.on(…)`
 * handlers, `onAny` listeners, and the namespace's connection handlers) so
 * that a throw in one becomes a LessonCrash, once per server.
 */
let catching = false;
export function catchHandlerThrows(): void {
  if (catching) return; // wrapped once, whoever asks (mocha's setup, npm run check)
  catching = true;
  // Socket.IO's StrictEventEmitter, which its Socket and Namespace extend (the package does not export it).
  const proto = Object.getPrototypeOf(Socket.prototype) as Record<string, (...args: unknown[]) => unknown>;
  for (const method of ['emitUntyped', 'emitReserved']) {
    const original = proto[method];
    proto[method] = function (this: unknown, event: unknown, ...args: unknown[]) {
      try {
        return original.call(this, event, ...args);
      } catch (err) {
        // emitUntyped runs a client's event: its arguments are what the client sent.
        const crash = crashOf(this, event, err, method === 'emitUntyped' ? args : undefined);
        if (crash === DROPPED) return false;
        throw crash;
      }
    };
  }
  // onAny listeners run as the packet arrives, before the socket's own handlers.
  const socketProto = Socket.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const onevent = socketProto.onevent;
  socketProto.onevent = function (this: unknown, packet: unknown) {
    try {
      return onevent.call(this, packet);
    } catch (err) {
      const [event, ...given] = (packet as { data?: unknown[] })?.data ?? [];
      const crash = crashOf(this, event, err, given);
      if (crash === DROPPED) return undefined;
      throw crash;
    }
  };
}

const DROPPED = Symbol('dropped');

/** What to throw instead of `err`: a LessonCrash, or DROPPED for a server that has already crashed. */
function crashOf(emitter: unknown, event: unknown, err: unknown, given?: unknown[]): unknown {
  if (err instanceof LessonCrash) return err; // already wrapped, deeper down
  const server = serverOf(emitter);
  if (!server) return err; // not a lesson's socket: leave it as it was
  if (crashedServers.has(server)) return DROPPED;
  crashedServers.add(server);
  server.disconnectSockets(true); // what the end of the process would do to every client
  return new LessonCrash(describeListener(event), err, given);
}

const topBlock = (runnable: Runnable | Suite): Suite | undefined => {
  let suite: Suite | undefined = 'parent' in runnable ? runnable.parent : undefined;
  while (suite?.parent && !suite.parent.root) suite = suite.parent;
  return suite && !suite.root ? suite : undefined;
};

/**
 * Mocha's side: a LessonCrash fails the running test (mocha's handler of
 * uncaught exceptions hands it over); what that test does afterwards (it
 * ends later, with "socket has been disconnected") is not another failure.
 */
function reportOnce(RunnerClass: typeof Runner): void {
  const proto = RunnerClass.prototype as unknown as { fail(test: Runnable, err: unknown, force?: boolean): void };
  const fail = proto.fail;
  proto.fail = function (this: Runner, test, err, force) {
    if (failedByCrash.has(test)) return; // its own end, after the crash failed it
    if (err instanceof LessonCrash) {
      failedByCrash.add(test);
      const block = topBlock(test);
      if (block) crashedBlocks.add(block);
    }
    return fail.call(this, test, err, force);
  };
}

/** For a root beforeEach hook: skips a test whose block a crash has stopped. */
export function skipIfCrashed(context: Mocha.Context): void {
  const test = context.currentTest as Test | undefined;
  const block = test && topBlock(test);
  if (block && crashedBlocks.has(block)) context.skip();
}

export function installCrashReports(RunnerClass: typeof Runner): void {
  catchHandlerThrows();
  reportOnce(RunnerClass);
}

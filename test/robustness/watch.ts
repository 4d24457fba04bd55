// What the robustness tests watch while a hostile client does its worst.
import type { Socket } from 'socket.io-client';
import type { RunningLesson } from '../../shared/run';

/** Records every event a bystander receives, except the ambient ones and any `ignored`. */
export function recordEvents(
  client: Socket,
  ambient: string[],
  ignored: (event: string, args: unknown[]) => boolean = () => false,
): Array<[string, unknown[]]> {
  const seen: Array<[string, unknown[]]> = [];
  client.onAny((event: string, ...args: unknown[]) => {
    if (!ambient.includes(event) && !ignored(event, args)) seen.push([event, args]);
  });
  return seen;
}

/**
 * How soon a bystander must be answered while, or after, a hostile client
 * does its worst. A server stuck behind a flood takes seconds (the freeze of
 * unread clients took 30 s); a healthy one on a CI machine running three
 * proofs at once on two cores has been seen to take over 100 ms.
 */
export const QUICK_MS = 1000;

/** The numbers that must come back to where they were once a client leaves. */
export function snapshot(lesson: RunningLesson) {
  const io = lesson.io!;
  return {
    sockets: io.of('/').sockets.size,
    rooms: [...io.of('/').adapter.rooms.keys()].filter((room) => !io.of('/').sockets.has(room)).sort(),
    engineClients: io.engine.clientsCount,
    timers: process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length,
    processListeners: ['uncaughtException', 'unhandledRejection', 'SIGINT', 'SIGTERM'].map((e) => process.listenerCount(e)),
  };
}

type Snapshot = ReturnType<typeof snapshot>;

/**
 * What has grown since `before`. Timers are counted for the whole process,
 * where timers of earlier tests may end meanwhile: fewer is fine, more is not.
 */
export function leftBehind(now: Snapshot, before: Snapshot): Partial<Snapshot> {
  const grown: Partial<Snapshot> = {};
  if (now.timers > before.timers) grown.timers = now.timers;
  for (const key of ['sockets', 'rooms', 'engineClients', 'processListeners'] as const) {
    if (JSON.stringify(now[key]) !== JSON.stringify(before[key])) Object.assign(grown, { [key]: now[key] });
  }
  return grown;
}

/** Reads until nothing is left behind compared with `before`, or `ms` run out; returns what is. */
export async function settle(lesson: RunningLesson, before: Snapshot, ms = 3000): Promise<Partial<Snapshot>> {
  const until = Date.now() + ms;
  let left = leftBehind(snapshot(lesson), before);
  while (Object.keys(left).length > 0 && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Read outside the timer's callback: until it returns, it counts as active.
    await new Promise((resolve) => setImmediate(resolve));
    left = leftBehind(snapshot(lesson), before);
  }
  return left;
}

/** Collects uncaught exceptions and unhandled rejections while a block runs. */
export function catchProcessErrors(): { errors: unknown[]; stop(): void } {
  const errors: unknown[] = [];
  const onError = (err: unknown) => errors.push(err);
  process.on('unhandledRejection', onError);
  process.on('uncaughtException', onError);
  return {
    errors,
    stop() {
      process.off('unhandledRejection', onError);
      process.off('uncaughtException', onError);
    },
  };
}

/** Events Socket.IO itself emits on a socket: not a client's to send. */
const RESERVED = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'error', 'newListener', 'removeListener']);

/** The events the server listens for on `client`'s socket (its `socket.on(...)` handlers). */
export function listenedEvents(lesson: RunningLesson, client: Socket): string[] {
  const socket = lesson.io!.of('/').sockets.get(client.id!);
  if (!socket) throw new Error('the client has no socket on the server');
  return socket.eventNames().filter((name): name is string => typeof name === 'string' && !RESERVED.has(name));
}

/**
 * Waits until `client` has heard nothing but `ambient` events for `ms` (3 s
 * at most): the notices and the user list that an arrival sends (the list
 * held up to 100 ms), which a busy machine delivers later than a fixed pause.
 */
export async function quiet(client: Socket, ambient: string[], ms = 200, maxMs = 3000): Promise<void> {
  let last = Date.now();
  const heard = (event: string) => {
    if (!ambient.includes(event)) last = Date.now();
  };
  client.onAny(heard);
  const until = Date.now() + maxMs;
  try {
    while (Date.now() - last < ms && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    client.offAny(heard);
  }
}

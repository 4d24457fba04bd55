// What the robustness tests watch while a hostile client does its worst.
import type { Socket } from 'socket.io-client';
import type { RunningLesson } from '../../shared/run';

/** Records every event a bystander receives, except the ambient ones. */
export function recordEvents(client: Socket, ambient: string[]): Array<[string, unknown[]]> {
  const seen: Array<[string, unknown[]]> = [];
  client.onAny((event: string, ...args: unknown[]) => {
    if (!ambient.includes(event)) seen.push([event, args]);
  });
  return seen;
}

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

/** Reads until the value equals `expected` or `ms` run out, and returns the last reading. */
export async function settle<T>(read: () => T, expected: T, ms = 1000): Promise<T> {
  const until = Date.now() + ms;
  let value = read();
  while (JSON.stringify(value) !== JSON.stringify(expected) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Read outside the timer's callback: until it returns, it counts as active.
    await new Promise((resolve) => setImmediate(resolve));
    value = read();
  }
  return value;
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

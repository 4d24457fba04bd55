// The numbers a lesson runs with, in one place. The defaults suit a
// classroom; MAX_ROOM_SIZE comes from the environment; the tests pass smaller
// ones to `start(options)`. A lesson reads what it needs in one line:
//
//   const { rateLimit, maxRoomSize } = settings(options);
//
// Lessons 11, 12 and 13 add their own in their folder's settings.ts.
import { CHAT_RATE_LIMIT, type RateLimitOptions } from './rate-limit';
import { roomSizeFromEnv } from './room-events';

export interface Settings {
  /** The port to listen on. 0 picks a free one (the tests use that). */
  port: number;
  /** Lessons 01-02: milliseconds between two dates. */
  intervalMs: number;
  /** Lessons 04-13: how many messages a socket may send (shared/rate-limit.ts). */
  rateLimit: RateLimitOptions;
  /** Lessons 10-13: how often a socket may join or switch rooms. Each switch tells two rooms. */
  joinRateLimit: RateLimitOptions;
  /** Lessons 09-13: the most people in a room (MAX_ROOM_SIZE from the environment, or 500). */
  maxRoomSize: number;
}

/** What `start` takes: any of the settings; the rest are the defaults. */
export type StartOptions = Partial<Settings>;

export const JOIN_RATE_LIMIT: RateLimitOptions = { burst: 5, perSecond: 1 };

/** The settings, with a default for each one `options` leaves out. */
export function settings(options: StartOptions = {}): Settings {
  return {
    port: 0,
    intervalMs: 1000,
    rateLimit: CHAT_RATE_LIMIT,
    joinRateLimit: JOIN_RATE_LIMIT,
    maxRoomSize: options.maxRoomSize ?? roomSizeFromEnv(),
    ...withoutUndefined(options),
  };
}

/** `{ port: undefined }` means "the default", not "no port". */
function withoutUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}

// Lesson 13's knobs, beside every lesson's (shared/settings.ts). The primary
// reads WORKERS, REDIS_URL and STICKY; each worker's chat gets the rest.
import path from 'node:path';
import type { ServerOptions } from 'socket.io';
import { dbFileFromEnv, syncFromEnv, type Sync } from '../../shared/delivery-store';
import { settings, type Settings } from '../../shared/settings';

/** A connection that drops for up to a minute is recovered (with Redis); after that, the store takes over. */
export const RECOVERY_MS = 60_000;
/** The most messages sent at once to a page: missed ones after a rejoin, or packets after a recovery. */
export const MAX_CATCH_UP = 500;
/** Lesson 12 could answer a join at once; now a join asks every worker, which takes a round trip. */
export const ASK_WORKERS_MS = 2000;

export interface ChatSettings extends Settings {
  /** The SQLite file every worker shares: DB_FILE from the environment, or data/chat.db. */
  dbFile: string;
  /** NORMAL (survives a crash of the server) or FULL (survives a power cut too): DB_SYNC, or NORMAL. */
  dbSync: Sync;
  /** The most messages the store keeps per room (default 500). */
  maxStoredPerRoom: number;
  /** How long a dropped connection may stay away and still be recovered, in ms. */
  recoveryMs: number;
  /** How long a question to every worker may take before the join gives up, in ms. */
  askWorkersMs: number;
  /** How this server hears the others (adapters.ts). None: this process is the whole classroom. */
  adapter?: ServerOptions['adapter'];
  /** Connection state recovery (lesson 12): only with an adapter that keeps sessions for every server (Redis). Default: on alone, off with an adapter. */
  recovery: boolean;
  /** Listen on the port the cluster's workers share, not one of its own: only to show why sticky sessions matter. */
  sharedPort: boolean;
  /** What the logs call this process, e.g. "worker 2". */
  name: string;
  /** Runs once the server has closed (say, to close the Redis client). */
  onClose?: () => Promise<void>;
}
export type ChatOptions = Partial<ChatSettings>;

export function chatSettings(options: ChatOptions = {}): ChatSettings {
  const { adapter, onClose, ...rest } = options;
  return {
    dbFile: dbFileFromEnv(path.join(__dirname, 'data', 'chat.db')),
    dbSync: syncFromEnv(),
    maxStoredPerRoom: 500,
    recoveryMs: RECOVERY_MS,
    askWorkersMs: ASK_WORKERS_MS,
    recovery: adapter === undefined,
    sharedPort: false,
    name: 'server',
    ...settings(rest),
    adapter,
    onClose,
  };
}

/** The chat's settings a primary passes on to its workers (JSON in the environment: no functions). */
export type WorkerOptions = Partial<Pick<ChatSettings, 'rateLimit' | 'joinRateLimit' | 'maxRoomSize' | 'askWorkersMs' | 'dbFile' | 'dbSync' | 'maxStoredPerRoom' | 'recoveryMs'>>;

export interface ScaleOutOptions extends WorkerOptions {
  port?: number;
  /** How many workers (default WORKERS from the environment, or 2). */
  workers?: number;
  /** Redis, for the Redis Streams adapter (default REDIS_URL from the environment; none: the cluster adapter). */
  redisUrl?: string;
  /** Sticky sessions on the front port (default STICKY, or on). false: the workers share the port: only to show the problem. */
  sticky?: boolean;
}

/** WORKERS from the environment: a whole number from 1 to 16, default 2. */
export function workersFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.WORKERS ?? '';
  if (text === '') return 2;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 16) throw new Error(`WORKERS must be a whole number from 1 to 16, not "${text}"`);
  return Number(text);
}

/** STICKY from the environment: on (the default, or 1), or off (0), to see what breaks without sticky sessions. */
export function stickyFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const text = (env.STICKY ?? '').trim().toLowerCase();
  if (text === '' || text === '1' || text === 'on') return true;
  if (text === '0' || text === 'off') return false;
  throw new Error(`STICKY must be on or off (1 or 0), not "${env.STICKY}"`);
}

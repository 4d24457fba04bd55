// Lesson 13's knobs, beside every lesson's (shared/settings.ts). The primary
// reads WORKERS, REDIS_URL and STICKY; each worker's chat gets the rest.
import path from 'node:path';
import type { ServerOptions } from 'socket.io';
import { dbFileFromEnv, syncFromEnv, type Sync } from '../../shared/delivery-store';
import { settings, type Settings } from '../../shared/settings';

/** A connection that drops for up to a minute is recovered (with Redis); after that, the store takes over. */
export const RECOVERY_MS = 60_000;
/** The most messages sent at once to a page: missed ones after a rejoin, or packets after a recovery (lesson 12's). */
export const MAX_CATCH_UP = 1_000;
/** Lesson 12 could answer a join at once; now a join asks every worker, which takes a round trip. */
export const ASK_WORKERS_MS = 2000;

export interface ChatSettings extends Settings {
  dbFile: string; // the SQLite file every worker shares: DB_FILE, or data/chat.db
  dbSync: Sync; // DB_SYNC: NORMAL (survives a crash of the server) or FULL (a power cut too)
  maxStoredPerRoom: number;
  recoveryMs: number;
  askWorkersMs: number; // how long a question to every worker may take before a join gives up
  /** How this server hears the others (adapters.ts). None: this process is the whole classroom. */
  adapter?: ServerOptions['adapter'];
  /** Connection state recovery (lesson 12): only with an adapter that keeps sessions for every server (Redis). Default: on alone. */
  recovery: boolean;
  /** Listen on the port the cluster's workers share, not one of its own: only to show why sticky sessions matter. */
  sharedPort: boolean;
  name: string; // what the logs call this process, e.g. "worker 2"
  onClose?: () => Promise<void>; // runs once the server has closed (say, to close the Redis client)
}
export type ChatOptions = Partial<ChatSettings>;

export function chatSettings({ adapter, onClose, ...options }: ChatOptions = {}): ChatSettings {
  const dbFile = dbFileFromEnv(path.join(__dirname, 'data', 'chat.db'));
  const defaults = { dbFile, dbSync: syncFromEnv(), maxStoredPerRoom: 500, recoveryMs: RECOVERY_MS, askWorkersMs: ASK_WORKERS_MS };
  return { ...defaults, recovery: adapter === undefined, sharedPort: false, name: 'server', ...settings(options), adapter, onClose };
}

/** The chat's settings a primary passes on to its workers (JSON in the environment: no functions). */
export type WorkerOptions = Partial<Omit<ChatSettings, 'port' | 'intervalMs' | 'adapter' | 'recovery' | 'sharedPort' | 'name' | 'onClose'>>;

export interface ScaleOutOptions extends WorkerOptions {
  port?: number;
  workers?: number; // WORKERS, or 2
  redisUrl?: string; // REDIS_URL: the Redis Streams adapter; none: the cluster adapter
  /** STICKY, or on. false: the workers share the port: only to show the problem. */
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

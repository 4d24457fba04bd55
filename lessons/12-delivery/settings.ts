// The numbers lesson 12 runs with: the shared ones (shared/settings.ts), and
// those of its store, its recovery and its catch-up. DB_FILE and DB_SYNC come
// from the environment; the tests pass their own to `start(options)`:
//
//   start({ port: 0, dbFile: ':memory:', recoveryMs: 500 })
import path from 'node:path';
import type { RateLimitOptions } from '../../shared/rate-limit';
import { settings as shared, type Settings } from '../../shared/settings';
import { CATCH_UP_BUDGET } from './catch-up';
import { RECOVERY_MS, RECOVERY_RATE_LIMIT } from './recovery';
import { MAX_STORED_PER_ROOM, type Sync } from './store';

export interface DeliverySettings extends Settings {
  /** The SQLite file: DB_FILE from the environment, or data/chat.db. ":memory:" keeps nothing (the tests use it). */
  dbFile: string;
  /** NORMAL (survives a crash of the server) or FULL (survives a power cut too): DB_SYNC, or NORMAL. */
  dbSync: Sync;
  /** The most messages the store keeps per room (500), beyond those younger than keepStoredMs. */
  maxStoredPerRoom: number;
  /** However many a room gets, the store keeps every message younger than this, in ms (twice recoveryMs). */
  keepStoredMs: number;
  /** How long a dropped connection may stay away and still be recovered, in ms (1 minute). */
  recoveryMs: number;
  /** How often one address may recover a connection (recovery.ts). */
  recoveryRateLimit: RateLimitOptions;
  /** How many bytes of stored messages one address may be sent when it joins, at once and per second (catch-up.ts). */
  catchUpBudget: RateLimitOptions;
}

/** What `start` takes: any of the settings; the rest are the defaults. */
export type DeliveryOptions = Partial<DeliverySettings>;

/** The settings, with a default for each one `options` leaves out. */
export function settings(options: DeliveryOptions = {}): DeliverySettings {
  const recoveryMs = options.recoveryMs ?? RECOVERY_MS;
  return {
    dbFile: options.dbFile ?? dbFileFromEnv(),
    dbSync: options.dbSync ?? syncFromEnv(),
    maxStoredPerRoom: MAX_STORED_PER_ROOM,
    keepStoredMs: 2 * recoveryMs,
    recoveryRateLimit: RECOVERY_RATE_LIMIT,
    catchUpBudget: CATCH_UP_BUDGET,
    ...(shared(options) as DeliveryOptions & Settings), // the shared defaults, then what `options` says
    recoveryMs,
  };
}

/** The default file: under the lesson's own data/ folder, which git ignores. */
export const DEFAULT_DB_FILE = path.join(__dirname, 'data', 'chat.db');

/** Which file DB_FILE names (relative to where you started), or the default. */
export function dbFileFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.DB_FILE || DEFAULT_DB_FILE;
}

/** DB_SYNC=FULL or NORMAL (the default). */
export function syncFromEnv(env: NodeJS.ProcessEnv = process.env): Sync {
  const text = (env.DB_SYNC ?? '').toUpperCase();
  if (text === '' || text === 'NORMAL') return 'NORMAL';
  if (text === 'FULL') return 'FULL';
  throw new Error(`DB_SYNC must be NORMAL or FULL, not "${env.DB_SYNC}"`);
}

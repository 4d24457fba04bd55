// Lesson 14's own settings, beside the workbook's (shared/settings.ts).
// Each comes from the environment when you run the lesson; the tests pass
// theirs to `start(options)`.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { settings as shared, type Settings } from '../../shared/settings';
import { SCRYPT_COST, type ScryptCost } from './passwords';
import { SIGN_IN_LIMITS, type SignInLimitOptions } from './sign-in-limits';

export interface SignInSettings extends Settings {
  /** The SQLite file (DB_FILE, default data/sign-in.db). ":memory:" keeps nothing (the tests). */
  dbFile: string;
  /** INSTRUCTOR_NAME and INSTRUCTOR_PASSWORD: that account is the instructor, made or updated at start. */
  instructor: { name: string; password: string } | undefined;
  /** SIGNUP_CODE: when set, signing up needs it. */
  signupCode: string | undefined;
  /** SESSION_IDLE_MINUTES (default 120): a session unused this long ends. */
  sessionIdleMs: number;
  /** SESSION_SECRET, or one made once and kept beside the database. */
  sessionSecret: string;
  /** Wrong passwords allowed per name, address and device (sign-in-limits.ts). */
  signInLimits: SignInLimitOptions;
  /** Sign-ups per address: a burst, then so many a second. */
  signUpRateLimit: { burst: number; perSecond: number };
  /** scrypt's cost for new password hashes (passwords.ts). The tests pass a cheap one, to sign up hundreds quickly. */
  passwordCost: ScryptCost;
}

export type StartOptions = Partial<SignInSettings>;

export const DEFAULT_DB_FILE = path.join(__dirname, 'data', 'sign-in.db');

export function settings(options: StartOptions = {}, env: NodeJS.ProcessEnv = process.env): SignInSettings {
  const dbFile = options.dbFile ?? (env.DB_FILE || DEFAULT_DB_FILE);
  const idle = env.SESSION_IDLE_MINUTES ?? '120';
  if (!/^\d+$/.test(idle) || Number(idle) < 1) throw new Error(`SESSION_IDLE_MINUTES must be a whole number above 0, not "${idle}"`);
  const { INSTRUCTOR_NAME: name, INSTRUCTOR_PASSWORD: password } = env;
  if (Boolean(name) !== Boolean(password)) throw new Error('set both INSTRUCTOR_NAME and INSTRUCTOR_PASSWORD, or neither');
  return {
    dbFile,
    instructor: name && password ? { name, password } : undefined,
    signupCode: env.SIGNUP_CODE || undefined,
    sessionIdleMs: Number(idle) * 60_000,
    sessionSecret: options.sessionSecret ?? sessionSecret(dbFile, env),
    signInLimits: SIGN_IN_LIMITS,
    signUpRateLimit: { burst: 30, perSecond: 1 },
    passwordCost: SCRYPT_COST,
    ...shared(options), // the workbook's settings, then whatever `options` gives
  };
}

/** SESSION_SECRET, or the one kept beside the database (made on first start): a restart keeps every cookie valid. */
function sessionSecret(dbFile: string, env: NodeJS.ProcessEnv): string {
  if (env.SESSION_SECRET) return env.SESSION_SECRET;
  if (dbFile === ':memory:') return randomBytes(32).toString('base64url');
  const file = path.join(path.dirname(path.resolve(dbFile)), 'session-secret');
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
  }
  return readFileSync(file, 'utf8').trim();
}

// Passwords, stored as a salted scrypt hash (node:crypto), never as themselves.
//
// A stored password is one self-describing string:
//   scrypt$N=8192,r=8,p=10$<salt, base64>$<hash, base64>
// so the cost can be raised later: an old hash still says how it was made.
//
// scrypt runs on libuv's thread pool (the async `crypto.scrypt`), never on the
// event loop: while 300 students sign in, the chat keeps its pace. At most
// `parallel` hashes run at once (one per core); the others wait their turn.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { availableParallelism } from 'node:os';

export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

/**
 * One of OWASP's equivalent sets, "N=2^13, r=8, p=10": 8 MB of memory per
 * hash instead of the 128 MB of their first choice (2^17, 8, 1), and less
 * time on this machine (README: "Why this cost").
 */
export const SCRYPT_COST: ScryptCost = { N: 2 ** 13, r: 8, p: 10 };

const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

/** Hashes running now, and those waiting for a free core. */
let running = 0;
const waiting: Array<() => void> = [];
const parallel = Math.max(1, availableParallelism());

function derive(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  const options: ScryptOptions = { ...cost, maxmem: 256 * cost.N * cost.r + 1024 * 1024 };
  return new Promise<void>((resolve) => {
    if (running < parallel) {
      running++;
      resolve();
    } else waiting.push(resolve); // the slot is handed over by the hash that ends
  }).then(
    () =>
      new Promise<Buffer>((resolve, reject) => {
        scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options, (err, key) => {
          const next = waiting.shift();
          if (next) next();
          else running--;
          if (err) reject(err);
          else resolve(key);
        });
      }),
  );
}

/** How many hashes wait for a core: a flood of sign-ins shows here first. */
export const hashesWaiting = () => waiting.length;

/** The string to store for `password`: its cost, a fresh random salt, and the hash. */
export async function hashPassword(password: string, cost: ScryptCost = SCRYPT_COST): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const hash = await derive(password, salt, cost);
  return `scrypt$N=${cost.N},r=${cost.r},p=${cost.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** True when `password` is the one `stored` was made from. Compared in constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = /^scrypt\$N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(stored);
  if (!parts) return false;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  const expected = Buffer.from(parts[5], 'base64');
  const actual = await derive(password, Buffer.from(parts[4], 'base64'), { N, r, p });
  // timingSafeEqual takes as long whichever byte differs first: no hint from the clock.
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * A hash of no one's password. A sign-in for a name that has no account is
 * checked against it, so it costs as long as a wrong password: the clock does
 * not tell who has an account.
 */
const decoys = new Map<string, Promise<string>>();
export function decoyHash(cost: ScryptCost = SCRYPT_COST): Promise<string> {
  const key = `${cost.N},${cost.r},${cost.p}`;
  if (!decoys.has(key)) decoys.set(key, hashPassword(randomBytes(16).toString('hex'), cost));
  return decoys.get(key)!;
}

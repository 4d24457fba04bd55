// Accounts: a name, a role, and a password hash (passwords.ts), in SQLite.
// Names follow lesson 10's rules (shared/room-events.ts): NFKC, nothing
// invisible, not "Admin" nor anything like it. Here a name is unique across
// the whole server, not per room: the table keeps each name's keys
// (shared/users.ts), and a name whose key is taken, or that looks like a
// taken one, is refused.
import type { Database } from 'better-sqlite3';
import { checkJoin } from '../../shared/room-events';
import { skeleton } from '../../shared/skeleton';
import { nameKeyOf } from '../../shared/users';
import type { Checked } from '../../shared/validation';
import { decoyHash, hashPassword, SCRYPT_COST, verifyPassword, type ScryptCost } from './passwords';

export type Role = 'student' | 'instructor';

export interface Account {
  id: number;
  name: string;
  role: Role;
}

/** NIST SP 800-63B: at least 8 characters, long passphrases welcome, no other rule. */
export const MIN_PASSWORD = 8;
export const MAX_PASSWORD = 256;

/** The one answer to a wrong name or a wrong password: it does not say which. */
export const WRONG_NAME_OR_PASSWORD = 'wrong name or password';

/** Checks a name as lesson 10 checks one (checkJoin), without a room. */
export function checkAccountName(value: unknown): Checked<string> {
  const checked = checkJoin({ name: value, room: 'any' });
  return checked.ok ? { ok: true, value: checked.value.name } : checked;
}

export function checkPassword(value: unknown): Checked<string> {
  if (typeof value !== 'string') return { ok: false, error: 'password must be a string' };
  const length = [...value].length; // characters, not UTF-16 units: an emoji is one
  if (length < MIN_PASSWORD) return { ok: false, error: `password must be at least ${MIN_PASSWORD} characters` };
  if (length > MAX_PASSWORD) return { ok: false, error: `password must be at most ${MAX_PASSWORD} characters` };
  return { ok: true, value };
}

interface Row {
  id: number;
  name: string;
  role: Role;
  hash: string;
}

export class Accounts {
  private readonly statements;

  /** `cost`: scrypt's, for new hashes (a stored hash says its own). */
  constructor(
    db: Database,
    private readonly cost: ScryptCost = SCRYPT_COST,
  ) {
    void decoyHash(cost); // made now, so that the first unknown name costs no more than the next
    db.exec(`CREATE TABLE IF NOT EXISTS accounts (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      name_key TEXT NOT NULL UNIQUE,
      looks_key TEXT NOT NULL UNIQUE,
      role TEXT NOT NULL DEFAULT 'student',
      hash TEXT NOT NULL
    )`);
    this.statements = {
      byKey: db.prepare<[string, string], Row>('SELECT * FROM accounts WHERE name_key = ? OR looks_key = ?'),
      byId: db.prepare<[number], Row>('SELECT * FROM accounts WHERE id = ?'),
      insert: db.prepare<[string, string, string, string, string], Row>(
        'INSERT INTO accounts (name, name_key, looks_key, role, hash) VALUES (?, ?, ?, ?, ?) RETURNING *',
      ),
      update: db.prepare('UPDATE accounts SET name = ?, role = ?, hash = ? WHERE id = ?'),
    };
  }

  /** The account whose name is `name`, or looks like it. */
  private find(name: string): Row | undefined {
    return this.statements.byKey.get(nameKeyOf(name), skeleton(name.trim()));
  }

  /** The account called `name` (or a lookalike of it), if there is one. */
  named(name: string): Account | undefined {
    const row = this.find(name);
    return row && { id: row.id, name: row.name, role: row.role };
  }

  byId(id: number): Account | undefined {
    const row = this.statements.byId.get(id);
    return row && { id: row.id, name: row.name, role: row.role };
  }

  /** A new account; refused when the name, or a lookalike of it, is taken. */
  async create(name: string, password: string, role: Role = 'student'): Promise<Checked<Account>> {
    if (this.find(name)) return { ok: false, error: `the name "${name}" is taken` };
    const hash = await hashPassword(password, this.cost);
    try {
      const row = this.statements.insert.get(name, nameKeyOf(name), skeleton(name.trim()), role, hash)!;
      return { ok: true, value: { id: row.id, name: row.name, role: row.role } };
    } catch {
      return { ok: false, error: `the name "${name}" is taken` }; // taken while we hashed
    }
  }

  /** The account, if `password` is its password. A name with no account costs as long. */
  async verify(name: string, password: string): Promise<Account | undefined> {
    const row = this.find(name);
    const matches = await verifyPassword(password, row?.hash ?? (await decoyHash(this.cost)));
    return row && matches ? { id: row.id, name: row.name, role: row.role } : undefined;
  }

  /** Makes `name` the instructor with `password`, whoever had the account (INSTRUCTOR_NAME at start). */
  async setInstructor(name: string, password: string): Promise<Account> {
    const row = this.find(name);
    if (!row) {
      const created = await this.create(name, password, 'instructor');
      if (!created.ok) throw new Error(created.error);
      return created.value;
    }
    this.statements.update.run(name, 'instructor', await hashPassword(password, this.cost), row.id);
    return { id: row.id, name, role: 'instructor' };
  }
}

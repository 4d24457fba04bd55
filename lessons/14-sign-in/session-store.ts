// A session store: where express-session keeps each session's data, by its id.
// The browser holds only the id, signed, in a cookie; the name it signed in
// as stays here. Kept in the lesson's SQLite database, a server restart signs
// no one out. A session idle for `idleMs` expires: the store forgets it, and
// says so (`expired`), so the server can disconnect its sockets.
//
// express-session asks a store for get, set, destroy and touch (its "Store
// API"); this one is those four over one table.
import type { Database } from 'better-sqlite3';
import { Store, type SessionData } from 'express-session';

type Callback = (err?: unknown) => void;

export class SqliteSessionStore extends Store {
  private readonly sweeper: NodeJS.Timeout;
  private readonly statements;

  constructor(
    db: Database,
    private readonly idleMs: number,
    /** Called with the ids of the sessions that expired, once a second. */
    private readonly expired: (sids: string[]) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {
    super();
    db.exec(`CREATE TABLE IF NOT EXISTS sessions (
      sid TEXT PRIMARY KEY,
      data TEXT NOT NULL,
      expires INTEGER NOT NULL
    )`);
    this.statements = {
      get: db.prepare<[string, number], { data: string }>('SELECT data FROM sessions WHERE sid = ? AND expires > ?'),
      set: db.prepare('INSERT OR REPLACE INTO sessions (sid, data, expires) VALUES (?, ?, ?)'),
      touch: db.prepare('UPDATE sessions SET expires = ? WHERE sid = ?'),
      destroy: db.prepare('DELETE FROM sessions WHERE sid = ?'),
      purge: db.prepare<[number], { sid: string }>('DELETE FROM sessions WHERE expires <= ? RETURNING sid'),
    };
    this.sweeper = setInterval(() => this.purge(), 1000);
    this.sweeper.unref();
  }

  get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    const row = this.statements.get.get(sid, this.now());
    callback(null, row ? (JSON.parse(row.data) as SessionData) : null);
  }

  set(sid: string, session: SessionData, callback?: Callback): void {
    this.statements.set.run(sid, JSON.stringify(session), this.now() + this.idleMs);
    callback?.();
  }

  /** The session was used: it expires `idleMs` from now. */
  touch(sid: string, _session: unknown, callback?: Callback): void {
    this.statements.touch.run(this.now() + this.idleMs, sid);
    callback?.();
  }

  destroy(sid: string, callback?: Callback): void {
    this.statements.destroy.run(sid);
    callback?.();
  }

  /** Forgets the sessions that have expired, and tells `expired` which. */
  purge(): string[] {
    const sids = this.statements.purge.all(this.now()).map((row) => row.sid);
    if (sids.length > 0) this.expired(sids);
    return sids;
  }

  close(): void {
    clearInterval(this.sweeper);
  }
}

// The message store of lesson 13: lesson 12's, shared by the workers. Every
// worker opens the same SQLite file. In WAL mode they all read while one
// writes, and SQLite makes the writers take turns (a lock on the file), so an
// id is given once, whichever worker stores the message, and a retry's
// clientOffset is refused by the UNIQUE constraint, whichever worker it
// reaches. One machine only, on a local disk: WAL needs the -shm file in
// shared memory, which a network file system does not give.
//
// Lesson 12's store: every chat message, in one SQLite table.
// better-sqlite3 is synchronous: `add` returns once the row is written, so
// the server acknowledges a message only once it is in the database file. Every statement
// is prepared once, with placeholders: what a client sent is a value bound to
// a `?` or `@name`, never SQL text.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/** The default file: under the lesson's own data/ folder, which git ignores. */
export const DEFAULT_DB_FILE = path.join(__dirname, 'data', 'chat.db');

/** The most messages the store keeps per room: past that, the oldest go. */
export const MAX_STORED_PER_ROOM = 500;

/** The most messages the store keeps in all rooms together: past that, the oldest go. */
export const MAX_STORED = 100_000;

/** One stored message: a text (`text` set) or a location (`url` set). */
export interface StoredMessage {
  /** The row's id: increasing, never reused, the same after a restart. */
  id: number;
  roomKey: string;
  /** The name the server knew the author by. */
  author: string;
  text: string | null;
  url: string | null;
  /** What the client called it (see createMessage), or null. */
  clientOffset: string | null;
  /** Milliseconds since 1970. */
  createdAt: number;
}

export type NewMessage = Omit<StoredMessage, 'id'>;

/**
 * When a commit is flushed to the disk. NORMAL (the default): the row is in
 * the database's files when `add` returns, so it survives the server stopping
 * or crashing; a power cut may lose the last commits. FULL: every commit
 * waits for the disk itself, which also survives a power cut, and blocks the
 * server for the disk's flush (milliseconds, on a busy disk tens of them).
 */
export type Sync = 'NORMAL' | 'FULL';

export interface StoreOptions {
  maxPerRoom?: number;
  maxTotal?: number;
  sync?: Sync;
}

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

const COLUMNS = 'id, room_key AS roomKey, author, text, url, client_offset AS clientOffset, created_at AS createdAt';

export class MessageStore {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly findOffset: Database.Statement;
  private readonly pruneRoom: Database.Statement;
  private readonly pruneAll: Database.Statement;
  private readonly after: Database.Statement;
  private readonly latestOf: Database.Statement;
  private readonly highest: Database.Statement;
  private readonly write: (message: NewMessage) => number | undefined;

  /** Opens `file` (":memory:" for a store that lasts as long as the process), creating it and its table if need be. */
  constructor(
    readonly file: string,
    { maxPerRoom = MAX_STORED_PER_ROOM, maxTotal = MAX_STORED, sync = 'NORMAL' }: StoreOptions = {},
  ) {
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    // A write waits at most 2 s for another program that holds the file: another worker's
    // write (microseconds), or the sqlite3 shell.
    this.db = new Database(file, { timeout: 2000 });
    // WAL: readers do not block the writer, and a commit is one append to the -wal file.
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${sync === 'FULL' ? 'FULL' : 'NORMAL'}`);
    // The schema, created on first start. AUTOINCREMENT: an id is never given twice, even
    // once its row is gone, so a client's serverOffset keeps its meaning.
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS messages (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        room_key      TEXT    NOT NULL,
        author        TEXT    NOT NULL,
        text          TEXT,
        url           TEXT,
        client_offset TEXT,
        created_at    INTEGER NOT NULL,
        UNIQUE (room_key, author, client_offset)
      );
      CREATE INDEX IF NOT EXISTS messages_by_room ON messages (room_key, id);
    `);

    // A retry of a stored message (same room, author and client offset) inserts nothing.
    this.insert = this.db.prepare(`
      INSERT INTO messages (room_key, author, text, url, client_offset, created_at)
      VALUES (@roomKey, @author, @text, @url, @clientOffset, @createdAt)
      ON CONFLICT (room_key, author, client_offset) DO NOTHING`);
    this.findOffset = this.db.prepare('SELECT 1 FROM messages WHERE room_key = ? AND author = ? AND client_offset = ?').pluck();
    // Everything in the room older than its `maxPerRoom` newest messages.
    this.pruneRoom = this.db.prepare(`
      DELETE FROM messages WHERE room_key = @roomKey AND id <= (
        SELECT id FROM messages WHERE room_key = @roomKey ORDER BY id DESC LIMIT 1 OFFSET @keep)`);
    // Ids only grow: a row more than `maxTotal` ids old is older than the last `maxTotal` messages.
    this.pruneAll = this.db.prepare('DELETE FROM messages WHERE id <= ?');
    this.after = this.db.prepare(`SELECT * FROM (SELECT ${COLUMNS} FROM messages WHERE room_key = ? AND id > ? ORDER BY id DESC LIMIT ?) ORDER BY id`);
    this.latestOf = this.db.prepare(`SELECT * FROM (SELECT ${COLUMNS} FROM messages WHERE room_key = ? ORDER BY id DESC LIMIT ?) ORDER BY id`);
    // The highest id ever given (rows may be gone), 0 for a new store.
    this.highest = this.db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'messages'").pluck();

    // Insert and prune in one transaction: one commit, one flush to the disk.
    this.write = this.db.transaction((message: NewMessage) => {
      const { changes, lastInsertRowid } = this.insert.run(message);
      if (changes === 0) return undefined; // a retry
      const id = Number(lastInsertRowid);
      this.pruneRoom.run({ roomKey: message.roomKey, keep: maxPerRoom });
      this.pruneAll.run(id - maxTotal);
      return id;
    });
  }

  /** Stores a message; returns its id, or undefined when its client offset is already stored (a retry). */
  add(message: NewMessage): number | undefined {
    return this.write(message);
  }

  /** True when `author` already sent a message called `clientOffset` in this room. */
  has(roomKey: string, author: string, clientOffset: string): boolean {
    return this.findOffset.get(roomKey, author, clientOffset) !== undefined;
  }

  /** The room's messages after id `afterId` (the last `limit` of them), oldest first. */
  since(roomKey: string, afterId: number, limit = MAX_STORED_PER_ROOM): StoredMessage[] {
    return this.after.all(roomKey, afterId, limit) as StoredMessage[];
  }

  /** The room's last `count` messages, oldest first. */
  latest(roomKey: string, count: number): StoredMessage[] {
    return this.latestOf.all(roomKey, count) as StoredMessage[];
  }

  /** The highest id the store ever gave, 0 if none. */
  lastId(): number {
    return Number(this.highest.get() ?? 0);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

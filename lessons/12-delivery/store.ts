// The message store of lesson 12: every chat message, in one SQLite table.
// better-sqlite3 is synchronous: `add` returns once the row is written, so
// the server acknowledges a message only once it is in the database file. Every statement
// is prepared once, with placeholders: what a client sent is a value bound to
// a `?` or `@name`, never SQL text.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { DeliverySettings } from './settings';

/** The most messages the store keeps per room: past that, the oldest go (but see KEEP_MS). */
export const MAX_STORED_PER_ROOM = 500;

/**
 * However many a room gets, the store keeps every message younger than this:
 * two minutes, twice the server's recovery window. A page away for up to that
 * window finds everything acknowledged meanwhile, whatever one client sends
 * (issue 22: one address sent 500 in 34 s and pushed a class's 50 messages out).
 * The rate limits bound how many that can be; MAX_STORED still bounds them all.
 */
export const KEEP_MS = 120_000;

/** The most messages the store keeps in all rooms together: past that, the oldest go. */
export const MAX_STORED = 100_000;

/** What a client is told when the store fails (a full disk, the file locked by another program). */
export const NOT_STORED = 'the server could not store your message: try again in a moment';

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
  /** Messages younger than this are kept whatever maxPerRoom says (KEEP_MS). */
  keepMs?: number;
  maxTotal?: number;
  sync?: Sync;
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
  private readonly nthNewest: Database.Statement;
  private readonly firstSince: Database.Statement;
  private readonly prunedOf: Database.Statement;
  private readonly noteRoomPruned: Database.Statement;
  private readonly forgetPruned: Database.Statement;
  private readonly maxTotal: number;
  private readonly write: (message: NewMessage) => number | undefined;
  private warned = 0;

  /** Opens `file` (":memory:" for a store that lasts as long as the process), creating it and its table if need be. */
  constructor(
    readonly file: string,
    { maxPerRoom = MAX_STORED_PER_ROOM, keepMs = KEEP_MS, maxTotal = MAX_STORED, sync = 'NORMAL' }: StoreOptions = {},
  ) {
    this.maxTotal = maxTotal;
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    // A write waits at most 0.5 s for another program that holds the file (say, the sqlite3 shell).
    this.db = new Database(file, { timeout: 500 });
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
      -- For each room, the highest id deleted from it: a page that saw less has a gap.
      CREATE TABLE IF NOT EXISTS pruned (
        room_key TEXT PRIMARY KEY,
        up_to    INTEGER NOT NULL
      );
    `);

    // A retry of a stored message (same room, author and client offset) inserts nothing.
    this.insert = this.db.prepare(`
      INSERT INTO messages (room_key, author, text, url, client_offset, created_at)
      VALUES (@roomKey, @author, @text, @url, @clientOffset, @createdAt)
      ON CONFLICT (room_key, author, client_offset) DO NOTHING`);
    this.findOffset = this.db.prepare('SELECT 1 FROM messages WHERE room_key = ? AND author = ? AND client_offset = ?').pluck();
    // A room loses everything up to an id: older than its `maxPerRoom` newest messages, and
    // than its first message younger than `keepMs` (ids grow with time). The two are found
    // apart, each from its end of the index: the few rows read are old ones, never the
    // thousands of young ones a flood leaves.
    this.nthNewest = this.db.prepare('SELECT id FROM messages WHERE room_key = ? ORDER BY id DESC LIMIT 1 OFFSET ?').pluck();
    this.firstSince = this.db.prepare('SELECT id FROM messages WHERE room_key = ? AND created_at > ? ORDER BY id LIMIT 1').pluck();
    this.pruneRoom = this.db.prepare('DELETE FROM messages WHERE room_key = @roomKey AND id <= @upTo');
    // Ids only grow: a row more than `maxTotal` ids old is older than the last `maxTotal` messages.
    this.pruneAll = this.db.prepare('DELETE FROM messages WHERE id <= ?');
    // Before the room's delete, note how far it goes: a page that saw less has a gap.
    this.noteRoomPruned = this.db.prepare(`
      INSERT INTO pruned (room_key, up_to) VALUES (@roomKey, @upTo)
      ON CONFLICT (room_key) DO UPDATE SET up_to = MAX(up_to, excluded.up_to)`);
    this.prunedOf = this.db.prepare('SELECT up_to FROM pruned WHERE room_key = ?').pluck();
    // Past `maxTotal` ids, any room may have lost anything (see gapAfter): a note that old says no more.
    this.forgetPruned = this.db.prepare('DELETE FROM pruned WHERE up_to <= ?');
    this.after = this.db.prepare(`SELECT * FROM (SELECT ${COLUMNS} FROM messages WHERE room_key = ? AND id > ? ORDER BY id DESC LIMIT ?) ORDER BY id`);
    this.latestOf = this.db.prepare(`SELECT * FROM (SELECT ${COLUMNS} FROM messages WHERE room_key = ? ORDER BY id DESC LIMIT ?) ORDER BY id`);
    // The highest id ever given (rows may be gone), 0 for a new store.
    this.highest = this.db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'messages'").pluck();

    // Insert and prune in one transaction: one commit, one flush to the disk.
    this.write = this.db.transaction((message: NewMessage) => {
      const { changes, lastInsertRowid } = this.insert.run(message);
      if (changes === 0) return undefined; // a retry
      const id = Number(lastInsertRowid);
      const { roomKey, createdAt } = message;
      const pastCount = this.nthNewest.get(roomKey, maxPerRoom) as number | undefined;
      if (pastCount !== undefined) {
        const firstYoung = this.firstSince.get(roomKey, createdAt - keepMs) as number | undefined;
        const upTo = Math.min(pastCount, (firstYoung ?? Infinity) - 1);
        if (this.pruneRoom.run({ roomKey, upTo }).changes > 0) this.noteRoomPruned.run({ roomKey, upTo });
      }
      this.pruneAll.run(id - maxTotal);
      this.forgetPruned.run(id - maxTotal);
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

  /**
   * True when the room has lost messages after id `afterId`: deleted to keep
   * the store bounded, so a page that saw up to `afterId` cannot get them all.
   */
  gapAfter(roomKey: string, afterId: number): boolean {
    if (afterId < this.lastId() - this.maxTotal) return true; // the oldest of all rooms went
    return afterId < Number(this.prunedOf.get(roomKey) ?? 0);
  }

  /** The room's last `count` messages, oldest first. */
  latest(roomKey: string, count: number): StoredMessage[] {
    return this.latestOf.all(roomKey, count) as StoredMessage[];
  }

  /** The highest id the store ever gave, 0 if none. */
  lastId(): number {
    return Number(this.highest.get() ?? 0);
  }

  /** Logs that the store failed (a full disk, the file locked by another program), once a minute at most. */
  logFailure(err: unknown): void {
    if (Date.now() - this.warned < 60_000) return;
    this.warned = Date.now();
    console.error(`the message store failed: ${(err as Error)?.message ?? err}`);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

type StoreSettings = Pick<DeliverySettings, 'dbFile' | 'dbSync' | 'maxStoredPerRoom' | 'keepStoredMs'>;

/** Opens the lesson's store (settings.ts), or says which file it could not open, and what to do. */
export function openStore({ dbFile, dbSync, maxStoredPerRoom, keepStoredMs }: StoreSettings): MessageStore {
  let store: MessageStore;
  try {
    store = new MessageStore(dbFile, { maxPerRoom: maxStoredPerRoom, keepMs: keepStoredMs, sync: dbSync });
  } catch (err) {
    throw new Error(`Could not open the message store ${dbFile}: ${(err as Error).message}. Set DB_FILE to a file you may write.`);
  }
  if (dbFile !== ':memory:') console.log(`messages are stored in ${shortPath(path.resolve(dbFile))}`);
  return store;
}

/** A file's path from here when it is under this folder, or its whole path. */
function shortPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') ? file : relative;
}

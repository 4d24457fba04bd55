// Who is in which room. One Map finds a user by socket id, another finds a
// room by its key, and each room keeps its members by name key, so every
// lookup is constant time and listing a room never scans other rooms.
import { MAX_ROOM_SIZE, roomFull } from './room-events';
import { foldedSkeleton, skeleton } from './skeleton';
import type { Checked } from './validation';

export interface User {
  /** The socket's id. */
  readonly id: string;
  /** The name as the user typed it, trimmed (lessons 09 and 10 also NFKC it: `checkName`). */
  readonly name: string;
  /** The room as its first member typed it, trimmed. */
  readonly room: string;
  /** What rooms are compared by (see `keyOf`); use it for `socket.join`. */
  readonly roomKey: string;
}

/** Rooms are compared trimmed and ignoring case: "Lobby " is "lobby". */
export function keyOf(text: string): string {
  return text.trim().toLowerCase();
}

/**
 * Names are compared by what they look like (shared/skeleton.ts): trimmed,
 * ignoring case, with lookalike letters as one, so "Аnn" with a Cyrillic А,
 * "ANN" and "Ann" have one key. A room also keeps each name's skeleton as
 * typed (`skeleton`), which catches capitals that look alike only as
 * capitals: "Вob" with a Cyrillic В.
 */
export function nameKeyOf(name: string): string {
  return foldedSkeleton(name.trim());
}

interface Room {
  name: string;
  /** Members by name key (`nameKeyOf`), in the order they joined. */
  members: Map<string, User>;
  /** The same members, by the skeleton of their name as typed. */
  looks: Map<string, User>;
}

export class Users {
  private readonly byId = new Map<string, User>();
  private readonly rooms = new Map<string, Room>();

  /** `maxRoomSize`: a join into a room that has that many people is refused. */
  constructor(private readonly maxRoomSize = MAX_ROOM_SIZE) {}

  /**
   * Puts user `id` in `room` as `name`. Refused when someone else in that
   * room already has the name, ignoring case, or a name that looks like it,
   * or when the room is full. A user who is already in a room moves: out of
   * the old one, into the new one (only if it succeeds).
   */
  add(id: string, name: string, room: string): Checked<User> {
    const nameKey = nameKeyOf(name);
    const looksKey = skeleton(name.trim());
    const roomKey = keyOf(room);
    if (!nameKey) return { ok: false, error: 'name must not be empty' };
    if (!roomKey) return { ok: false, error: 'room must not be empty' };

    const wanted = this.rooms.get(roomKey);
    const holder = [wanted?.members.get(nameKey), wanted?.looks.get(looksKey)].find((user) => user && user.id !== id);
    if (holder) {
      if (keyOf(holder.name) === keyOf(name)) {
        return { ok: false, error: `the name "${holder.name}" is taken in room "${holder.room}"` };
      }
      return { ok: false, error: `the name "${name.trim()}" looks like "${holder.name}", who is in room "${holder.room}"` };
    }
    const moving = this.byId.get(id)?.roomKey !== roomKey;
    if (wanted && moving && wanted.members.size >= this.maxRoomSize) {
      return { ok: false, error: roomFull(wanted.name, this.maxRoomSize) };
    }
    this.remove(id);

    let record = this.rooms.get(roomKey);
    if (!record) {
      record = { name: room.trim(), members: new Map(), looks: new Map() };
      this.rooms.set(roomKey, record);
    }
    const user: User = Object.freeze({ id, name: name.trim(), room: record.name, roomKey });
    record.members.set(nameKey, user);
    record.looks.set(looksKey, user);
    this.byId.set(id, user);
    return { ok: true, value: user };
  }

  /** Takes user `id` out; returns who it was, or undefined for an unknown id. */
  remove(id: string): User | undefined {
    const user = this.byId.get(id);
    if (!user) return undefined;
    this.byId.delete(id);
    const record = this.rooms.get(user.roomKey)!;
    record.members.delete(nameKeyOf(user.name));
    record.looks.delete(skeleton(user.name.trim()));
    if (record.members.size === 0) this.rooms.delete(user.roomKey); // empty rooms go
    return user;
  }

  /** The user with socket id `id`, if they have joined. */
  get(id: string): User | undefined {
    return this.byId.get(id);
  }

  /** The names in `room` (compared by key), in the order they joined. */
  listNames(room: string): string[] {
    const record = this.rooms.get(keyOf(room));
    return record ? [...record.members.values()].map((user) => user.name) : [];
  }

  /** How many users have joined a room. */
  get size(): number {
    return this.byId.size;
  }

  /** How many rooms have someone in them. */
  get roomCount(): number {
    return this.rooms.size;
  }
}

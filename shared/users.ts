// Who is in which room. One Map finds a user by socket id, another finds a
// room by its key, and each room keeps its members by name key, so every
// lookup is constant time and listing a room never scans other rooms.
import { MAX_ROOM_SIZE, roomFull } from './room-events';
import type { Checked } from './validation';

export interface User {
  /** The socket's id. */
  readonly id: string;
  /** The name as the user typed it, trimmed. */
  readonly name: string;
  /** The room as its first member typed it, trimmed. */
  readonly room: string;
  /** What rooms are compared by (see `keyOf`); use it for `socket.join`. */
  readonly roomKey: string;
}

/** Rooms and names are compared trimmed and ignoring case: "Lobby " is "lobby". */
export function keyOf(text: string): string {
  return text.trim().toLowerCase();
}

interface Room {
  name: string;
  /** Members by name key, in the order they joined. */
  members: Map<string, User>;
}

export class Users {
  private readonly byId = new Map<string, User>();
  private readonly rooms = new Map<string, Room>();

  /** `maxRoomSize`: a join into a room that has that many people is refused. */
  constructor(private readonly maxRoomSize = MAX_ROOM_SIZE) {}

  /**
   * Puts user `id` in `room` as `name`. Refused when someone else in that
   * room already has the name, ignoring case, or when the room is full. A
   * user who is already in a room moves: out of the old one, into the new
   * one (only if it succeeds).
   */
  add(id: string, name: string, room: string): Checked<User> {
    const nameKey = keyOf(name);
    const roomKey = keyOf(room);
    if (!nameKey) return { ok: false, error: 'name must not be empty' };
    if (!roomKey) return { ok: false, error: 'room must not be empty' };

    const wanted = this.rooms.get(roomKey);
    const holder = wanted?.members.get(nameKey);
    if (holder && holder.id !== id) {
      return { ok: false, error: `the name "${holder.name}" is taken in room "${holder.room}"` };
    }
    const moving = this.byId.get(id)?.roomKey !== roomKey;
    if (wanted && moving && wanted.members.size >= this.maxRoomSize) {
      return { ok: false, error: roomFull(wanted.name, this.maxRoomSize) };
    }
    this.remove(id);

    let record = this.rooms.get(roomKey);
    if (!record) {
      record = { name: room.trim(), members: new Map() };
      this.rooms.set(roomKey, record);
    }
    const user: User = Object.freeze({ id, name: name.trim(), room: record.name, roomKey });
    record.members.set(nameKey, user);
    this.byId.set(id, user);
    return { ok: true, value: user };
  }

  /** Takes user `id` out; returns who it was, or undefined for an unknown id. */
  remove(id: string): User | undefined {
    const user = this.byId.get(id);
    if (!user) return undefined;
    this.byId.delete(id);
    const record = this.rooms.get(user.roomKey)!;
    record.members.delete(keyOf(user.name));
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

// Who is in which room, by account: one person in two tabs is one person.
// Lesson 10's `Users` keeps a name per socket; here the name comes from the
// account, and a room lists each account once, with the sockets (tabs) it
// has there. Also what the instructor has decided: who is muted or removed,
// in which room, until when.
import { keyOf } from '../../shared/users';
import type { Account } from './accounts';
import type { RoomView } from './events';

export interface Place {
  room: string;
  roomKey: string;
  account: Account;
}

export interface Left {
  place: Place;
  /** True when it was the person's last tab in that room. */
  left: boolean;
}

/** `already`: this socket was in that room (nothing changed). */
export type Joined = { ok: true; place: Place; arrived: boolean; moved: Left | undefined; already: boolean };

interface Room {
  room: string;
  /** Each person, by account id: the name and the sockets they have here. */
  people: Map<number, { name: string; sockets: Set<string> }>;
}

export class People {
  private readonly rooms = new Map<string, Room>();
  private readonly bySocket = new Map<string, Place>();
  /** `${roomKey}\n${accountId}` → until when (ms since 1970). */
  private readonly mutes = new Map<string, number>();
  private readonly removals = new Map<string, number>();

  constructor(
    private readonly maxRoomSize: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Puts socket `id` of `account` in `room`, out of the room it was in (only
   * if the join succeeds). `arrived`: the person's first tab there; `moved`:
   * where the socket was before, and whether that was the person's last tab there.
   */
  join(id: string, account: Account, room: string): Joined | { ok: false; error: string } {
    const roomKey = keyOf(room);
    const record = this.rooms.get(roomKey);
    const before = this.bySocket.get(id);
    if (before?.roomKey === roomKey) return { ok: true, place: before, arrived: false, moved: undefined, already: true };
    const until = this.until(this.removals, roomKey, account.id);
    if (until) return { ok: false, error: `you were removed from "${record?.room ?? room.trim()}": you may come back in ${minutesFrom(this.now(), until)}` };
    if (record && !record.people.has(account.id) && record.people.size >= this.maxRoomSize) {
      return { ok: false, error: `room "${record.room}" is full (${this.maxRoomSize} people): try another room` };
    }
    const moved = this.leave(id);
    const created = this.rooms.get(roomKey) ?? { room: room.trim(), people: new Map() };
    this.rooms.set(roomKey, created);
    const person = created.people.get(account.id) ?? { name: account.name, sockets: new Set<string>() };
    created.people.set(account.id, person);
    const arrived = person.sockets.size === 0;
    person.sockets.add(id);
    const place = { room: created.room, roomKey, account };
    this.bySocket.set(id, place);
    return { ok: true, place, arrived, moved, already: false };
  }

  /** Takes socket `id` out of its room; `left` is true when it was the person's last tab there. */
  leave(id: string): Left | undefined {
    const place = this.bySocket.get(id);
    if (!place) return undefined;
    this.bySocket.delete(id);
    const record = this.rooms.get(place.roomKey)!;
    const person = record.people.get(place.account.id)!;
    person.sockets.delete(id);
    const left = person.sockets.size === 0;
    if (left) record.people.delete(place.account.id);
    if (record.people.size === 0) this.rooms.delete(place.roomKey);
    return { place, left };
  }

  get(id: string): Place | undefined {
    return this.bySocket.get(id);
  }

  /** The room's name as its first member typed it, if anyone is in it. */
  roomName(room: string): string | undefined {
    return this.rooms.get(keyOf(room))?.room;
  }

  /** The names in a room, each once, in the order they came. */
  listNames(roomKey: string): string[] {
    return [...(this.rooms.get(roomKey)?.people.values() ?? [])].map((person) => person.name);
  }

  /** The sockets a person has in a room. */
  socketsOf(roomKey: string, accountId: number): string[] {
    return [...(this.rooms.get(roomKey)?.people.get(accountId)?.sockets ?? [])];
  }

  /** Every socket in a room. */
  socketsIn(roomKey: string): string[] {
    return [...(this.rooms.get(roomKey)?.people.values() ?? [])].flatMap((person) => [...person.sockets]);
  }

  mute(roomKey: string, accountId: number, until: number): void {
    this.mutes.set(`${roomKey}\n${accountId}`, until);
  }

  unmute(roomKey: string, accountId: number): boolean {
    return this.mutes.delete(`${roomKey}\n${accountId}`);
  }

  /** Until when a person is muted in a room, if they are. */
  mutedUntil(roomKey: string, accountId: number): number | undefined {
    return this.until(this.mutes, roomKey, accountId);
  }

  remove(roomKey: string, accountId: number, until: number): void {
    this.removals.set(`${roomKey}\n${accountId}`, until);
  }

  /** Every room, for the instructor's page. */
  view(): RoomView[] {
    return [...this.rooms.entries()].map(([roomKey, { room, people }]) => ({
      room,
      people: [...people.entries()].map(([accountId, { name, sockets }]) => {
        const mutedUntil = this.mutedUntil(roomKey, accountId);
        return mutedUntil ? { name, tabs: sockets.size, mutedUntil } : { name, tabs: sockets.size };
      }),
    }));
  }

  private until(map: Map<string, number>, roomKey: string, accountId: number): number | undefined {
    const key = `${roomKey}\n${accountId}`;
    const until = map.get(key);
    if (until === undefined) return undefined;
    if (until > this.now()) return until;
    map.delete(key); // over: forgotten
    return undefined;
  }
}

/** "3 minutes", "1 minute": how long from `now` until `until`. */
export function minutesFrom(now: number, until: number): string {
  const minutes = Math.max(1, Math.ceil((until - now) / 60_000));
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

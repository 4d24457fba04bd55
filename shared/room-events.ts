// The events lessons 09 and 10 add to the chat: joining a room, and the
// room's user list. Also the check a join request must pass.
import { ADMIN } from './chat-events';
import { lookalikesOf } from './skeleton';
import { checkFields, checkName, type Checked, type Reply } from './validation';

/** The longest name and room a user may choose (after trimming). */
export const MAX_NAME_LENGTH = 30;
export const MAX_ROOM_LENGTH = 30;

/**
 * The most people in one room. A classroom of 300 fits in one; a script's
 * thousand fake users do not. MAX_ROOM_SIZE=1000 npm start -- 10 raises it.
 */
export const MAX_ROOM_SIZE = 500;

/** MAX_ROOM_SIZE from the environment, or the default. */
export function roomSizeFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.MAX_ROOM_SIZE ?? '';
  if (text === '') return MAX_ROOM_SIZE;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new Error(`MAX_ROOM_SIZE must be a whole number above 0, not "${text}"`);
  return Number(text);
}

/** The refusal for a join into a full room. */
export const roomFull = (room: string, size: number) => `room "${room}" is full (${size} people): try another room`;

export interface JoinRequest {
  name: string;
  room: string;
}

/** The answer to `join`: the name and room as the server stored them. */
export type JoinReply = Reply<{ name: string; room: string }>;

export interface JoinEvents {
  /** Join a room under a name. Until this succeeds, messages are refused. */
  join: (request: JoinRequest, ack: (reply: JoinReply) => void) => void;
}

export interface UserListEvents {
  /** Everyone in the room, sent to the room whenever someone comes or goes. */
  updateUserList: (names: string[]) => void;
}

const looksLikeAdmin = lookalikesOf(ADMIN);

/**
 * Checks a join request: `{ name, room }`, both names (`checkName`: NFKC,
 * trimmed, nothing invisible) within their limits. Nobody may call themselves
 * Admin, the server's own name, nor anything that looks like it ("Аdmin" with
 * a Cyrillic А, "Ａｄｍｉｎ", "Adrnin"): names are compared by their skeleton.
 */
export function checkJoin(value: unknown): Checked<JoinRequest> {
  const object = checkFields(value, ['name', 'room']);
  if (!object.ok) return object;
  const name = checkName(object.value.name, 'name', MAX_NAME_LENGTH);
  if (!name.ok) return name;
  const room = checkName(object.value.room, 'room', MAX_ROOM_LENGTH);
  if (!room.ok) return room;
  if (name.value.toLowerCase() === ADMIN.toLowerCase()) {
    return { ok: false, error: `the name "${ADMIN}" is kept for the server` };
  }
  if (looksLikeAdmin(name.value)) {
    return { ok: false, error: `the name "${name.value}" looks like "${ADMIN}", which is kept for the server` };
  }
  return { ok: true, value: { name: name.value, room: room.value } };
}

/**
 * Sends each room's user list at once, then holds further updates for `ms`
 * and sends one list for all of them: when 50 people join a room within a
 * second, the room gets about 10 to 20 lists, each up to date, not 50 lists,
 * each to everyone. `update(room)` asks for a list;
 * `send(room)` sends the list as it is by then.
 */
export class UserListUpdates {
  /** Rooms sent a list in the last `ms`, and whether another is due at the end of it. */
  private readonly recent = new Map<string, { timer: NodeJS.Timeout; due: boolean }>();

  constructor(
    private readonly send: (room: string) => void,
    private readonly ms = 100,
  ) {}

  update(room: string): void {
    const recent = this.recent.get(room);
    if (recent) {
      recent.due = true; // sent at the end of the wait, with whatever changed meanwhile
      return;
    }
    // The wait starts before the list goes out: sending may disconnect someone (shared/clients.ts),
    // whose leaving asks for another list at once.
    const wait = { due: false, timer: setTimeout(() => this.endWait(room, wait), this.ms) };
    this.recent.set(room, wait);
    this.send(room);
  }

  private endWait(room: string, wait: { due: boolean }): void {
    if (this.recent.get(room) !== wait) return;
    this.recent.delete(room);
    if (wait.due) this.send(room); // the next update is sent at once again: at most two lists per `ms`
  }

  /** Drops the lists not sent yet (when the server closes). */
  close(): void {
    for (const { timer } of this.recent.values()) clearTimeout(timer);
    this.recent.clear();
  }
}

// The events lessons 09 and 10 add to the chat: joining a room, and the
// room's user list. Also the check a join request must pass.
import { ADMIN } from './chat-events';
import { checkFields, checkText, type Checked, type Reply } from './validation';

/** The longest name and room a user may choose (after trimming). */
export const MAX_NAME_LENGTH = 30;
export const MAX_ROOM_LENGTH = 30;

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

/**
 * Checks a join request: `{ name, room }`, both real strings within their
 * limits, trimmed. Nobody may call themselves Admin, the server's own name.
 */
export function checkJoin(value: unknown): Checked<JoinRequest> {
  const object = checkFields(value, ['name', 'room']);
  if (!object.ok) return object;
  const name = checkText(object.value.name, 'name', MAX_NAME_LENGTH);
  if (!name.ok) return name;
  const room = checkText(object.value.room, 'room', MAX_ROOM_LENGTH);
  if (!room.ok) return room;
  if (name.value.toLowerCase() === ADMIN.toLowerCase()) {
    return { ok: false, error: `the name "${ADMIN}" is kept for the server` };
  }
  return { ok: true, value: { name: name.value, room: room.value } };
}

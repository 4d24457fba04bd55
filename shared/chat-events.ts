// The chat's events, shared by lessons 06 to 10 and their pages.
// Lesson 06 uses the text events only; 07 adds locations.
import type { Coordinates, Reply } from './validation';

export type { Coordinates, Reply };

/** The name the server uses for its own notices ("Welcome", "A new user joined"). */
export const ADMIN = 'Admin';

/** A chat message as the server sends it. The server sets `from` and `createdAt`. */
export interface Message {
  from: string;
  text: string;
  /** When the server made it: milliseconds since 1970 (Date.now()). */
  createdAt: number;
}

/** A shared location: a link to a map instead of text. */
export interface LocationMessage {
  from: string;
  url: string;
  createdAt: number;
}

/** `{ ok: true }` when the message went out, `{ ok: false, error }` when it did not. */
export type SendAck = (reply: Reply) => void;

export interface ClientToServerEvents {
  /** Send a message to the chat. At most MAX_TEXT_LENGTH characters, not blank. */
  createMessage: (payload: { text: string }, ack: SendAck) => void;
  /** Share where you are: latitude -90 to 90, longitude -180 to 180. */
  createLocationMessage: (payload: Coordinates, ack: SendAck) => void;
}

export interface ServerToClientEvents {
  newMessage: (message: Message) => void;
  newLocationMessage: (message: LocationMessage) => void;
}

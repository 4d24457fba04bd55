// The events of lesson 04, shared by the server, the page and the terminal client.
import type { Reply } from '../../shared/validation';

/** Who hears a message: only the sender, every client, or every client but the sender. */
export const AUDIENCES = ['me', 'everyone', 'others'] as const;
export type Audience = (typeof AUDIENCES)[number];

/** What a client asks the server to pass on. */
export interface Speech {
  text: string;
  to: Audience;
}

/** What the audience receives. The server sets `from`: a short form of the sender's socket id. */
export interface IncomingMessage {
  from: string;
  text: string;
}

export interface ClientToServerEvents {
  /**
   * Say `text` to an audience: not blank, at most 500 characters.
   * The acknowledgement is optional; with one, the server says whether it passed the message on.
   */
  speak: (speech: Speech, ack?: (reply: Reply) => void) => void;
}

export interface ServerToClientEvents {
  'incoming-message': (message: IncomingMessage) => void;
}

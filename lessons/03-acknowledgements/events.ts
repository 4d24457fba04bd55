// The events of lesson 03, shared by the server and the page.
import type { Reply } from '../../shared/validation';

/** The answer to a shout: the text in capitals, or why it was refused. */
export type ShoutReply = Reply<{ text: string }>;

export interface ClientToServerEvents {
  /** Asks the server to shout `text`; the answer comes back through `ack`. */
  shout: (text: string, ack: (reply: ShoutReply) => void) => void;
}

/** The server sends nothing on its own in this lesson: it only answers. */
export interface ServerToClientEvents {}

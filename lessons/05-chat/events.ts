// The events of lesson 05, shared by the server and the page.
import type { Reply } from '../../shared/validation';

/** What everyone receives: who said it (a short socket id) and what. */
export interface ChatMessage {
  from: string;
  text: string;
}

export interface ClientToServerEvents {
  /**
   * Say something to everyone: not blank, at most 500 characters.
   * The acknowledgement is optional; with one, the server says whether it took the message.
   */
  'chat message': (text: string, ack?: (reply: Reply) => void) => void;
}

export interface ServerToClientEvents {
  'chat message': (message: ChatMessage) => void;
}

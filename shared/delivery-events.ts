// The events of delivery, as lesson 12 teaches them (lessons/12-delivery/events.ts):
// those of lesson 10, where every stored message carries its `id`, and a
// message may carry the client's own name for it.
import type * as chat from './chat-events';
import type { Coordinates, SendAck } from './chat-events';
import type { JoinEvents, UserListEvents } from './room-events';

export type { JoinReply, JoinRequest } from './room-events';
export type { Coordinates, Reply, SendAck } from './chat-events';

/**
 * A text message. `id` is its row in the store: a number that only grows.
 * Admin's notices ("Welcome", "has left") are not stored and carry none.
 * `gap: true` marks Admin's notice, on a rejoin, that some messages the page
 * missed are no longer stored: they will not come.
 */
export interface Message extends chat.Message {
  id?: number;
  gap?: true;
}

/** A shared location: always stored, so it always has an `id`. */
export interface LocationMessage extends chat.LocationMessage {
  id: number;
}

export interface MessagePayload {
  text: string;
  /**
   * The client's own name for this message, unique among its messages: a
   * retry carries the same one, so the server stores and sends it once.
   * A string of 1 to 64 characters; leave it out and a retry may come twice.
   */
  clientOffset?: string;
}

/** What the page sends when it connects (`io({ auth })`): the id of the last message it saw, 0 for none. */
export interface DeliveryAuth {
  serverOffset: number;
}

export interface ClientToServerEvents extends JoinEvents {
  /** Send a message to your room. At most 500 characters, not blank. */
  createMessage: (payload: MessagePayload, ack: SendAck) => void;
  /** Share where you are: latitude -90 to 90, longitude -180 to 180. */
  createLocationMessage: (payload: Coordinates, ack: SendAck) => void;
}

export interface ServerToClientEvents extends UserListEvents {
  newMessage: (message: Message) => void;
  newLocationMessage: (message: LocationMessage) => void;
}

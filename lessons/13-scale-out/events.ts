// The events of lesson 13: lesson 12's (shared/delivery-events.ts), on every
// worker. A client cannot tell how many processes serve it: that is the point.
// What is new is between the workers: what a socket carries, and what they ask each other.
import type * as delivery from '../../shared/delivery-events';

export type { DeliveryAuth, LocationMessage, Message, MessagePayload, Reply } from '../../shared/delivery-events';

export interface ClientToServerEvents extends delivery.ClientToServerEvents {}
export interface ServerToClientEvents extends delivery.ServerToClientEvents {}

/**
 * What a socket carries once it has joined, in `socket.data`: Socket.IO keeps
 * it with the socket, each worker answers the others' question about a room
 * from it, and a recovered socket gets it back on whichever worker it reaches.
 */
export interface Member {
  /** The name as the user typed it, trimmed (and NFKC: `checkName`). */
  name: string;
  /** The room as its first member typed it, trimmed. */
  room: string;
  roomKey: string;
  /** What names are compared by, as in lesson 10's Users: `nameKeyOf`, and the skeleton as typed. */
  nameKey: string;
  looksKey: string;
  /** When they joined (Date.now()): the user list is in this order, on every worker. */
  joinedAt: number;
}

export interface SocketData {
  user?: Member;
}

/** A member and the id of the socket that holds the name, wherever it is. */
export type Holder = Member & { id: string };

/** What the workers ask each other (serverSideEmit): the members of a room that each one holds. */
export interface InterServerEvents {
  members: (roomKey: string, answer: (members: Holder[]) => void) => void;
}

// The events of lesson 09: the chat of lesson 08, plus `join`.
import type * as chat from '../../shared/chat-events';
import type { JoinEvents } from '../../shared/room-events';

export type { JoinReply, JoinRequest } from '../../shared/room-events';
export type { LocationMessage, Message } from '../../shared/chat-events';

export interface ClientToServerEvents extends chat.ClientToServerEvents, JoinEvents {}

export interface ServerToClientEvents extends chat.ServerToClientEvents {}

/** What the server remembers about each socket once it has joined. */
export interface SocketData {
  name: string;
  room: string;
}

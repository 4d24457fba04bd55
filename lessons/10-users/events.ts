// The events of lesson 10: those of lesson 09, plus the room's user list.
import type * as chat from '../../shared/chat-events';
import type { JoinEvents, UserListEvents } from '../../shared/room-events';

export type { JoinReply, JoinRequest } from '../../shared/room-events';
export type { LocationMessage, Message } from '../../shared/chat-events';

export interface ClientToServerEvents extends chat.ClientToServerEvents, JoinEvents {}

export interface ServerToClientEvents extends chat.ServerToClientEvents, UserListEvents {}

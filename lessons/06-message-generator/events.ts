// The events of lesson 06: the text half of the chat's shared events
// (lesson 07 adds locations).
import type * as Chat from '../../shared/chat-events';

export type { Message } from '../../shared/chat-events';
export type ClientToServerEvents = Pick<Chat.ClientToServerEvents, 'createMessage'>;
export type ServerToClientEvents = Pick<Chat.ServerToClientEvents, 'newMessage'>;

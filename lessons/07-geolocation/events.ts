// The events of lesson 07: the chat's shared events, text and locations.
export type {
  ClientToServerEvents,
  LocationMessage,
  Message,
  ServerToClientEvents,
} from '../../shared/chat-events';

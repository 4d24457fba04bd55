// The events of lesson 08: the chat's shared events, text and locations.
// Lessons 09 and 10 build on the same types.
export type {
  ClientToServerEvents,
  LocationMessage,
  Message,
  ServerToClientEvents,
} from '../../shared/chat-events';

// Builds the messages the chat server sends. The server, never the client,
// decides who a message is from and when it was made.
import type { LocationMessage, Message } from './chat-events';

/** A text message from `from`, stamped with the current time. */
export function generateMessage(from: string, text: string): Message {
  return { from, text, createdAt: Date.now() };
}

/** A message with a link to a map of the given place. */
export function generateLocationMessage(from: string, latitude: number, longitude: number): LocationMessage {
  return { from, url: `https://www.google.com/maps?q=${latitude},${longitude}`, createdAt: Date.now() };
}

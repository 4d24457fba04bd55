// The two offsets of lesson 12, checked: what a client says it saw, and what
// it calls the message it sends.
// - The server offset: the id of the last stored message a page saw, in its
//   handshake's `auth`. The server sends it what came after.
// - The client offset: the page's own name for a message it sends. A retry
//   carries the same one, so the server stores and sends it once.
import { checkFields, checkText, isPlainObject, type Checked } from '../../shared/validation';
import type { MessagePayload } from './events';

/** The longest `clientOffset` accepted (a UUID is 36 characters). */
export const MAX_CLIENT_OFFSET_LENGTH = 64;

/**
 * Checks `createMessage`'s payload: `{ text }` or `{ text, clientOffset }`,
 * where clientOffset is a string of 1 to 64 characters (null is refused too).
 */
export function checkMessage(value: unknown): Checked<MessagePayload> {
  const object = checkFields(value, ['text', 'clientOffset']);
  if (!object.ok) return object;
  const text = checkText(object.value.text);
  if (!text.ok) return text;
  if (!Object.hasOwn(object.value, 'clientOffset')) return { ok: true, value: { text: text.value } };
  const clientOffset = object.value.clientOffset;
  if (typeof clientOffset !== 'string' || clientOffset.length === 0 || clientOffset.length > MAX_CLIENT_OFFSET_LENGTH || /\p{Cs}/u.test(clientOffset)) {
    return { ok: false, error: `clientOffset must be a string of 1 to ${MAX_CLIENT_OFFSET_LENGTH} characters` };
  }
  return { ok: true, value: { text: text.value, clientOffset } };
}

/**
 * The id of the last message a client saw, from its handshake's `auth`, or 0
 * (a newcomer). Anything but a whole number from 1 to the highest id this
 * store ever gave counts as 0: a string, a negative number, NaN (which
 * arrives as null), 1e308, or an id from another database.
 */
export function serverOffsetOf(auth: unknown, lastId: number): number {
  const offset = isPlainObject(auth) ? auth.serverOffset : undefined;
  return typeof offset === 'number' && Number.isSafeInteger(offset) && offset > 0 && offset <= lastId ? offset : 0;
}

// What clients send, checked before the pins hear of it. `gpio:17` carries a
// payload and an acknowledgement, so `checked` (shared/handler.ts) takes it;
// `gpio:21` and `simulate:sensor` carry nothing, and the ack is optional.
import type { Limit } from '../../shared/rate-limit';
import { isPlainObject, takeAck, type Checked, type Reply } from '../../shared/validation';
import type { Bit, ValueReply } from './events';

/** The LED's state: exactly `{ value: 0 }` or `{ value: 1 }`. */
export function checkLedState(value: unknown): Checked<Bit> {
  if (!isPlainObject(value)) return { ok: false, error: 'send { value: 0 } or { value: 1 }' };
  const keys = Object.keys(value);
  if (keys.length !== 1 || keys[0] !== 'value') return { ok: false, error: 'send { value: 0 } or { value: 1 }, nothing else' };
  if (value.value !== 0 && value.value !== 1) return { ok: false, error: 'value must be the number 0 or 1' };
  return { ok: true, value: value.value };
}

/**
 * A listener for an event with no payload, whose acknowledgement is optional:
 * arguments are refused, `limit` (if any) is taken, then `handle` runs with the
 * ack, or undefined. Without an ack, a refusal is silent.
 */
export function noPayload<R extends Reply = ValueReply>(
  event: string,
  limit: Limit | null,
  handle: (ack: ((reply: R) => void) | undefined) => void,
) {
  return (...args: unknown[]) => {
    const { payload, ack } = takeAck<R>(args);
    const refuse = (error: string) => ack?.({ ok: false, error } as R);
    if (payload.length > 0) return refuse(`${event} takes no arguments, only an acknowledgement; got ${payload.length}`);
    if (limit && !limit.take()) return refuse(limit.error);
    handle(ack);
  };
}

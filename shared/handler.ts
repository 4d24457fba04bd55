// One handler, the steps lessons 03 and 04 wrote out by hand, in one call:
//
//   socket.on('createMessage', checked(checkMessagePayload, limiter.of(socket), ({ text }, ack) => {
//     io.emit('newMessage', generateMessage('User', text));
//     ack({ ok: true });
//   }));
//
// Before your function runs, `checked` has
//   1. split off the acknowledgement: none, and the event is dropped (lesson 03);
//   2. checked the payload: one argument, passing `check`, or { ok: false, error } (lesson 03);
//   3. taken a token from the rate limit (`limiter.of(socket)`), or answered its error (lesson 04).
// Your function gets the checked value and the acknowledgement, typed by the event.
// For an event whose acknowledgement is optional (lesson 05's `chat message`),
// `checkedAckOptional` runs your function without one too, and answers nothing.
import type { Limit } from './rate-limit';
import { checkOne, takeAck, type Checked, type Reply } from './validation';

/** The acknowledgement an event's listener gets: its last parameter (optional or not). */
export type AckOf<Listener> = Listener extends (...args: infer A) => void
  ? Required<A> extends [...unknown[], infer Last]
    ? Last
    : never
  : never;

/** A Socket.IO listener that runs `handle` only for a well-formed, acknowledged, allowed event. */
export function checked<T, Listener extends (...args: any[]) => void>(
  check: (value: unknown) => Checked<T>,
  limit: Limit | null,
  handle: (value: T, ack: AckOf<Listener>) => void,
): Listener {
  return checking(check, limit, true, handle as (value: T, ack: AckOf<Listener> | undefined) => void);
}

/** As `checked`, for an event whose acknowledgement is optional: `ack` is undefined when the client sent none. */
export function checkedAckOptional<T, Listener extends (...args: any[]) => void>(
  check: (value: unknown) => Checked<T>,
  limit: Limit | null,
  handle: (value: T, ack: AckOf<Listener> | undefined) => void,
): Listener {
  return checking(check, limit, false, handle);
}

function checking<T, Listener extends (...args: any[]) => void>(
  check: (value: unknown) => Checked<T>,
  limit: Limit | null,
  ackRequired: boolean,
  handle: (value: T, ack: AckOf<Listener> | undefined) => void,
): Listener {
  const listener = (...args: unknown[]) => {
    const { payload, ack } = takeAck<Reply>(args);
    if (!ack && ackRequired) return; // the contract asks for an acknowledgement: without one, drop it
    const value = checkOne(payload, check);
    if (!value.ok) return ack?.({ ok: false, error: value.error });
    if (limit && !limit.take()) return ack?.({ ok: false, error: limit.error });
    handle(value.value, ack as AckOf<Listener> | undefined);
  };
  return listener as Listener;
}

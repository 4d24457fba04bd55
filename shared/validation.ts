// Checks for what a client sends. Socket.IO's types describe a well-behaved
// client; at run time any value can arrive, so handlers take `unknown` and
// check it here before they use it.
import type { Socket } from 'socket.io';

/** The longest text a lesson accepts, unless it says otherwise. */
export const MAX_TEXT_LENGTH = 500;

/** What every acknowledgement answers: success with data, or a reason. */
export type Reply<T extends object = object> = ({ ok: true } & T) | { ok: false; error: string };

export type Ack<R> = (response: R) => void;

/** The result of a check: the cleaned value, or why it was refused. */
export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

/** True for a string with something in it besides white space. */
export function isRealString(value: unknown): value is string {
  return typeof value === 'string' && value.trim().length > 0;
}

/** True for `{ ... }`, not for null, arrays or other objects such as dates. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Control characters (the C0 and C1 sets: escape, bell, carriage return…),
 * except tab and newline. A terminal obeys them: "\x1b[2J" clears the screen
 * of everyone who reads the chat there.
 */
const CONTROL = /[\0-\x08\x0b-\x1f\x7f-\x9f]/u;
/**
 * Direction embeddings and overrides (LRE, RLE, PDF, LRO, RLO). An override
 * shows the letters after it in the opposite order: the text reads other than
 * it is. Writing in Arabic or Hebrew needs none of them; the marks (U+200E,
 * U+200F) and isolates (U+2066 to U+2069) it may use are allowed.
 */
const OVERRIDE = /[\u202a-\u202e]/u;
/**
 * A lone half of a surrogate pair ("\uD800"): a string where
 * `isWellFormed()` is false. UTF-8 cannot carry it, so a store, a file or
 * another server gets U+FFFD instead: what it replays differs from what was
 * acknowledged. (With the u flag, a whole pair is one character, not a match.)
 */
const LONE_SURROGATE = /\p{Cs}/u;

/** "U+202E": how a character is named in an error. */
export const codePoint = (character: string) =>
  `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * Checks a piece of text: a real string, at most `max` characters once
 * trimmed, well formed (no lone surrogates), with no control characters (tab
 * and newline are fine) and no direction overrides.
 */
export function checkText(value: unknown, name = 'text', max = MAX_TEXT_LENGTH): Checked<string> {
  if (typeof value !== 'string') return { ok: false, error: `${name} must be a string` };
  const text = value.trim();
  if (text.length === 0) return { ok: false, error: `${name} must not be empty` };
  if (text.length > max) return { ok: false, error: `${name} must be at most ${max} characters` };
  const lone = LONE_SURROGATE.exec(text)?.[0];
  if (lone) return { ok: false, error: `${name} must not contain lone surrogates (${codePoint(lone)})` };
  const control = CONTROL.exec(text)?.[0];
  if (control) return { ok: false, error: `${name} must not contain control characters (${codePoint(control)})` };
  const override = OVERRIDE.exec(text)?.[0];
  if (override) return { ok: false, error: `${name} must not contain direction overrides (${codePoint(override)})` };
  return { ok: true, value: text };
}

/**
 * What a name (or a room's name) may not contain: characters that draw
 * nothing or that change how the text around them is drawn. Controls (Cc),
 * format characters (Cf: zero-width spaces and joiners, direction marks,
 * overrides and isolates, the soft hyphen, tags), surrogate halves (Cs),
 * private use (Co), code points Unicode has not assigned (Cn), line and
 * paragraph separators, every default-ignorable character (variation
 * selectors, the Hangul fillers U+115F, U+1160, U+3164 and U+FFA0, U+180E…),
 * and two blanks that are none of those: U+2800 (braille, no dots) and
 * U+1D159 (a null notehead).
 */
const HIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\u2800\u{1d159}]/u;

/**
 * Checks a name someone picks for themselves or a room: a real string, in
 * NFKC form (full-width "Ａｄａ" becomes "Ada", "ﬁ" becomes "fi"), trimmed,
 * spaces inside squeezed to one (a page shows "Ann  Lee" as "Ann Lee"), at
 * most `max` characters, and nothing invisible: see HIDDEN. Accents and
 * every script are welcome: "Zoë", "Søren", "李雷", "Александр".
 */
export function checkName(value: unknown, name = 'name', max = MAX_TEXT_LENGTH): Checked<string> {
  if (typeof value !== 'string') return { ok: false, error: `${name} must be a string` };
  // Before and after NFKC: the error names the character as it was sent (NFKC turns U+3164 into U+1160).
  const hidden = HIDDEN.exec(value)?.[0] ?? HIDDEN.exec(value.normalize('NFKC'))?.[0];
  if (hidden) return { ok: false, error: `${name} must not contain invisible or control characters (${codePoint(hidden)})` };
  const text = value.normalize('NFKC').trim().replace(/\s+/g, ' ');
  if (text.length === 0) return { ok: false, error: `${name} must not be empty` };
  if (text.length > max) return { ok: false, error: `${name} must be at most ${max} characters` };
  return { ok: true, value: text };
}

/**
 * Socket.IO hands a listener the client's arguments, then the acknowledgement
 * function last, if the client asked for one. This splits the two.
 */
export function takeAck<R>(args: unknown[]): { payload: unknown[]; ack: Ack<R> | undefined } {
  const last = args[args.length - 1];
  if (typeof last === 'function') {
    return { payload: args.slice(0, -1), ack: last as Ack<R> };
  }
  return { payload: args, ack: undefined };
}

/**
 * Checks that exactly one payload argument came, then runs `check` on it.
 * Extra arguments are refused rather than ignored, so a client learns its
 * mistake instead of wondering where its data went.
 */
export function checkOne<T>(payload: unknown[], check: (value: unknown) => Checked<T>): Checked<T> {
  if (payload.length !== 1) {
    return { ok: false, error: `expected 1 argument and an acknowledgement, got ${payload.length} arguments` };
  }
  return check(payload[0]);
}

/**
 * Answers any event the socket has no listener for with an error
 * acknowledgement (when the client asked for one). Without this, Socket.IO
 * drops unknown events silently, and a client with a typo waits for an answer
 * forever. Call it after the socket's `on(...)` handlers: it knows an event by
 * its listener, so a handler you add is never refused by mistake.
 */
export function refuseUnknownEvents(socket: Socket): void {
  socket.onAny((event: unknown, ...args: unknown[]) => {
    if (typeof event === 'string' && socket.listeners(event).length > 0) return;
    const { ack } = takeAck<Reply>(args);
    ack?.({ ok: false, error: `unknown event "${String(event)}"` });
  });
}

/** Checks a number: finite (not NaN, not Infinity) and from `min` to `max`. */
export function checkNumber(value: unknown, name: string, min: number, max: number): Checked<number> {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return { ok: false, error: `${name} must be a number` };
  }
  if (value < min || value > max) return { ok: false, error: `${name} must be from ${min} to ${max}` };
  return { ok: true, value };
}

/**
 * Checks that `value` is a plain object with no fields besides `fields`.
 * A field the server sets itself (say `from`) is refused, not ignored.
 */
export function checkFields(value: unknown, fields: readonly string[]): Checked<Record<string, unknown>> {
  if (!isPlainObject(value)) return { ok: false, error: `expected an object like { ${fields.join(', ')} }` };
  const extra = Object.keys(value).find((key) => !fields.includes(key));
  if (extra !== undefined) return { ok: false, error: `unexpected field "${extra}"` };
  return { ok: true, value };
}

/** Checks the payload of a chat message, `{ text }`: the text trimmed, at most MAX_TEXT_LENGTH. */
export function checkMessagePayload(value: unknown): Checked<{ text: string }> {
  const object = checkFields(value, ['text']);
  if (!object.ok) return object;
  const text = checkText(object.value.text);
  return text.ok ? { ok: true, value: { text: text.value } } : text;
}

export interface Coordinates {
  latitude: number;
  longitude: number;
}

/** Checks `{ latitude, longitude }`: finite numbers, latitude -90 to 90, longitude -180 to 180. */
export function checkCoordinates(value: unknown): Checked<Coordinates> {
  const object = checkFields(value, ['latitude', 'longitude']);
  if (!object.ok) return object;
  const latitude = checkNumber(object.value.latitude, 'latitude', -90, 90);
  if (!latitude.ok) return latitude;
  const longitude = checkNumber(object.value.longitude, 'longitude', -180, 180);
  if (!longitude.ok) return longitude;
  return { ok: true, value: { latitude: latitude.value, longitude: longitude.value } };
}

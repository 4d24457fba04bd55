// The chat page of lesson 10: lesson 09's chat, with the room's people in the
// sidebar, kept up to date by the server's `updateUserList`, and a form to
// switch rooms without leaving the page.
import type { Socket } from 'socket.io-client';
import type { ClientToServerEvents, LocationMessage, Message, ServerToClientEvents } from '../events';

// Globals from the scripts chat.html loads before this one.
declare const io: () => Socket<ServerToClientEvents, ClientToServerEvents>;
declare const Mustache: typeof import('mustache');
declare const moment: typeof import('moment');

const socket = io();
const messages = document.querySelector<HTMLOListElement>('#messages')!;
const form = document.querySelector<HTMLFormElement>('#form')!;
const input = document.querySelector<HTMLInputElement>('#input')!;
const sendButton = document.querySelector<HTMLButtonElement>('#send')!;
const locationButton = document.querySelector<HTMLButtonElement>('#send-location')!;
const error = document.querySelector<HTMLElement>('#error')!;
const locationNote = document.querySelector<HTMLElement>('#location-note')!;
const messageTemplate = document.querySelector('#message-template')!.innerHTML;
const locationTemplate = document.querySelector('#location-message-template')!.innerHTML;

// ── Joining ─────────────────────────────────────────────────────────────────

// URLSearchParams reads the query string, decoding %20, + and the rest.
const params = new URLSearchParams(location.search);
const wanted = { name: params.get('name') ?? '', room: params.get('room') ?? '' };
let me: { name: string; room: string } | undefined; // as the server stored us
const NO_ANSWER = 'no answer from the server';

const myName = () => me?.name;

// After a reconnect, how often and how many times the page asks to rejoin (see `join`):
// 25 tries, 2 s apart, outlast the 45 s the server may take to drop a dead socket.
const REJOIN_EVERY = 2000;
const REJOIN_TRIES = 25;
let rejoinTimer: ReturnType<typeof setTimeout> | undefined;

// Join on every connection: after a reconnect the server has a new socket
// that has joined nothing. `me` is set if we were in a room before.
socket.on('connect', () => {
  showStatus('connected', true);
  void join(me ? REJOIN_TRIES : 1);
});
socket.on('disconnect', () => {
  showStatus('disconnected, reconnecting…', false);
  clearTimeout(rejoinTimer); // the next connection starts again
});

/**
 * Asks to join `wanted`, up to `tries` times. After a network drop, the page
 * may be back before the server has noticed that the old socket is dead
 * (pingInterval + pingTimeout: up to 45 s). Until then the old socket holds
 * our name, and the server answers "taken". So a rejoin waits and tries again.
 */
async function join(tries: number): Promise<void> {
  const reply = await ask(() => socket.timeout(5000).emitWithAck('join', wanted));
  if (reply.ok) {
    showNote(error, '');
    return joined(reply);
  }
  if (reply.error === NO_ANSWER) return showNote(error, 'Could not join: no answer from the server.');
  if (tries > 1 && socket.connected) {
    showNote(error, `Rejoining ${wanted.room}… (${reply.error})`);
    rejoinTimer = setTimeout(() => join(tries - 1), REJOIN_EVERY);
    return;
  }
  // Back to the join page, with the reason and what was typed.
  location.replace(`index.html?${new URLSearchParams({ ...wanted, error: reply.error })}`);
}

/** Shows the name and room the server stored (trimmed; the room as its first member typed it). */
function joined(stored: { name: string; room: string }): void {
  me = stored;
  wanted.name = stored.name;
  wanted.room = stored.room; // a reconnect rejoins this room
  document.querySelector('#me')!.textContent = me.name;
  document.querySelector('#room')!.textContent = me.room;
  document.title = `${me.room} · 10 · Users`;
  // The address follows, so a reload stays in this room.
  history.replaceState(null, '', `?${new URLSearchParams(wanted)}`);
  // Leaving keeps your name on the join page.
  document.querySelector<HTMLAnchorElement>('.sidebar__leave')!.search = `?${new URLSearchParams({ name: me.name })}`;
}

// ── The people in the room ─────────────────────────────────────────────────

// The server sends the whole list to the room whenever someone comes or goes.
socket.on('updateUserList', (names) => {
  const items = names.map((name) => {
    const item = document.createElement('li');
    item.textContent = name; // textContent: a name is text, never HTML
    if (name === myName()) item.classList.add('me');
    return item;
  });
  document.querySelector('#users')!.replaceChildren(...items);
  document.querySelector('#user-count')!.textContent = `(${names.length})`;
});

// ── Switching rooms ─────────────────────────────────────────────────────────

const switchForm = document.querySelector<HTMLFormElement>('#switch')!;
const switchInput = document.querySelector<HTMLInputElement>('#switch-room')!;
const switchError = document.querySelector<HTMLElement>('#switch-error')!;

switchForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const button = document.querySelector<HTMLButtonElement>('#switch-button')!;
  button.disabled = true;
  // Joining again moves us: the server takes us out of the old room first.
  const reply = await ask(() => socket.timeout(5000).emitWithAck('join', { name: wanted.name, room: switchInput.value }));
  button.disabled = false;
  if (reply.ok) {
    joined(reply);
    switchInput.value = '';
  }
  showNote(switchError, reply.ok ? '' : reply.error);
});

// ── Showing messages ────────────────────────────────────────────────────────

socket.on('newMessage', (message) => addMessage(messageTemplate, message));
socket.on('newLocationMessage', (message) => addMessage(locationTemplate, message));

function addMessage(template: string, message: Message | LocationMessage): void {
  const time = moment(message.createdAt);
  // {{ }} in the template escapes what it inserts: text stays text.
  const html = Mustache.render(template, {
    ...message,
    time: time.format('h:mm a'), // 3:07 pm
    full: time.format('LLLL'), // Tuesday, March 3, 2026 3:07 PM, on hover
    iso: time.toISOString(),
    kind: message.from === myName() ? 'mine' : message.from === 'Admin' ? 'admin' : '',
  });
  // Measure before adding: was the reader at the bottom?
  const follow = isNearBottom() || message.from === myName();
  messages.insertAdjacentHTML('beforeend', html);
  if (follow) messages.scrollTop = messages.scrollHeight;
}

/** True when the list is scrolled to the bottom, or nearly (within 100 px). */
function isNearBottom(): boolean {
  return messages.scrollHeight - messages.scrollTop - messages.clientHeight < 100;
}

// ── Sending ─────────────────────────────────────────────────────────────────

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!input.value.trim()) return showNote(error, 'Type a message first.');
  sendButton.disabled = true;
  const reply = await ask(() => socket.timeout(5000).emitWithAck('createMessage', { text: input.value }));
  sendButton.disabled = false;
  if (reply.ok) {
    input.value = ''; // sent: clear the box
    showNote(error, '');
  } else {
    showNote(error, `Not sent: ${reply.error}`); // refused: keep the text, so it can be fixed
  }
  input.focus();
});

if (!navigator.geolocation || !isSecureContext) {
  // Browsers share a location only with pages from https or localhost.
  locationButton.disabled = true;
  showNote(locationNote, 'This browser cannot share your location with this page (it needs https or localhost).');
}

/** How long the page waits for a position, the browser's question to the user included. */
const LOCATE_TIMEOUT = 15_000;

locationButton.addEventListener('click', async () => {
  setLocationButton('Locating…'); // disabled: no second click while the first is on its way
  showNote(locationNote, '');
  const found = await locate();
  if (!found.ok) {
    setLocationButton('Send location');
    return showNote(locationNote, found.error);
  }
  setLocationButton('Sending…'); // we know where we are: now wait for the server
  const { latitude, longitude } = found.coords;
  const reply = await ask(() => socket.timeout(5000).emitWithAck('createLocationMessage', { latitude, longitude }));
  setLocationButton('Send location');
  showNote(locationNote, reply.ok ? '' : `Location not sent: ${reply.error}`);
});

/**
 * Asks the browser where we are. Like `ask`, it never throws: it answers the
 * position, or a sentence to show when the user says no, the browser cannot
 * tell, or nothing comes back in time.
 */
function locate(): Promise<{ ok: true; coords: GeolocationCoordinates } | { ok: false; error: string }> {
  return new Promise((resolve) => {
    // getCurrentPosition's own `timeout` starts only once the user has said yes: a question
    // nobody answers would keep us waiting forever. So the page keeps its own clock too.
    const giveUp = setTimeout(() => {
      const error = `No location after ${LOCATE_TIMEOUT / 1000} seconds. If the browser asks where you are, answer it, then try again.`;
      resolve({ ok: false, error });
    }, LOCATE_TIMEOUT);
    // A promise settles once: whichever comes first wins, and a late answer is ignored.
    navigator.geolocation.getCurrentPosition(
      ({ coords }) => {
        clearTimeout(giveUp);
        resolve({ ok: true, coords });
      },
      (failure) => {
        clearTimeout(giveUp);
        const error =
          failure.code === failure.PERMISSION_DENIED
            ? 'You did not allow this page to see your location. Allow it in the address bar, then try again.'
            : `Could not find your location (${failure.message || 'no reason given'}).`;
        resolve({ ok: false, error });
      },
      // Give up 10 s after the user said yes; a position found in the last minute will do.
      { timeout: 10_000, maximumAge: 60_000 },
    );
  });
}

/** Sends a request; a server that does not answer in time counts as a refusal. */
async function ask<R extends { ok: true } | { ok: false; error: string }>(send: () => Promise<R>) {
  try {
    return await send();
  } catch {
    return { ok: false as const, error: NO_ANSWER };
  }
}

/** The button says what is happening, and works only when nothing is. */
function setLocationButton(label: 'Send location' | 'Locating…' | 'Sending…'): void {
  locationButton.disabled = label !== 'Send location';
  locationButton.textContent = label;
}

function showNote(note: HTMLElement, text: string): void {
  note.textContent = text;
  note.hidden = !text;
}

function showStatus(text: string, connected: boolean): void {
  const status = document.querySelector('#status')!;
  status.textContent = text;
  status.classList.toggle('connected', connected);
}

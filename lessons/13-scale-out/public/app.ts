// The chat page of lesson 10: lesson 09's chat, with the room's people in the
// sidebar, kept up to date by the server's `updateUserList`, and a form to
// switch rooms without leaving the page. Showing and sending messages is
// lesson 08's code, from shared/public/chat-view.ts.
import type { Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../events';
import { ask, NO_ANSWER, sendLocations, sendMessages, showMessages, showNote, showStatus } from '../../../shared/public/chat-view.js';

// Globals from the scripts chat.html loads before this one.
declare const io: () => Socket<ServerToClientEvents, ClientToServerEvents>;

const socket = io();
const error = document.querySelector<HTMLElement>('#error')!;

// ── Joining ─────────────────────────────────────────────────────────────────

// URLSearchParams reads the query string, decoding %20, + and the rest.
const params = new URLSearchParams(location.search);
const wanted = { name: params.get('name') ?? '', room: params.get('room') ?? '' };
let me: { name: string; room: string } | undefined; // as the server stored us

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
  document.title = `${me.room} · 13 · Scale-out`;
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

// ── Showing and sending messages, as in lesson 08 ───────────────────────────

showMessages(socket, {
  list: document.querySelector('#messages')!,
  messageTemplate: document.querySelector('#message-template')!.innerHTML,
  locationTemplate: document.querySelector('#location-message-template')!.innerHTML,
  myName,
});
sendMessages(socket, {
  form: document.querySelector('#form')!,
  input: document.querySelector('#input')!,
  button: document.querySelector('#send')!,
  error,
});
sendLocations(socket, document.querySelector('#send-location')!, document.querySelector('#location-note')!);

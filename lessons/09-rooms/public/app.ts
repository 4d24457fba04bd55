// The chat page of lesson 09: lesson 08's chat, in a room. The join page
// sends us here as chat.html?name=Ann&room=Lobby; we ask the server to join,
// and go back to the join page with the reason if it says no. Showing and
// sending messages is lesson 08's code, from shared/public/chat-view.ts.
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

// Join on every connection: after a reconnect the server has a new socket
// that has joined nothing.
socket.on('connect', async () => {
  showStatus('connected', true);
  const reply = await ask(() => socket.timeout(5000).emitWithAck('join', wanted));
  if (!reply.ok) {
    if (reply.error === NO_ANSWER) return showNote(error, 'Could not join: no answer from the server.');
    // Back to the join page, with the reason and what was typed.
    return location.replace(`index.html?${new URLSearchParams({ ...wanted, error: reply.error })}`);
  }
  me = { name: reply.name, room: reply.room };
  document.querySelector('#me')!.textContent = me.name;
  document.querySelector('#room')!.textContent = me.room;
  document.title = `${me.room} · 09 · Rooms`;
  // Leaving keeps your name on the join page.
  document.querySelector<HTMLAnchorElement>('.sidebar__leave')!.search = `?${new URLSearchParams({ name: me.name })}`;
  const you = document.createElement('li');
  you.textContent = `${me.name} (you)`;
  document.querySelector('#users')!.replaceChildren(you);
});
socket.on('disconnect', () => showStatus('disconnected, reconnecting…', false));

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

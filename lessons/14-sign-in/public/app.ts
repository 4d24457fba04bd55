// The chat page of lesson 14: lesson 12's, where the name is the account's.
// The page never sends a name: the server knows who we are from the session
// cookie, which the browser sends with the Socket.IO handshake by itself.
// When the session ends (signed out in another tab, or idle too long), the
// server disconnects this socket, and the page goes back to the sign-in form.
// Nothing lost, nothing twice, as lesson 12's page does it (shared/public/delivery-page.ts):
// the last id seen goes in `auth.serverOffset`, each message carries a `clientOffset`.
import type { Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../events';
import { ask, NO_ANSWER, sendLocations, showNote, showStatus } from '../../../shared/public/chat-view.js';
import { deliverySocket, sendEachOnce, showEachOnce } from '../../../shared/public/delivery-page.js';

// Lesson 12's socket: it sends `auth` ({ serverOffset }) with every connection, and retries each request.
const { socket: deliveries, auth } = deliverySocket();
const socket = deliveries as Socket<ServerToClientEvents, ClientToServerEvents>;
const error = document.querySelector<HTMLElement>('#error')!;
const switchError = document.querySelector<HTMLElement>('#switch-error')!;

// ── Joining ─────────────────────────────────────────────────────────────────

const wanted = { room: new URLSearchParams(location.search).get('room') || 'Lobby' };
let me: { name: string; room: string } | undefined;
/** In a room: a message refused "join a room first" after a reconnect waits for the rejoin (lesson 12). */
let inRoom = false;

socket.on('connect', () => {
  showStatus('connected', true);
  void join(wanted.room);
});
// Signing out here: the form's own answer takes us to /signin.
let signingOut = false;
document.querySelectorAll('.signout').forEach((form) => form.addEventListener('submit', () => (signingOut = true)));
socket.on('disconnect', (reason) => {
  showStatus('disconnected', false);
  // The server ended this socket: the session is over (signed out in another tab, or expired).
  if (reason === 'io server disconnect' && !signingOut) location.assign('/signin');
});
// A handshake without a signed-in session is refused: sign in again.
socket.on('connect_error', (err) => {
  if (/sign in/.test(err.message)) location.assign('/signin');
});

async function join(room: string): Promise<boolean> {
  const reply = await ask(() => socket.timeout(5000).emitWithAck('join', { room }));
  if (!reply.ok) {
    showNote(switchError, reply.error === NO_ANSWER ? 'Could not join: no answer from the server.' : reply.error);
    return false;
  }
  showNote(switchError, '');
  me = { name: reply.name, room: reply.room };
  inRoom = true;
  resumeSending(); // what waited for this join goes again
  wanted.room = reply.room;
  document.querySelector('#me')!.textContent = me.name;
  document.querySelector('#room')!.textContent = me.room;
  document.title = `${me.room} · 14 · Sign-in and roles`;
  history.replaceState(null, '', `?${new URLSearchParams(wanted)}`);
  return true;
}

// ── The people in the room ─────────────────────────────────────────────────

socket.on('updateUserList', (names) => {
  const items = names.map((name) => {
    const item = document.createElement('li');
    item.textContent = name; // text, never HTML
    if (name === me?.name) item.classList.add('me');
    return item;
  });
  document.querySelector('#users')!.replaceChildren(...items);
  document.querySelector('#user-count')!.textContent = `(${names.length})`;
});

// ── What the instructor does ────────────────────────────────────────────────

socket.on('muted', ({ room, until }) => {
  showNote(error, `The instructor muted you in ${room} until ${new Date(until).toLocaleTimeString()}.`);
});
const outOfRoom = (text: string) => {
  inRoom = false;
  document.querySelector('#users')!.replaceChildren();
  document.querySelector('#user-count')!.textContent = '';
  showNote(switchError, text);
};
socket.on('removed', ({ room }) => outOfRoom(`The instructor removed you from ${room}. Join another room.`));
socket.on('roomClosed', ({ room }) => outOfRoom(`The instructor closed ${room}. Join another room.`));
// Only an instructor's socket is sent the rooms: then the page links to the instructor's view.
socket.on('rooms', () => (document.querySelector<HTMLElement>('#instructor-link')!.hidden = false));

// ── Switching rooms ─────────────────────────────────────────────────────────

const switchForm = document.querySelector<HTMLFormElement>('#switch')!;
const switchInput = document.querySelector<HTMLInputElement>('#switch-room')!;
switchForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const button = document.querySelector<HTMLButtonElement>('#switch-button')!;
  button.disabled = true;
  if (await join(switchInput.value)) switchInput.value = '';
  button.disabled = false;
});

// ── Showing and sending messages: each once, as in lesson 12 ────────────────

showEachOnce(deliveries, {
  list: document.querySelector('#messages')!,
  messageTemplate: document.querySelector('#message-template')!.innerHTML,
  locationTemplate: document.querySelector('#location-message-template')!.innerHTML,
  myName: () => me?.name,
}, auth, document.querySelector('#delivery')!);
const resumeSending = sendEachOnce(deliveries, {
  form: document.querySelector('#form')!,
  input: document.querySelector('#input')!,
  button: document.querySelector('#send')!,
  error,
}, () => inRoom);
sendLocations(socket, document.querySelector('#send-location')!, document.querySelector('#location-note')!);

// The chat page: send what is typed in the form, show what everyone says.
import type { Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../events';

// The global `io` that /socket.io/socket.io.js defines, with our event types.
declare const io: () => Socket<ServerToClientEvents, ClientToServerEvents>;

const WAIT_MS = 2000;
const socket = io(); // no address: the server that sent this page
const messages = document.querySelector<HTMLUListElement>('#messages')!;
const empty = document.querySelector<HTMLElement>('#empty')!;
const form = document.querySelector<HTMLFormElement>('#form')!;
const input = document.querySelector<HTMLInputElement>('#input')!;
const error = document.querySelector<HTMLElement>('#error')!;
const me = document.querySelector<HTMLElement>('#me')!;
const status = document.querySelector<HTMLElement>('#status')!;

// The server names us by the first 6 characters of our socket id.
const myName = () => socket.id?.slice(0, 6);

socket.on('connect', () => {
  me.textContent = myName() ?? '…';
  showStatus('connected', true);
});
socket.on('disconnect', () => showStatus('disconnected, reconnecting…', false));

form.addEventListener('submit', async (event) => {
  event.preventDefault(); // stay on the page instead of submitting the form
  const text = input.value;
  if (!text.trim()) return;
  error.textContent = '';
  input.value = '';
  input.focus();
  try {
    // As in lessons 03 and 04: wait for the server's answer, but not forever.
    const reply = await socket.timeout(WAIT_MS).emitWithAck('chat message', text);
    if (!reply.ok) error.textContent = `Not sent: ${reply.error}`;
  } catch {
    error.textContent = `No answer from the server within ${WAIT_MS / 1000} s.`;
  }
});

socket.on('chat message', ({ from, text }) => {
  const item = document.createElement('li');
  const name = document.createElement('strong');
  name.textContent = from;
  // textContent, never innerHTML: a message with <b> or <script> in it shows as text.
  item.append(name, `: ${text}`);
  item.classList.toggle('mine', from === myName());
  messages.append(item);
  empty.hidden = true;
  messages.scrollTop = messages.scrollHeight; // show the newest message
});

function showStatus(text: string, connected: boolean): void {
  status.textContent = text;
  status.classList.toggle('connected', connected);
}

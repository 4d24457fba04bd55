// The page's code: speaks to the chosen audience, and lists every message
// the server passes to this page.
import type { Socket } from 'socket.io-client';
import type { Audience, ClientToServerEvents, ServerToClientEvents } from '../events';

// The global `io` that /socket.io/socket.io.js defines, with our event types.
declare const io: () => Socket<ServerToClientEvents, ClientToServerEvents>;

const form = document.querySelector<HTMLFormElement>('#speak')!;
const input = document.querySelector<HTMLInputElement>('#text')!;
const audience = document.querySelector<HTMLSelectElement>('#to')!;
const errorText = document.querySelector<HTMLElement>('#error')!;
const statusText = document.querySelector<HTMLElement>('#status')!;
const messages = document.querySelector<HTMLUListElement>('#messages')!;
const empty = document.querySelector<HTMLElement>('#empty')!;

// The command that joins this server from a terminal, with this server's address.
document.querySelector('#terminal')!.textContent = `npx ts-node lessons/04-broadcast/terminal.ts ${location.origin}`;

const socket = io();
// The server names each client by the first 6 characters of its socket id.
const myName = () => socket.id?.slice(0, 6);

socket.on('connect', () => showStatus(`connected: you are ${myName()}`, true));
socket.on('disconnect', () => showStatus('disconnected, reconnecting…', false));

socket.on('incoming-message', ({ from, text }) => {
  const item = document.createElement('li');
  const name = document.createElement('strong');
  name.textContent = from === myName() ? `${from} (you)` : from;
  item.append(name, `: ${text}`); // text nodes: a message is never HTML
  messages.append(item);
  item.scrollIntoView({ block: 'nearest' });
  empty.hidden = true;
});

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const speech = { text: input.value, to: audience.value as Audience };
  try {
    const reply = await socket.timeout(2000).emitWithAck('speak', speech);
    showError(reply.ok ? '' : reply.error);
    if (reply.ok) input.value = '';
  } catch {
    showError('no answer from the server');
  }
  input.focus();
});

function showError(text: string): void {
  errorText.textContent = text;
  errorText.hidden = text === '';
}

function showStatus(text: string, connected: boolean): void {
  statusText.textContent = text;
  statusText.classList.toggle('connected', connected);
}

// The page's code. The Socket.IO client comes from the same server as the
// page (see index.html), so io() needs no address: it connects back to it.
import type { Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../events';

// The global `io` that /socket.io/socket.io.js defines, with our event types.
declare const io: () => Socket<ServerToClientEvents, ClientToServerEvents>;

const helloText = document.querySelector<HTMLElement>('#hello')!;
const statusText = document.querySelector<HTMLElement>('#status')!;
const dateText = document.querySelector<HTMLElement>('#date')!;
const countText = document.querySelector<HTMLElement>('#count')!;

const socket = io();

// connect and disconnect happen on the client; the server sees "connection".
socket.on('connect', () => showStatus('connected', true));
socket.on('disconnect', (reason) => showStatus(`disconnected (${reason}), reconnecting…`, false));
socket.on('connect_error', (err) => showStatus(`cannot connect: ${err.message}`, false));

socket.on('event:hello', ({ id }) => {
  helloText.textContent = `The server said hello to connection ${id}.`;
});

socket.on('date', ({ iso }) => {
  dateText.textContent = new Date(iso).toLocaleTimeString();
});

socket.on('clients', ({ count }) => {
  countText.textContent = count === 1 ? '1 (just you)' : String(count);
});

function showStatus(text: string, connected: boolean): void {
  statusText.textContent = text;
  statusText.classList.toggle('connected', connected);
}

// The page's code. It loads the Socket.IO client from the Socket.IO server,
// connects, and shows each date the server pushes.
import type { Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../events';

// The global `io` that /socket.io/socket.io.js defines, with our event types.
declare const io: (url: string) => Socket<ServerToClientEvents, ClientToServerEvents>;

const serverUrl = new URLSearchParams(location.search).get('server') ?? 'http://localhost:3000';
const dateText = document.querySelector<HTMLElement>('#date')!;
const countText = document.querySelector<HTMLElement>('#count')!;
const statusText = document.querySelector<HTMLElement>('#status')!;
document.querySelector<HTMLElement>('#server')!.textContent = serverUrl;

// The client library is served by the Socket.IO server itself.
const script = document.createElement('script');
script.src = `${serverUrl}/socket.io/socket.io.js`;
script.onerror = () => showStatus(`cannot load the client from ${serverUrl}: is the server running?`, false);
script.onload = () => {
  const socket = io(serverUrl);
  let count = 0;

  socket.on('connect', () => showStatus('connected', true));
  socket.on('disconnect', () => showStatus('disconnected, reconnecting…', false));
  socket.on('connect_error', (err) => showStatus(`cannot connect: ${err.message}`, false));

  socket.on('date', ({ iso }) => {
    dateText.textContent = new Date(iso).toLocaleTimeString();
    countText.textContent = String(++count);
  });
};
document.head.append(script);

function showStatus(text: string, connected: boolean): void {
  statusText.textContent = text;
  statusText.classList.toggle('connected', connected);
}

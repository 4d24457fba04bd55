// The page's code. It loads the Socket.IO client from the Socket.IO server,
// connects, and shows each date the server pushes.
import type { Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../events';

// The global `io` that /socket.io/socket.io.js defines, with our event types.
declare const io: (url: string) => Socket<ServerToClientEvents, ClientToServerEvents>;

// Which server to use comes from the address: ?server=http://localhost:3000.
// Anyone can send you a link with anything in it, so it is checked like any
// other input before it becomes a script's address (see serverOrigin below).
const server = serverOrigin(new URLSearchParams(location.search).get('server') ?? 'http://localhost:3000');
const dateText = document.querySelector<HTMLElement>('#date')!;
const countText = document.querySelector<HTMLElement>('#count')!;
const statusText = document.querySelector<HTMLElement>('#status')!;

if (server.ok) {
  connectTo(server.origin);
} else {
  dateText.textContent = 'no server';
  showStatus(server.error, false);
}

function connectTo(serverUrl: string): void {
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
}

function showStatus(text: string, connected: boolean): void {
  statusText.textContent = text;
  statusText.classList.toggle('connected', connected);
}

/**
 * The origin of an http(s) address, like "http://localhost:3000" (any path or
 * query is dropped), or why `text` is not one. Anything else would load a
 * script from wherever the link says: `data:text/javascript,…` is a script.
 */
function serverOrigin(text: string): { ok: true; origin: string } | { ok: false; error: string } {
  const shown = text.length > 60 ? `${text.slice(0, 59)}…` : text;
  const refuse = (why: string) => ({ ok: false as const, error: `refused the server address "${shown}": ${why}` });
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return refuse('it is not a full address, like http://localhost:3000');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return refuse('it must start with http:// or https://');
  // http://localhost:3000@evil.example is evil.example, with a user name.
  if (url.username || url.password) return refuse(`it must not have a user name or password (the server would be ${url.host})`);
  return { ok: true, origin: url.origin };
}

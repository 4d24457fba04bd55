// The chat page of lesson 07: lesson 06's page, plus a button that shares
// where you are.
import type { Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../events';

// The global `io` that /socket.io/socket.io.js defines, with our event types.
declare const io: () => Socket<ServerToClientEvents, ClientToServerEvents>;

const socket = io();
const messages = document.querySelector<HTMLUListElement>('#messages')!;
const form = document.querySelector<HTMLFormElement>('#form')!;
const input = document.querySelector<HTMLInputElement>('#input')!;
const sendButton = document.querySelector<HTMLButtonElement>('#send')!;
const locationButton = document.querySelector<HTMLButtonElement>('#send-location')!;
const error = document.querySelector<HTMLElement>('#error')!;
const locationNote = document.querySelector<HTMLElement>('#location-note')!;

const myName = () => socket.id?.slice(0, 6); // how the server names us

socket.on('connect', () => {
  document.querySelector('#me')!.textContent = myName() ?? '…';
  showStatus('connected', true);
});
socket.on('disconnect', () => showStatus('disconnected, reconnecting…', false));

// ── Showing messages ────────────────────────────────────────────────────────

socket.on('newMessage', ({ from, text }) => addItem(from, text));

socket.on('newLocationMessage', ({ from, url }) => {
  const link = document.createElement('a');
  link.href = url; // made by the server from two checked numbers
  link.textContent = 'My current location';
  // A new tab, and the map page gets no handle on this one (window.opener) nor its address.
  link.target = '_blank';
  link.rel = 'noopener noreferrer';
  addItem(from, link);
});

function addItem(from: string, content: string | Node): void {
  const item = document.createElement('li');
  const name = document.createElement('strong');
  name.textContent = from;
  item.append(name, ': ', content); // strings go in as text, never as HTML
  if (from === 'Admin') item.classList.add('admin');
  else if (from === myName()) item.classList.add('mine');
  messages.append(item);
  messages.scrollTop = messages.scrollHeight;
}

// ── Sending a message ───────────────────────────────────────────────────────

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!input.value.trim()) return showNote(error, 'Type a message first.');
  sendButton.disabled = true;
  try {
    const reply = await socket.timeout(5000).emitWithAck('createMessage', { text: input.value });
    if (reply.ok) {
      input.value = ''; // sent: clear the box
      showNote(error, '');
    } else {
      showNote(error, `Not sent: ${reply.error}`); // refused: keep the text
    }
  } catch {
    showNote(error, 'Not sent: no answer from the server.');
  } finally {
    sendButton.disabled = false;
    input.focus();
  }
});

// ── Sending a location ──────────────────────────────────────────────────────

if (!navigator.geolocation || !isSecureContext) {
  // Browsers share a location only with pages from https or localhost.
  locationButton.disabled = true;
  showNote(locationNote, 'This browser cannot share your location with this page (it needs https or localhost).');
}

locationButton.addEventListener('click', () => {
  setLocationSending(true); // no second click while the first is on its way
  showNote(locationNote, '');
  navigator.geolocation.getCurrentPosition(
    async ({ coords: { latitude, longitude } }) => {
      try {
        const reply = await socket.timeout(5000).emitWithAck('createLocationMessage', { latitude, longitude });
        if (!reply.ok) showNote(locationNote, `Location not sent: ${reply.error}`);
      } catch {
        showNote(locationNote, 'Location not sent: no answer from the server.');
      } finally {
        setLocationSending(false);
      }
    },
    (failure) => {
      setLocationSending(false);
      showNote(
        locationNote,
        failure.code === failure.PERMISSION_DENIED
          ? 'You did not allow this page to see your location. Allow it in the address bar, then try again.'
          : `Could not find your location (${failure.message || 'no reason given'}).`,
      );
    },
    { timeout: 10_000, maximumAge: 60_000 },
  );
});

function setLocationSending(sending: boolean): void {
  locationButton.disabled = sending;
  locationButton.textContent = sending ? 'Sending location…' : 'Send location';
}

function showNote(note: HTMLElement, text: string): void {
  note.textContent = text;
}

function showStatus(text: string, connected: boolean): void {
  const status = document.querySelector('#status')!;
  status.textContent = text;
  status.classList.toggle('connected', connected);
}

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

/** How long the page waits for a position, the browser's question to the user included. */
const LOCATE_TIMEOUT = 15_000;

locationButton.addEventListener('click', async () => {
  setLocationButton('Locating…'); // disabled: no second click while the first is on its way
  showNote(locationNote, '');
  let coords: GeolocationCoordinates;
  try {
    coords = await locate();
  } catch (failure) {
    setLocationButton('Send location');
    return showNote(locationNote, (failure as Error).message);
  }
  setLocationButton('Sending…'); // we know where we are: now wait for the server
  try {
    const { latitude, longitude } = coords;
    const reply = await socket.timeout(5000).emitWithAck('createLocationMessage', { latitude, longitude });
    if (!reply.ok) showNote(locationNote, `Location not sent: ${reply.error}`);
  } catch {
    showNote(locationNote, 'Location not sent: no answer from the server.');
  } finally {
    setLocationButton('Send location');
  }
});

/**
 * Asks the browser where we are. Rejects with a sentence to show when the
 * user says no, the browser cannot tell, or nothing comes back in time.
 */
function locate(): Promise<GeolocationCoordinates> {
  return new Promise((resolve, reject) => {
    // getCurrentPosition's own `timeout` starts only once the user has said yes: a question
    // nobody answers would keep us waiting forever. So the page keeps its own clock too.
    const giveUp = setTimeout(
      () => reject(new Error(`No location after ${LOCATE_TIMEOUT / 1000} seconds. If the browser asks where you are, answer it, then try again.`)),
      LOCATE_TIMEOUT,
    );
    // A promise settles once: whichever comes first wins, and a late answer is ignored.
    navigator.geolocation.getCurrentPosition(
      (position) => {
        clearTimeout(giveUp);
        resolve(position.coords);
      },
      (failure) => {
        clearTimeout(giveUp);
        reject(
          new Error(
            failure.code === failure.PERMISSION_DENIED
              ? 'You did not allow this page to see your location. Allow it in the address bar, then try again.'
              : `Could not find your location (${failure.message || 'no reason given'}).`,
          ),
        );
      },
      // Give up 10 s after the user said yes; a position found in the last minute will do.
      { timeout: 10_000, maximumAge: 60_000 },
    );
  });
}

/** The button says what is happening, and works only when nothing is. */
function setLocationButton(label: 'Send location' | 'Locating…' | 'Sending…'): void {
  locationButton.disabled = label !== 'Send location';
  locationButton.textContent = label;
}

function showNote(note: HTMLElement, text: string): void {
  note.textContent = text;
}

function showStatus(text: string, connected: boolean): void {
  const status = document.querySelector('#status')!;
  status.textContent = text;
  status.classList.toggle('connected', connected);
}

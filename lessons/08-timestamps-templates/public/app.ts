// The chat page of lesson 08: messages drawn from Mustache templates, times
// formatted by Moment, and a list that follows new messages unless you have
// scrolled up to read.
import type { Socket } from 'socket.io-client';
import type { ClientToServerEvents, LocationMessage, Message, ServerToClientEvents } from '../events';

// Globals from the scripts index.html loads before this one.
declare const io: () => Socket<ServerToClientEvents, ClientToServerEvents>;
declare const Mustache: typeof import('mustache');
declare const moment: typeof import('moment');

const socket = io();
const messages = document.querySelector<HTMLOListElement>('#messages')!;
const form = document.querySelector<HTMLFormElement>('#form')!;
const input = document.querySelector<HTMLInputElement>('#input')!;
const sendButton = document.querySelector<HTMLButtonElement>('#send')!;
const locationButton = document.querySelector<HTMLButtonElement>('#send-location')!;
const error = document.querySelector<HTMLElement>('#error')!;
const locationNote = document.querySelector<HTMLElement>('#location-note')!;
const messageTemplate = document.querySelector('#message-template')!.innerHTML;
const locationTemplate = document.querySelector('#location-message-template')!.innerHTML;

const myName = () => socket.id?.slice(0, 6); // how the server names us

socket.on('connect', () => {
  document.querySelector('#me')!.textContent = myName() ?? '…';
  showStatus('connected', true);
});
socket.on('disconnect', () => showStatus('disconnected, reconnecting…', false));

// ── Showing messages ────────────────────────────────────────────────────────

socket.on('newMessage', (message) => addMessage(messageTemplate, message));
socket.on('newLocationMessage', (message) => addMessage(locationTemplate, message));

function addMessage(template: string, message: Message | LocationMessage): void {
  const time = moment(message.createdAt);
  // {{ }} in the template escapes what it inserts: text stays text.
  const html = Mustache.render(template, {
    ...message,
    time: time.format('h:mm a'), // 3:07 pm
    full: time.format('LLLL'), // Tuesday, March 3, 2026 3:07 PM, on hover
    iso: time.toISOString(),
    kind: message.from === myName() ? 'mine' : message.from === 'Admin' ? 'admin' : '',
  });
  // Measure before adding: was the reader at the bottom?
  const follow = isNearBottom() || message.from === myName();
  messages.insertAdjacentHTML('beforeend', html);
  if (follow) messages.scrollTop = messages.scrollHeight;
}

/** True when the list is scrolled to the bottom, or nearly (within 100 px). */
function isNearBottom(): boolean {
  return messages.scrollHeight - messages.scrollTop - messages.clientHeight < 100;
}

// ── Sending ─────────────────────────────────────────────────────────────────

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!input.value.trim()) return showNote(error, 'Type a message first.');
  sendButton.disabled = true;
  const reply = await ask(() => socket.timeout(5000).emitWithAck('createMessage', { text: input.value }));
  sendButton.disabled = false;
  if (reply.ok) {
    input.value = ''; // sent: clear the box
    showNote(error, '');
  } else {
    showNote(error, `Not sent: ${reply.error}`); // refused: keep the text, so it can be fixed
  }
  input.focus();
});

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
  const found = await locate();
  if (!found.ok) {
    setLocationButton('Send location');
    return showNote(locationNote, found.error);
  }
  setLocationButton('Sending…'); // we know where we are: now wait for the server
  const { latitude, longitude } = found.coords;
  const reply = await ask(() => socket.timeout(5000).emitWithAck('createLocationMessage', { latitude, longitude }));
  setLocationButton('Send location');
  showNote(locationNote, reply.ok ? '' : `Location not sent: ${reply.error}`);
});

/**
 * Asks the browser where we are. Like `ask`, it never throws: it answers the
 * position, or a sentence to show when the user says no, the browser cannot
 * tell, or nothing comes back in time.
 */
function locate(): Promise<{ ok: true; coords: GeolocationCoordinates } | { ok: false; error: string }> {
  return new Promise((resolve) => {
    // getCurrentPosition's own `timeout` starts only once the user has said yes: a question
    // nobody answers would keep us waiting forever. So the page keeps its own clock too.
    const giveUp = setTimeout(() => {
      const error = `No location after ${LOCATE_TIMEOUT / 1000} seconds. If the browser asks where you are, answer it, then try again.`;
      resolve({ ok: false, error });
    }, LOCATE_TIMEOUT);
    // A promise settles once: whichever comes first wins, and a late answer is ignored.
    navigator.geolocation.getCurrentPosition(
      ({ coords }) => {
        clearTimeout(giveUp);
        resolve({ ok: true, coords });
      },
      (failure) => {
        clearTimeout(giveUp);
        const error =
          failure.code === failure.PERMISSION_DENIED
            ? 'You did not allow this page to see your location. Allow it in the address bar, then try again.'
            : `Could not find your location (${failure.message || 'no reason given'}).`;
        resolve({ ok: false, error });
      },
      // Give up 10 s after the user said yes; a position found in the last minute will do.
      { timeout: 10_000, maximumAge: 60_000 },
    );
  });
}

/** Sends a request; a server that does not answer in time counts as a refusal. */
async function ask(send: () => Promise<{ ok: true } | { ok: false; error: string }>) {
  try {
    return await send();
  } catch {
    return { ok: false as const, error: 'no answer from the server' };
  }
}

/** The button says what is happening, and works only when nothing is. */
function setLocationButton(label: 'Send location' | 'Locating…' | 'Sending…'): void {
  locationButton.disabled = label !== 'Send location';
  locationButton.textContent = label;
}

function showNote(note: HTMLElement, text: string): void {
  note.textContent = text;
  note.hidden = !text;
}

function showStatus(text: string, connected: boolean): void {
  const status = document.querySelector('#status')!;
  status.textContent = text;
  status.classList.toggle('connected', connected);
}

// How the chat pages of lessons 09 and 10 show and send messages: lesson 08's
// code (taught inline in lessons/08-timestamps-templates/public/app.ts), as
// functions that take what they work on. Pages import it as
// `../../../shared/public/chat-view.js` (see shared/public.ts).
import type { Socket } from 'socket.io-client';
import type { ClientToServerEvents, LocationMessage, Message, Reply, ServerToClientEvents } from '../chat-events';

// Globals from the scripts the page loads before its own.
declare const Mustache: typeof import('mustache');
declare const moment: typeof import('moment');

/** A socket with the chat's events; a lesson's socket may have more. */
type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** The error `ask` answers when the server does not reply in time. */
export const NO_ANSWER = 'no answer from the server';

// ── Showing messages ────────────────────────────────────────────────────────

/** What `showMessages` draws into: the list, the two templates' text, and who we are. */
export interface MessageView {
  list: HTMLElement;
  messageTemplate: string;
  locationTemplate: string;
  /** The name the server knows us by (undefined until it has told us). */
  myName: () => string | undefined;
}

/** Adds every message and location the server sends to the list. */
export function showMessages(socket: ChatSocket, view: MessageView): void {
  socket.on('newMessage', (message) => addMessage(view, view.messageTemplate, message));
  socket.on('newLocationMessage', (message) => addMessage(view, view.locationTemplate, message));
}

/** Draws one message from a template; follows it down unless the reader has scrolled up. */
export function addMessage(view: MessageView, template: string, message: Message | LocationMessage): void {
  const { list, myName } = view;
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
  const follow = isNearBottom(list) || message.from === myName();
  list.insertAdjacentHTML('beforeend', html);
  if (follow) list.scrollTop = list.scrollHeight;
}

/** True when the list is scrolled to the bottom, or nearly (within 100 px). */
export function isNearBottom(list: HTMLElement): boolean {
  return list.scrollHeight - list.scrollTop - list.clientHeight < 100;
}

// ── Sending ─────────────────────────────────────────────────────────────────

/** The message form: the text box, its button, and where a refusal is shown. */
export interface MessageForm {
  form: HTMLFormElement;
  input: HTMLInputElement;
  button: HTMLButtonElement;
  error: HTMLElement;
}

/** Sends the text box on submit: cleared once sent, kept (with the reason) when refused. */
export function sendMessages(socket: ChatSocket, { form, input, button, error }: MessageForm): void {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!input.value.trim()) return showNote(error, 'Type a message first.');
    button.disabled = true;
    const reply = await ask(() => socket.timeout(5000).emitWithAck('createMessage', { text: input.value }));
    button.disabled = false;
    if (reply.ok) {
      input.value = ''; // sent: clear the box
      showNote(error, '');
    } else {
      showNote(error, `Not sent: ${reply.error}`); // refused: keep the text, so it can be fixed
    }
    input.focus();
  });
}

/** How long the page waits for a position, the browser's question to the user included. */
const LOCATE_TIMEOUT = 15_000;

/** Sends where we are when the button is clicked; the note says why not, when it fails. */
export function sendLocations(socket: ChatSocket, button: HTMLButtonElement, note: HTMLElement): void {
  if (!navigator.geolocation || !isSecureContext) {
    // Browsers share a location only with pages from https or localhost.
    button.disabled = true;
    showNote(note, 'This browser cannot share your location with this page (it needs https or localhost).');
    return;
  }
  /** The button says what is happening, and works only when nothing is. */
  const setButton = (label: 'Send location' | 'Locating…' | 'Sending…') => {
    button.disabled = label !== 'Send location';
    button.textContent = label;
  };
  button.addEventListener('click', async () => {
    setButton('Locating…'); // disabled: no second click while the first is on its way
    showNote(note, '');
    const found = await locate();
    if (!found.ok) {
      setButton('Send location');
      return showNote(note, found.error);
    }
    setButton('Sending…'); // we know where we are: now wait for the server
    const { latitude, longitude } = found.coords;
    const reply = await ask(() => socket.timeout(5000).emitWithAck('createLocationMessage', { latitude, longitude }));
    setButton('Send location');
    showNote(note, reply.ok ? '' : `Location not sent: ${reply.error}`);
  });
}

/**
 * Asks the browser where we are. Like `ask`, it never throws: it answers the
 * position, or a sentence to show when the user says no, the browser cannot
 * tell, or nothing comes back in time.
 */
export function locate(): Promise<{ ok: true; coords: GeolocationCoordinates } | { ok: false; error: string }> {
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

/** Sends a request; a server that does not answer in time counts as a refusal (NO_ANSWER). */
export async function ask<R extends Reply>(send: () => Promise<R>): Promise<R | { ok: false; error: string }> {
  try {
    return await send();
  } catch {
    return { ok: false as const, error: NO_ANSWER };
  }
}

// ── The page ────────────────────────────────────────────────────────────────

/** Shows a sentence in a note, or hides the note when there is nothing to say. */
export function showNote(note: HTMLElement, text: string): void {
  note.textContent = text;
  note.hidden = !text;
}

/** The connection status in the header. */
export function showStatus(text: string, connected: boolean): void {
  const status = document.querySelector('#status')!;
  status.textContent = text;
  status.classList.toggle('connected', connected);
}

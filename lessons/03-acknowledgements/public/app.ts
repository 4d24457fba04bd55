// The page's code. Each request is sent with emitWithAck, which returns a
// Promise of the server's answer; timeout() makes it give up after 2 s.
import type { Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../events';

// The global `io` that /socket.io/socket.io.js defines, with our event types.
declare const io: () => Socket<ServerToClientEvents, ClientToServerEvents>;

const WAIT_MS = 2000;
const form = document.querySelector<HTMLFormElement>('#shout')!;
const input = document.querySelector<HTMLInputElement>('#text')!;
const answers = document.querySelector<HTMLUListElement>('#answers')!;
const statusText = document.querySelector<HTMLElement>('#status')!;

const socket = io();
socket.on('connect', () => showStatus('connected', true));
socket.on('disconnect', () => showStatus('disconnected, reconnecting…', false));

/** Sends a shout, waits for the answer, and shows what came back. */
async function shout(text: string): Promise<void> {
  const sent = `shout(${JSON.stringify(text)})`;
  try {
    const reply = await socket.timeout(WAIT_MS).emitWithAck('shout', text);
    if (reply.ok) show(`${sent} → ${reply.text}`, 'ok');
    else show(`${sent} → refused: ${reply.error}`, 'error');
  } catch {
    // No answer in time: the server is down, or never acknowledged.
    show(`${sent} → no answer within ${WAIT_MS / 1000} s`, 'error');
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  void shout(input.value);
  input.value = '';
  input.focus();
});

document.querySelector('#empty')!.addEventListener('click', () => void shout(''));

// A number where the types want a string: TypeScript stops us, so we force
// it, the way a buggy or hostile client would. The server must cope.
document.querySelector('#number')!.addEventListener('click', () => void shout(42 as unknown as string));

/** Adds a line to the answers, newest first. textContent: the text is never HTML. */
function show(text: string, kind: 'ok' | 'error'): void {
  const item = document.createElement('li');
  item.className = kind;
  item.textContent = text;
  answers.prepend(item);
}

function showStatus(text: string, connected: boolean): void {
  statusText.textContent = text;
  statusText.classList.toggle('connected', connected);
}

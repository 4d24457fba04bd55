// The chat page of lesson 06: send { text } with createMessage, and keep the
// text when the server refuses it, so it can be fixed.
import type { Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../events';

// The global `io` that /socket.io/socket.io.js defines, with our event types.
declare const io: () => Socket<ServerToClientEvents, ClientToServerEvents>;

const socket = io();
const messages = document.querySelector<HTMLUListElement>('#messages')!;
const form = document.querySelector<HTMLFormElement>('#form')!;
const input = document.querySelector<HTMLInputElement>('#input')!;
const sendButton = document.querySelector<HTMLButtonElement>('#send')!;
const error = document.querySelector<HTMLElement>('#error')!;

const myName = () => socket.id?.slice(0, 6); // how the server names us

socket.on('connect', () => {
  document.querySelector('#me')!.textContent = myName() ?? '…';
  showStatus('connected', true);
});
socket.on('disconnect', () => showStatus('disconnected, reconnecting…', false));

socket.on('newMessage', ({ from, text }) => {
  const item = document.createElement('li');
  const name = document.createElement('strong');
  name.textContent = from;
  item.append(name, `: ${text}`); // as text, never as HTML
  if (from === 'Admin') item.classList.add('admin'); // the server's notices
  else if (from === myName()) item.classList.add('mine');
  messages.append(item);
  messages.scrollTop = messages.scrollHeight;
});

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!input.value.trim()) return showError('Type a message first.');
  sendButton.disabled = true; // one message at a time
  try {
    // emitWithAck waits for the acknowledgement; timeout() gives up after 5 s.
    const reply = await socket.timeout(5000).emitWithAck('createMessage', { text: input.value });
    if (reply.ok) {
      input.value = ''; // sent: clear the box
      showError('');
    } else {
      showError(`Not sent: ${reply.error}`); // refused: keep the text, so it can be fixed
    }
  } catch {
    showError('Not sent: no answer from the server.');
  } finally {
    sendButton.disabled = false;
    input.focus();
  }
});

function showError(text: string): void {
  error.textContent = text;
}

function showStatus(text: string, connected: boolean): void {
  const status = document.querySelector('#status')!;
  status.textContent = text;
  status.classList.toggle('connected', connected);
}

// The instructor's page: every room, live, with who is in it (and in how many
// tabs) and who is muted. Each person has buttons for the instructor's events.
// Everything a user typed goes in with textContent: text, never HTML.
import type { Socket } from 'socket.io-client';
import type { ClientToServerEvents, RoomView, ServerToClientEvents } from '../events';
import { ask, showNote, showStatus } from '../../../shared/public/chat-view.js';

declare const io: () => Socket<ServerToClientEvents, ClientToServerEvents>;

const socket = io();
const error = document.querySelector<HTMLElement>('#error')!;
socket.on('connect', () => showStatus('connected', true));
socket.on('disconnect', (reason) => {
  showStatus('disconnected', false);
  if (reason === 'io server disconnect') location.assign('/signin');
});

/** Sends one of the instructor's events and shows a refusal. */
async function act(send: () => Promise<{ ok: true } | { ok: false; error: string }>) {
  const reply = await ask(send);
  showNote(error, reply.ok ? '' : reply.error);
}

function button(label: string, onClick: () => void): HTMLButtonElement {
  const element = document.createElement('button');
  element.type = 'button';
  element.textContent = label;
  element.addEventListener('click', onClick);
  return element;
}

function cell(...children: (Node | string)[]): HTMLTableCellElement {
  const td = document.createElement('td');
  td.append(...children);
  return td;
}

socket.on('rooms', (rooms: RoomView[]) => {
  document.querySelector<HTMLElement>('#empty')!.hidden = rooms.length > 0;
  const cards = rooms.map(({ room, people }) => {
    const card = document.createElement('section');
    card.className = 'card room-card';
    const title = document.createElement('h2');
    title.textContent = room;
    const rows = people.map(({ name, tabs, mutedUntil }) => {
      const row = document.createElement('tr');
      row.dataset.name = name;
      const note = document.createElement('span');
      note.className = 'muted-until';
      note.textContent = mutedUntil ? ` muted until ${new Date(mutedUntil).toLocaleTimeString()}` : '';
      const target = { room, name };
      const actions = cell(
        mutedUntil
          ? button('Unmute', () => act(() => socket.timeout(5000).emitWithAck('unmute', target)))
          : button('Mute 10 min', () => act(() => socket.timeout(5000).emitWithAck('mute', target))),
        ' ',
        button('Remove', () => act(() => socket.timeout(5000).emitWithAck('remove', target))),
      );
      actions.className = 'actions';
      row.append(cell(name, note), cell(tabs === 1 ? '1 tab' : `${tabs} tabs`), actions);
      return row;
    });
    const table = document.createElement('table');
    table.append(...rows);
    card.append(title, table, button('Close the room', () => act(() => socket.timeout(5000).emitWithAck('closeRoom', { room }))));
    return card;
  });
  document.querySelector('#rooms')!.replaceChildren(...cards);
});

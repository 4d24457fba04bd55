// The chat page of delivery, as lesson 12 teaches it (lessons/12-delivery/public/app.ts
// writes it out), as one call for a later lesson's page:
//
//   const socket = deliveryPage({ title: '13 · Scale-out', notRecovered: '…' });
//
// or, for a page that joins in its own way (lesson 14's), in three parts:
// `deliverySocket()`, `showEachOnce(…)` and `sendEachOnce(…)`.
//
// No message is lost or shown twice. The page keeps the id of the last
// message it saw in `socket.auth.serverOffset`, so that a reconnect that
// Socket.IO cannot recover still gets what it missed; it sends each message
// with a `clientOffset` of its own and lets Socket.IO retry (`ackTimeout`,
// `retries`); and it shows each id once.
import type { ManagerOptions, Socket, SocketOptions } from 'socket.io-client';
import type { ClientToServerEvents, DeliveryAuth, LocationMessage, Message, MessagePayload, Reply, ServerToClientEvents } from '../delivery-events';
import { addMessage, ask, NO_ANSWER, sendLocations, showNote, showStatus, type MessageForm, type MessageView } from './chat-view.js';

// Globals from the scripts chat.html loads before this one.
declare const io: (options?: Partial<ManagerOptions & SocketOptions>) => Socket<ServerToClientEvents, ClientToServerEvents>;

export interface DeliveryPage {
  /** What the tab's title says after the room's name, e.g. "13 · Scale-out". */
  title: string;
  /** Why a reconnect may not be recovered, in parentheses after "The server did not recover this connection". */
  notRecovered: string;
  /** More options for `io(…)`, e.g. `{ transports: ['websocket'] }` (lesson 13, exercise 3). */
  socketOptions?: Partial<ManagerOptions & SocketOptions>;
}

/** Runs the chat page; returns its socket (also on `window`, for you to try in the console). */
export function deliveryPage({ title, notRecovered, socketOptions }: DeliveryPage): Socket<ServerToClientEvents, ClientToServerEvents> {
  const { socket, auth } = deliverySocket(socketOptions);
  const error = document.querySelector<HTMLElement>('#error')!;
  const delivery = document.querySelector<HTMLElement>('#delivery')!;

  // ── Joining ─────────────────────────────────────────────────────────────────

  // URLSearchParams reads the query string, decoding %20, + and the rest.
  const params = new URLSearchParams(location.search);
  const wanted = { name: params.get('name') ?? '', room: params.get('room') ?? '' };
  let me: { name: string; room: string } | undefined; // as the server stored us

  const myName = () => me?.name;

  // After a reconnect, how often and how many times the page asks to rejoin (see `join`):
  // 25 tries, 2 s apart, outlast the 45 s the server may take to drop a dead socket.
  const REJOIN_EVERY = 2000;
  const REJOIN_TRIES = 25;
  let rejoinTimer: ReturnType<typeof setTimeout> | undefined;

  // Join on every connection. A recovered one is still in its room (the join
  // changes nothing); any other is a new socket that has joined nothing.
  socket.on('connect', () => {
    if (!me) showStatus('connected', true);
    else if (socket.recovered) {
      showStatus('reconnected, nothing missed', true);
      showNote(delivery, '');
    } else {
      showStatus('reconnected', true);
      showNote(
        delivery,
        `The server did not recover this connection (${notRecovered}): ` +
          (auth.serverOffset > 0
            ? `rejoined ${wanted.room} and asked for every message after #${auth.serverOffset}.`
            : `rejoined ${wanted.room} and asked for its last messages.`),
      );
    }
    void join(me ? REJOIN_TRIES : 1);
  });
  socket.on('disconnect', () => {
    showStatus('disconnected, reconnecting…', false);
    clearTimeout(rejoinTimer); // the next connection starts again
  });

  /**
   * Asks to join `wanted`, up to `tries` times. After a network drop, the page
   * may be back before the server has noticed that the old socket is dead
   * (pingInterval + pingTimeout: up to 45 s). Until then the old socket holds
   * our name, and the server answers "taken". So a rejoin waits and tries again.
   */
  async function join(tries: number): Promise<void> {
    const reply = await ask(() => socket.timeout(5000).emitWithAck('join', wanted));
    if (reply.ok) {
      showNote(error, '');
      return joined(reply);
    }
    if (reply.error === NO_ANSWER) return showNote(error, 'Could not join: no answer from the server.');
    if (tries > 1 && socket.connected) {
      showNote(error, `Rejoining ${wanted.room}… (${reply.error})`);
      rejoinTimer = setTimeout(() => join(tries - 1), REJOIN_EVERY);
      return;
    }
    // Back to the join page, with the reason and what was typed.
    location.replace(`index.html?${new URLSearchParams({ ...wanted, error: reply.error })}`);
  }

  /** Shows the name and room the server stored (trimmed; the room as its first member typed it). */
  function joined(stored: { name: string; room: string }): void {
    me = stored;
    wanted.name = stored.name;
    wanted.room = stored.room; // a reconnect rejoins this room
    document.querySelector('#me')!.textContent = me.name;
    document.querySelector('#room')!.textContent = me.room;
    document.title = `${me.room} · ${title}`;
    // The address follows, so a reload stays in this room.
    history.replaceState(null, '', `?${new URLSearchParams(wanted)}`);
    // Leaving keeps your name on the join page.
    document.querySelector<HTMLAnchorElement>('.sidebar__leave')!.search = `?${new URLSearchParams({ name: me.name })}`;
    resumeSending(); // messages that waited for a join go again
  }

  // ── The people in the room ─────────────────────────────────────────────────

  socket.on('updateUserList', (names) => {
    const items = names.map((name) => {
      const item = document.createElement('li');
      item.textContent = name; // textContent: a name is text, never HTML
      if (name === myName()) item.classList.add('me');
      return item;
    });
    document.querySelector('#users')!.replaceChildren(...items);
    document.querySelector('#user-count')!.textContent = `(${names.length})`;
  });

  // ── Switching rooms ─────────────────────────────────────────────────────────

  const switchForm = document.querySelector<HTMLFormElement>('#switch')!;
  const switchInput = document.querySelector<HTMLInputElement>('#switch-room')!;
  const switchError = document.querySelector<HTMLElement>('#switch-error')!;

  switchForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = document.querySelector<HTMLButtonElement>('#switch-button')!;
    button.disabled = true;
    // Joining again moves us; the server sends the new room's last messages.
    const reply = await ask(() => socket.timeout(5000).emitWithAck('join', { name: wanted.name, room: switchInput.value }));
    button.disabled = false;
    if (reply.ok) {
      joined(reply);
      switchInput.value = '';
    }
    showNote(switchError, reply.ok ? '' : reply.error);
  });

  // ── Showing messages: each id once ──────────────────────────────────────────

  const view: MessageView = {
    list: document.querySelector('#messages')!,
    messageTemplate: document.querySelector('#message-template')!.innerHTML,
    locationTemplate: document.querySelector('#location-message-template')!.innerHTML,
    myName,
  };

  showEachOnce(socket, view, auth, delivery);

  // ── Sending: each message once ──────────────────────────────────────────────

  const resumeSending = sendEachOnce(socket, {
    form: document.querySelector('#form')!,
    input: document.querySelector('#input')!,
    button: document.querySelector('#send')!,
    error,
  }, () => me !== undefined);

  // Locations, as in lesson 10: with no clientOffset, a retry may show one twice (exercise 1).
  sendLocations(socket, document.querySelector('#send-location')!, document.querySelector('#location-note')!);
  return socket;
}

type DeliverySocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * The page's socket, and the `auth` it sends with every connection attempt:
 * `auth.serverOffset`, the last id the page saw (see `showEachOnce`).
 * Each request waits 5 s for its answer, then goes again, up to 5 more times.
 */
export function deliverySocket(socketOptions: Partial<ManagerOptions & SocketOptions> = {}): { socket: DeliverySocket; auth: DeliveryAuth } {
  // Sent with every connection attempt: the server reads it when we (re)join.
  const auth = { serverOffset: 0 } satisfies DeliveryAuth;
  // Socket.IO queues the requests and sends one at a time, in order; while offline, they wait in the queue.
  const socket: DeliverySocket = io({ auth, ackTimeout: 5000, retries: 5, ...socketOptions });
  // For you to try in the browser's console: socket.io.engine.close() drops the connection.
  Object.assign(window, { socket });
  return { socket, auth };
}

/**
 * Shows each message once: a replay that overlaps what came live shows
 * nothing twice. The id of the last one shown goes into `auth.serverOffset`,
 * so the next connection asks for what comes after it. Admin's notice of a
 * gap (messages no longer stored) is shown in `note` too.
 */
export function showEachOnce(socket: DeliverySocket, view: MessageView, auth: DeliveryAuth, note: HTMLElement): void {
  /** The ids shown so far. */
  const shown = new Set<number>();

  /** Shows a message, unless its id is shown already, and remembers its id as the last one seen. */
  function showOnce(template: string, message: Message | LocationMessage): void {
    if (message.id !== undefined) {
      if (shown.has(message.id)) return;
      shown.add(message.id);
      auth.serverOffset = message.id; // the next connection asks for what comes after it
    }
    addMessage(view, template, message);
  }
  socket.on('newMessage', (message) => {
    // Admin's notice that some messages we missed are no longer stored: they will not come.
    if (message.gap) showNote(note, message.text);
    showOnce(view.messageTemplate, message);
  });
  socket.on('newLocationMessage', (message) => showOnce(view.locationTemplate, message));
}

/** The server's NOT_JOINED: the page is not in a room (yet) on this connection. */
const NOT_JOINED = 'join a room first';

/**
 * Sends the form's text, each message once: with Socket.IO's retries, and
 * every try carries the same clientOffset, so the server stores and shows it
 * once. After a reconnect that was not recovered, the queue sends a waiting
 * message before the page has rejoined, and the server answers "join a room
 * first": then, if the page had joined (`hasJoined`), the message waits for
 * the next join and goes again (up to twice). Returns what to call after
 * every successful join.
 */
export function sendEachOnce(socket: DeliverySocket, { form, input, button, error }: MessageForm, hasJoined: () => boolean): () => void {
  /** Who waits for the next successful join. */
  const waitingForJoin: Array<() => void> = [];
  /** A name for this page, for its messages' clientOffsets. (crypto.randomUUID needs a secure context, which a page opened at a LAN address on http is not; this works anywhere.) */
  const pageId = [...crypto.getRandomValues(new Uint8Array(8))].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  let sentCount = 0;

  async function send(payload: MessagePayload): Promise<Reply> {
    for (let tries = 1; ; tries++) {
      const reply = await ask(() => socket.emitWithAck('createMessage', payload));
      if (reply.ok || reply.error !== NOT_JOINED || !hasJoined() || tries > 2) return reply;
      await new Promise<void>((resume) => {
        waitingForJoin.push(resume);
        setTimeout(resume, 60_000); // no join in a minute: try once more, and say why
      });
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = input.value;
    if (!text.trim()) return showNote(error, 'Type a message first.');
    button.disabled = true;
    if (!socket.connected) showNote(error, 'Offline: your message goes out as soon as the connection is back.');
    const reply = await send({ text, clientOffset: `${pageId}-${++sentCount}` });
    button.disabled = false;
    if (reply.ok) {
      if (input.value === text) input.value = ''; // sent: clear the box, unless you typed on meanwhile
      showNote(error, '');
    } else {
      showNote(error, `Not sent: ${reply.error}`); // refused: keep the text, so it can be fixed
    }
    input.focus();
  });

  return () => {
    for (const resume of waitingForJoin.splice(0)) resume();
  };
}

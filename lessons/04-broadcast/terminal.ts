// A terminal client for lesson 04: a "disconnected application" that talks
// to the pages and to other terminals through the server.
// Run it while the server runs:  npx ts-node lessons/04-broadcast/terminal.ts [url]
// Type a line to speak. /to me, /to everyone or /to others changes who hears
// you; /quit (or Ctrl-D) leaves.
import readline from 'node:readline';
import { io, type Socket } from 'socket.io-client';
import { AUDIENCES, type Audience, type ClientToServerEvents, type ServerToClientEvents } from './events';

const url = process.argv[2] ?? 'http://localhost:3000';
const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(url);
const lines = readline.createInterface({ input: process.stdin, output: process.stdout });
let to: Audience = 'everyone';
let closed = false;
const myName = () => socket.id?.slice(0, 6);

/** Prints a line above the prompt, keeping what you are typing. */
function print(text: string): void {
  if (closed) return void console.log(text);
  if (process.stdout.isTTY) {
    readline.clearLine(process.stdout, 0);
    readline.cursorTo(process.stdout, 0);
  }
  console.log(text);
  lines.prompt(true);
}

function setAudience(audience: Audience): void {
  to = audience;
  lines.setPrompt(`to ${to}> `);
}

socket.on('connect', () => {
  print(`connected to ${url}: you are ${myName()}. Type to speak; /to ${AUDIENCES.join('|')}; /quit`);
});
socket.on('connect_error', (err) => print(`cannot reach ${url} (${err.message}), retrying…`));
socket.on('disconnect', (reason) => print(closed ? 'bye' : `disconnected: ${reason}`));
socket.on('incoming-message', ({ from, text }) => {
  print(`${from === myName() ? `${from} (you)` : from}: ${text}`);
});

lines.on('line', async (line) => {
  const text = line.trim();
  if (text === '') return lines.prompt();
  if (text === '/quit') return lines.close();
  if (text.startsWith('/to')) {
    const audience = AUDIENCES.find((name) => name === text.slice(3).trim());
    if (audience) setAudience(audience);
    else print(`who? /to ${AUDIENCES.join('|')}`);
    return lines.prompt();
  }
  try {
    const reply = await socket.timeout(2000).emitWithAck('speak', { text, to });
    if (!reply.ok) print(`not sent: ${reply.error}`);
  } catch {
    print('not sent: no answer from the server');
  }
  if (!closed) lines.prompt();
});

// Ctrl-D, Ctrl-C or /quit: close the connection and stop reading, and the program ends.
lines.on('close', () => {
  closed = true;
  socket.close();
  process.stdin.destroy();
});

setAudience('everyone');
lines.prompt();

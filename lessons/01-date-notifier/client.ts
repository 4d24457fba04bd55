// A Node client for the date notifier: no browser, just a program that
// connects and prints every date it hears.
// Run it while the server runs:  npx ts-node lessons/01-date-notifier/client.ts [url]
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from './events';

const url = process.argv[2] ?? 'http://localhost:3000';
const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(url);

socket.on('connect', () => console.log(`connected to ${url} as ${socket.id}`));
socket.on('date', ({ iso }) => console.log(`the server says it is ${new Date(iso).toLocaleTimeString()}`));
socket.on('connect_error', (err) => console.log(`cannot reach ${url} (${err.message}), retrying…`));
socket.on('disconnect', (reason) => console.log(`disconnected: ${reason}`));

process.once('SIGINT', () => socket.close());

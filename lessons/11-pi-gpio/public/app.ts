// The page: shows the sensor and the LED, switches the LED, and triggers
// the simulated sensor. Every tab gets every change from the server.
import type { Socket } from 'socket.io-client';
import type { Bit, ClientToServerEvents, ServerToClientEvents, ValueReply } from '../events';

// The global `io` that /socket.io/socket.io.js defines, with our event types.
declare const io: () => Socket<ServerToClientEvents, ClientToServerEvents>;

const $ = <T extends HTMLElement>(selector: string) => document.querySelector<T>(selector)!;
const switchButton = $<HTMLButtonElement>('#switch');
const triggerButton = $<HTMLButtonElement>('#trigger');
const errorText = $('#error');
let ledValue: Bit = 0;

const socket = io();

socket.on('connect', () => showStatus('connected', true));
socket.on('disconnect', () => {
  showStatus('disconnected, reconnecting…', false);
  switchButton.disabled = triggerButton.disabled = true;
});
socket.on('connect_error', (err) => showStatus(`cannot connect: ${err.message}`, false));

socket.on('event:hello', ({ simulated, sensor, led }) => {
  log('event:hello', `simulated: ${simulated}`);
  $('#simulated').hidden = !simulated;
  $('#sensor-pin').textContent = `GPIO ${sensor.pin}`;
  $('#led-pin').textContent = `GPIO ${led.pin}`;
  showSensor(sensor.value);
  showLed(led.value);
  switchButton.disabled = triggerButton.disabled = false;
  showError('');
});

socket.on('gpio:21', ({ value }) => {
  log('gpio:21', `{ value: ${value} }`);
  showSensor(value);
});

socket.on('gpio:17', ({ value }) => {
  log('gpio:17', `{ value: ${value} }`);
  showLed(value);
});

socket.on('gpio:error', ({ error }) => showError(error));

switchButton.addEventListener('click', async () => {
  switchButton.disabled = true;
  const wanted: Bit = ledValue === 1 ? 0 : 1;
  showReply(await ask(() => socket.timeout(3000).emitWithAck('gpio:17', { value: wanted })));
  switchButton.disabled = !socket.connected;
});

triggerButton.addEventListener('click', async () => {
  showReply(await ask(() => socket.timeout(3000).emitWithAck('simulate:sensor')));
});

/** Sends a request; a timeout becomes an error reply. */
async function ask(send: () => Promise<ValueReply>): Promise<ValueReply> {
  try {
    return await send();
  } catch {
    return { ok: false, error: 'the server did not answer' };
  }
}

function showReply(reply: ValueReply): void {
  showError(reply.ok ? '' : reply.error);
}

function showSensor(value: Bit): void {
  $('#sensor-light').classList.toggle('on', value === 1);
  $('#sensor-text').textContent = value === 1 ? 'HIGH (1)' : 'LOW (0)';
}

function showLed(value: Bit): void {
  ledValue = value;
  $('#led-light').classList.toggle('on', value === 1);
  $('#led-text').textContent = value === 1 ? 'on (1)' : 'off (0)';
  switchButton.textContent = value === 1 ? 'Switch off' : 'Switch on';
}

function showStatus(text: string, connected: boolean): void {
  $('#status').textContent = text;
  $('#status').classList.toggle('connected', connected);
}

function showError(text: string): void {
  errorText.textContent = text;
}

/** Adds a line to the event list, newest first, keeping the last ten. */
function log(event: string, detail: string): void {
  const item = document.createElement('li');
  item.textContent = `${new Date().toLocaleTimeString()}  ← ${event}  ${detail}`;
  const list = $('#log');
  list.prepend(item);
  while (list.children.length > 10) list.lastElementChild!.remove();
}

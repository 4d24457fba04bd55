// Lesson 11: a Raspberry Pi's pins, live in the browser.
// A sensor on GPIO 21 pushes every change to every client; any client can
// switch the LED on GPIO 17, and everyone sees it. Where there is no GPIO,
// the pins are simulated, so the lesson runs on any computer.
import { createServer } from 'node:http';
import path from 'node:path';
import express from 'express';
import { Server } from 'socket.io';
import { addressOf, limitEachClient } from '../../shared/clients';
import { checkOrigin, corsFor } from '../../shared/origins';
import { publicFolder } from '../../shared/public';
import { RATE_LIMITED, RateLimiter, type RateLimitOptions } from '../../shared/rate-limit';
import { listen, runFromCommandLine, type RunningLesson, type StartOptions } from '../../shared/run';
import { checkOne, isPlainObject, refuseUnknownEvents, takeAck, type Checked } from '../../shared/validation';
import type { Bit, ClientToServerEvents, ServerToClientEvents, ValueReply } from './events';
import { openHardware, type HardwareOptions } from './hardware';
import { keyboardWanted, listenToKeyboard } from './keyboard';
import { GPIO_RATE_LIMIT, SUMMARY_MS, Tally } from './limits';

export interface PiGpioOptions extends StartOptions, HardwareOptions {
  /** Let Enter in the terminal toggle a simulated sensor. Default: when run from a terminal. */
  keyboard?: boolean;
  /** How fast each client may switch the LED, and trigger the sensor. */
  rateLimit?: RateLimitOptions;
  /** How often the terminal gets a summary of what clients did, in ms. */
  summaryMs?: number;
}

export async function start({
  port = 0,
  keyboard,
  rateLimit = GPIO_RATE_LIMIT,
  summaryMs = SUMMARY_MS,
  ...options
}: PiGpioOptions = {}): Promise<RunningLesson> {
  // Pins first: a hardware problem stops the lesson with one clear message.
  const hardware = openHardware(options);
  const { sensor, led, requests, simulated } = hardware;
  let sensorValue = hardware.initial.sensor;
  let ledValue = hardware.initial.led;

  const app = express();
  app.use(publicFolder(path.join(__dirname, 'public')));
  const httpServer = createServer(app);
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(httpServer, {
    maxHttpBufferSize: 1_000, // `{ value: 1 }` is all anyone sends
    allowRequest: checkOrigin,
    cors: corsFor(), // pages listed in ALLOWED_ORIGINS may poll too
  });
  limitEachClient(io); // per address: a few connections, and nothing piles up unread

  // Each client (an address, however many sockets it opens) may switch the
  // LED, and trigger the sensor, only so fast. The terminal gets a summary
  // every few seconds, not a line per switch. See limits.ts.
  const ledLimiter = new RateLimiter(rateLimit);
  const sensorLimiter = new RateLimiter(rateLimit);
  const ledTally = new Tally(`LED GPIO ${requests.led.pin}`, 'switched');
  const sensorTally = new Tally(`sensor GPIO ${requests.sensor.pin}`, 'changed');
  const printSummary = () => {
    for (const line of [ledTally.line(ledValue), sensorTally.line(sensorValue)]) if (line) console.log(line);
  };
  const summaries = setInterval(printSummary, summaryMs);

  // The sensor: each (debounced) change goes to every client.
  sensor.watch((err, value) => {
    if (err) return hardwareTrouble(`the sensor (GPIO ${requests.sensor.pin}) failed: ${err.message}`);
    if (value === sensorValue) return; // a bounce that settled where it was
    sensorValue = value;
    sensorTally.changed();
    io.emit('gpio:21', { value });
  });

  function hardwareTrouble(error: string): void {
    console.error(error);
    io.emit('gpio:error', { error });
  }

  function readSensor(): Checked<Bit> {
    try {
      return { ok: true, value: sensor.read() };
    } catch (err) {
      const error = `could not read the sensor (GPIO ${requests.sensor.pin}): ${(err as Error).message}`;
      console.error(error);
      return { ok: false, error };
    }
  }

  /** Simulated pins only: flips the sensor, as a press or a motion would. */
  function toggleSensor(): Checked<Bit> {
    if (!sensor.simulate) return { ok: false, error: 'the pins are real: press the button or move in front of the sensor' };
    const read = readSensor();
    if (!read.ok) return read;
    const value: Bit = read.value === 1 ? 0 : 1;
    sensor.simulate(value);
    return { ok: true, value };
  }

  io.on('connection', (socket) => {
    const address = addressOf(socket);
    console.log(`client ${socket.id} connected`);
    socket.emit('event:hello', {
      simulated,
      sensor: { pin: requests.sensor.pin, value: sensorValue },
      led: { pin: requests.led.pin, value: ledValue },
    });
    socket.on('disconnect', (reason) => console.log(`client ${socket.id} left (${reason})`));

    // Asking for the sensor: the answer comes back as `gpio:21`, and in the ack.
    socket.on('gpio:21', (...args: unknown[]) => {
      const { payload, ack } = takeAck<ValueReply>(args);
      if (payload.length > 0) return ack?.({ ok: false, error: noArguments('gpio:21', payload) });
      const read = readSensor();
      if (!read.ok) return ack ? ack(read) : socket.emit('gpio:error', { error: read.error });
      socket.emit('gpio:21', { value: read.value });
      ack?.({ ok: true, value: read.value });
    });

    // Switching the LED: everyone sees its new state.
    socket.on('gpio:17', (...args: unknown[]) => {
      const { payload, ack } = takeAck<ValueReply>(args);
      if (!ack) return; // no one to tell: dropped
      const checked = checkOne(payload, checkLedState);
      if (!checked.ok) return ack(checked);
      if (!ledLimiter.take(address)) {
        ledTally.refused(address);
        return ack({ ok: false, error: RATE_LIMITED });
      }
      try {
        led.write(checked.value);
      } catch (err) {
        const error = `could not switch the LED (GPIO ${requests.led.pin}): ${(err as Error).message}`;
        console.error(error);
        return ack({ ok: false, error });
      }
      ledValue = checked.value;
      ledTally.changed(address);
      io.emit('gpio:17', { value: ledValue });
      ack({ ok: true, value: ledValue });
    });

    socket.on('simulate:sensor', (...args: unknown[]) => {
      const { payload, ack } = takeAck<ValueReply>(args);
      if (payload.length > 0) return ack?.({ ok: false, error: noArguments('simulate:sensor', payload) });
      if (!sensorLimiter.take(address)) {
        sensorTally.refused(address);
        return ack?.({ ok: false, error: RATE_LIMITED });
      }
      const result = toggleSensor();
      ack?.(result.ok ? { ok: true, value: result.value } : result);
    });

    refuseUnknownEvents(socket);
  });

  let url: string;
  try {
    url = await listen(httpServer, port);
  } catch (err) {
    clearInterval(summaries);
    await io.close();
    hardware.release();
    throw err;
  }

  for (const note of hardware.notes) console.log(note);
  let stopKeyboard = () => {};
  if (simulated && (keyboard ?? keyboardWanted())) {
    console.log('Trigger the sensor with the button on the page, or press Enter here.');
    stopKeyboard = listenToKeyboard(() => {
      const result = toggleSensor();
      if (!result.ok) console.log(result.error);
    });
  } else if (simulated) {
    console.log('Trigger the sensor with the button on the page.');
  }

  let closed = false;
  return {
    url,
    io,
    async close() {
      if (closed) return;
      closed = true;
      stopKeyboard();
      clearInterval(summaries);
      await io.close();
      printSummary(); // what the last few seconds did
      hardware.release(); // unwatch and unexport, so the pins are free for the next run
    },
  };
}

/** The LED's state: exactly `{ value: 0 }` or `{ value: 1 }`. */
function checkLedState(value: unknown): Checked<Bit> {
  if (!isPlainObject(value)) return { ok: false, error: 'send { value: 0 } or { value: 1 }' };
  const keys = Object.keys(value);
  if (keys.length !== 1 || keys[0] !== 'value') return { ok: false, error: 'send { value: 0 } or { value: 1 }, nothing else' };
  if (value.value !== 0 && value.value !== 1) return { ok: false, error: 'value must be the number 0 or 1' };
  return { ok: true, value: value.value };
}

function noArguments(event: string, payload: unknown[]): string {
  return `${event} takes no arguments, only an acknowledgement; got ${payload.length}`;
}

if (require.main === module) runFromCommandLine(start);

// Lesson 11: a Raspberry Pi's pins, live in the browser.
// A sensor on GPIO 21 pushes every change to every client; any client can
// switch the LED on GPIO 17, and everyone sees it. Where there is no GPIO,
// the pins are simulated, so the lesson runs on any computer.
import { addressOf } from '../../shared/clients';
import { checked } from '../../shared/handler';
import { lessonServer } from '../../shared/lesson-server';
import { runFromCommandLine } from '../../shared/run';
import { refuseUnknownEvents, type Checked } from '../../shared/validation';
import type { Bit, ClientToServerEvents, ServerToClientEvents } from './events';
import { openHardware } from './hardware';
import { offerKeyboard } from './keyboard';
import { PinLimiter, Summaries, Tally } from './limits';
import { checkLedState, noPayload } from './payloads';
import { settings, type GpioOptions } from './settings';

export async function start(options: GpioOptions = {}) {
  const { port, rateLimit, summaryMs, keyboard } = settings(options); // settings.ts
  // Pins first: a hardware problem stops the lesson with one clear message (hardware.ts).
  const hardware = openHardware(options);
  const { sensor, led, requests, simulated } = hardware;
  let sensorValue = hardware.initial.sensor;
  let ledValue = hardware.initial.led;
  const { io, listen } = lessonServer<ClientToServerEvents, ServerToClientEvents>(__dirname, {
    maxHttpBufferSize: 1_000, // `{ value: 1 }` is all anyone sends
  });

  // Each client (an address, however many sockets it opens) may switch the LED, and
  // trigger the sensor, only so fast; the terminal sums up every few seconds (limits.ts).
  const ledTally = new Tally(`LED GPIO ${requests.led.pin}`, 'switched');
  const sensorTally = new Tally(`sensor GPIO ${requests.sensor.pin}`, 'changed');
  const ledLimiter = new PinLimiter(rateLimit, ledTally);
  const sensorLimiter = new PinLimiter(rateLimit, sensorTally);
  const summaries = new Summaries(summaryMs, () => [ledTally.line(ledValue), sensorTally.line(sensorValue)]);

  io.on('connection', (socket) => {
    console.log(`client ${socket.id} connected`);
    socket.emit('event:hello', {
      simulated,
      sensor: { pin: requests.sensor.pin, value: sensorValue },
      led: { pin: requests.led.pin, value: ledValue },
    });
    socket.on('disconnect', (reason) => console.log(`client ${socket.id} left (${reason})`));

    // Asking for the sensor: the answer comes back as `gpio:21`, and in the ack if there is one.
    socket.on('gpio:21', noPayload('gpio:21', null, (ack) => {
      const read = readSensor();
      if (!read.ok) return ack ? ack(read) : socket.emit('gpio:error', { error: read.error });
      socket.emit('gpio:21', { value: read.value });
      ack?.({ ok: true, value: read.value });
    }));

    // Switching the LED: everyone sees its new state.
    socket.on('gpio:17', checked(checkLedState, ledLimiter.of(socket), (value, ack) => {
      try {
        led.write(value);
      } catch (err) {
        const error = `could not switch the LED (GPIO ${requests.led.pin}): ${(err as Error).message}`;
        console.error(error);
        return ack({ ok: false, error });
      }
      ledValue = value;
      ledTally.changed(addressOf(socket));
      io.emit('gpio:17', { value: ledValue });
      ack({ ok: true, value: ledValue });
    }));

    // Simulated pins only: a client flips the sensor, as a press or a motion would.
    socket.on('simulate:sensor', noPayload('simulate:sensor', sensorLimiter.of(socket), (ack) => {
      const result = toggleSensor();
      ack?.(result.ok ? { ok: true, value: result.value } : result);
    }));

    refuseUnknownEvents(socket); // lesson 03
  });

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

  const running = await listen(port).catch((err: unknown) => {
    summaries.stop({ last: false });
    hardware.release();
    throw err;
  });
  for (const note of hardware.notes) console.log(note);
  const stopKeyboard = simulated ? offerKeyboard(keyboard, toggleSensor) : () => {};

  let closed = false;
  async function close() {
    if (closed) return;
    closed = true;
    stopKeyboard();
    await running.close(); // every socket, and the HTTP server
    summaries.stop(); // and prints what the last few seconds did
    hardware.release(); // unwatch and unexport, so the pins are free for the next run
  }
  return { ...running, close };
}

if (require.main === module) runFromCommandLine(start);

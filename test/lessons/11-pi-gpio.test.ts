import { expect } from 'expect';
import { io, type Socket } from 'socket.io-client';
import { start } from '../../lessons/11-pi-gpio/server';
import type { Bit, ClientToServerEvents, Hello, ServerToClientEvents } from '../../lessons/11-pi-gpio/events';
import { GPIO_RATE_LIMIT } from '../../lessons/11-pi-gpio/limits';
import { addressOf } from '../../shared/clients';
import { errorWithCode, SimulatedPin, type Pin, type PinFactory, type PinRequest, type WatchCallback } from '../../lessons/11-pi-gpio/pins';
import { RATE_LIMITED } from '../../shared/rate-limit';
import { closeClients, collect, connect, connectMany, emitRaw, pause, useLesson, waitFor } from '../helpers';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * The sensor and the LED among the pins a factory made, found by their
 * requests, not by their order: a lesson with a third pin (exercise 1) opens
 * more, perhaps in between.
 */
function sensorAndLed<P extends { request: PinRequest }>(made: P[]) {
  const find = (direction: 'in' | 'out', pin: number) => () => {
    const found = made.find((p) => p.request.direction === direction && p.request.pin === pin);
    if (!found) throw new Error(`no ${direction === 'in' ? 'sensor' : 'LED'} pin (GPIO ${pin}) was opened`);
    return found;
  };
  return { sensor: find('in', 21), led: find('out', 17) };
}

/** A pin factory that keeps the simulated pins it makes, so tests can look at them. */
function simulatedPins() {
  const made: SimulatedPin[] = [];
  const factory: PinFactory = (request) => {
    const pin = new SimulatedPin(request);
    made.push(pin);
    return pin;
  };
  return { factory, ...sensorAndLed(made), made };
}

/** Stands in for a real pin (no `simulate`), and can be told to fail. */
class FakeRealPin implements Pin {
  value: Bit = 0;
  fail: string | undefined;
  callback: WatchCallback | undefined;
  released = false;
  constructor(readonly request: PinRequest) {}
  read(): Bit {
    if (this.fail) throw errorWithCode(this.fail, 'i/o error');
    return this.value;
  }
  write(value: Bit): void {
    if (this.fail) throw errorWithCode(this.fail, 'i/o error');
    this.value = value;
  }
  watch(callback: WatchCallback): void {
    this.callback = callback;
  }
  release(): void {
    this.callback = undefined;
    this.released = true;
  }
}

const error = { ok: false, error: expect.any(String) };
const disconnected = (client: Client) => new Promise<string>((resolve) => client.once('disconnect', resolve));

/** Connects just to hear event:hello (it comes at once, so listen before connecting), then leaves. */
async function hello(url: string): Promise<Hello> {
  const client: Client = io(url, { transports: ['websocket'], reconnection: false, forceNew: true });
  try {
    return await waitFor(client, 'event:hello');
  } finally {
    client.close();
  }
}

describe('11 pi gpio (simulated pins)', () => {
  const pins = simulatedPins();
  const lesson = useLesson(start, { simulate: true, debounceMs: 0, env: {}, pinFactory: pins.factory });

  it('says hello with the pins, their levels and that they are simulated', async () => {
    // toMatchObject: a lesson may tell more (exercise 1 adds a button); clients ignore what they do not know.
    expect(await hello(lesson().url)).toMatchObject({
      simulated: true,
      sensor: { pin: 21, value: 0 },
      led: { pin: 17, value: 0 },
    });
  });

  it('pushes every sensor change to every client', async () => {
    const clients = await connectMany<Client>(lesson().url, 3);
    for (const value of [1, 0] as const) {
      const heard = clients.map((client) => waitFor(client, 'gpio:21'));
      pins.sensor().simulate(value);
      // toMatchObject: a push may carry more fields (exercise 5 counts the changes).
      expect(await Promise.all(heard)).toMatchObject([{ value }, { value }, { value }]);
    }
  });

  it('debounces: a quick bounce back to the same level sends nothing', async () => {
    const client = await connect<Client>(lesson().url);
    const seen = collect(client, 'gpio:21');
    pins.sensor().simulate(1);
    pins.sensor().simulate(0); // before the debounce timer fires
    await pause(30);
    expect(seen).toEqual([]);
  });

  it('answers a client that asks gpio:21, with an event and in the ack', async () => {
    const [asker, other] = await connectMany<Client>(lesson().url, 2);
    const othersSaw = collect(other, 'gpio:21');
    pins.sensor().simulate(1);
    await waitFor(asker, 'gpio:21'); // the push of the change
    const answer = waitFor(asker, 'gpio:21');
    expect(await asker.emitWithAck('gpio:21')).toEqual({ ok: true, value: 1 });
    expect(await answer).toMatchObject({ value: 1 });
    // Without an ack, the event alone answers.
    const again = waitFor(asker, 'gpio:21');
    asker.emit('gpio:21');
    expect(await again).toMatchObject({ value: 1 });
    await pause(20);
    expect(othersSaw).toMatchObject([{ value: 1 }]); // the push only, not the answers
    pins.sensor().simulate(0);
    await waitFor(asker, 'gpio:21');
  });

  it('switches the LED, acks, and shows every client its new state', async () => {
    const clients = await connectMany<Client>(lesson().url, 3);
    for (const value of [1, 0] as const) {
      const heard = clients.map((client) => waitFor(client, 'gpio:17'));
      expect(await clients[0].emitWithAck('gpio:17', { value })).toEqual({ ok: true, value });
      expect(await Promise.all(heard)).toEqual([{ value }, { value }, { value }]);
      expect(pins.led().value).toBe(value);
      expect((await hello(lesson().url)).led).toEqual({ pin: 17, value }); // newcomers too
    }
  });

  it('lets a client trigger the simulated sensor, and everyone sees it', async () => {
    const [alice, bob] = await connectMany<Client>(lesson().url, 2);
    const bobHears = waitFor(bob, 'gpio:21');
    expect(await alice.emitWithAck('simulate:sensor')).toEqual({ ok: true, value: 1 });
    expect(await bobHears).toMatchObject({ value: 1 });
    const back = waitFor(bob, 'gpio:21');
    alice.emit('simulate:sensor'); // no ack: fine too
    expect(await back).toMatchObject({ value: 0 });
  });

  it('refuses a bad LED value, and a good one still works afterwards', async () => {
    const [client, other] = await connectMany<Client>(lesson().url, 2);
    const otherSaw = collect(other, 'gpio:17');
    const bad = [2, -1, 0.5, '1', 1, true, null, undefined, {}, [1], { value: '1' }, { value: true }, { value: null }, { value: 1, extra: 1 }];
    for (const payload of bad) {
      await expect(emitRaw(client, 'gpio:17', [payload])).resolves.toEqual(error);
    }
    await expect(emitRaw(client, 'gpio:17', [{ value: 1 }, 'extra'])).resolves.toEqual({
      ok: false,
      error: 'expected 1 argument and an acknowledgement, got 2 arguments',
    });
    await expect(emitRaw(client, 'gpio:17', [])).resolves.toEqual(error);
    // Without an ack, or with one that is not a function: dropped silently.
    await emitRaw(client, 'gpio:17', [{ value: 1 }], false);
    await emitRaw(client, 'gpio:17', [{ value: 1 }, 'not a function'], false);
    await pause(30);
    expect(otherSaw).toEqual([]);
    expect(pins.led().value).toBe(0);

    const heard = waitFor(other, 'gpio:17'); // listen first: the change may come before the ack
    expect(await client.emitWithAck('gpio:17', { value: 1 })).toEqual({ ok: true, value: 1 });
    expect(await heard).toEqual({ value: 1 });
    await client.emitWithAck('gpio:17', { value: 0 });
  });

  it('refuses arguments to gpio:21 and simulate:sensor, and unknown events', async () => {
    const client = await connect<Client>(lesson().url);
    const seen = collect(client, 'gpio:21');
    for (const event of ['gpio:21', 'simulate:sensor']) {
      for (const junk of [null, 1, 'x', { value: 1 }]) {
        await expect(emitRaw(client, event, [junk])).resolves.toEqual(error);
        await emitRaw(client, event, [junk], false);
      }
    }
    await expect(emitRaw(client, 'gpio:18', [{ value: 1 }])).resolves.toEqual({ ok: false, error: 'unknown event "gpio:18"' });
    await emitRaw(client, 'gpio:18', [], false);
    await pause(30);
    expect(seen).toEqual([]); // nothing answered, nothing toggled
    expect(pins.sensor().value).toBe(0);
    expect(await client.emitWithAck('gpio:21')).toEqual({ ok: true, value: 0 });
  });

  it('serves the page, its compiled script and styles', async () => {
    const base = lesson().url;
    const html = await (await fetch(`${base}/`)).text();
    expect(html).toContain('<script type="module" src="app.js">');
    expect(html).toContain('/socket.io/socket.io.js');
    const script = await fetch(`${base}/app.js`);
    expect(script.headers.get('content-type')).toContain('javascript');
    expect(await script.text()).not.toContain('declare const io');
    expect((await fetch(`${base}/style.css`)).status).toBe(200);
    expect((await fetch(`${base}/workbook.css`)).status).toBe(200);
    expect((await fetch(`${base}/../server.ts`)).status).toBe(404);
  });

  it('refuses connections from pages of other sites', async () => {
    const poll = (origin: string) => fetch(`${lesson().url}/socket.io/?EIO=4&transport=polling`, { headers: { origin } });
    expect((await poll(lesson().url)).status).toBe(200);
    expect((await poll('http://evil.example')).status).toBe(403);
  });

  it('drops a client that sends an oversize message, and goes on', async () => {
    const client = await connect<Client>(lesson().url);
    const gone = disconnected(client);
    client.emit('gpio:17', { value: 'x'.repeat(5_000) } as never, () => {});
    await gone;
    const next = await connect<Client>(lesson().url);
    expect(await next.emitWithAck('gpio:21')).toEqual({ ok: true, value: 0 });
  });
});

/** Connects as another machine would: from `address`, one of the loopback addresses 127.0.0.N. */
function connectFrom(url: string, address: string): Promise<Client> {
  // An IPv4 URL: `localhost` may be ::1, which cannot be reached from 127.0.0.N.
  return connect<Client>(url.replace('localhost', '127.0.0.1'), { localAddress: address } as object);
}

/** Lines the lesson logs while `console.log` is replaced; `restore()` puts it back. */
function captureLog() {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => lines.push(args.join(' '));
  return { lines, restore: () => (console.log = log) };
}

describe('11 pi gpio: one client, one rate', () => {
  const lesson = useLesson(start, { simulate: true, debounceMs: 0, env: {}, keyboard: false });

  it('knows a client by its address, whatever the socket', () => {
    const of = (address: string) => addressOf({ handshake: { address } } as never);
    expect([of('127.0.0.2'), of('::ffff:127.0.0.2'), of('::FFFF:10.0.0.7'), of('::1'), of('::ffff:abcd:1'), of('')]).toEqual([
      '127.0.0.2',
      '127.0.0.2',
      '10.0.0.7',
      '0:0:0:0::/64', // an IPv6 client by its /64
      '171.205.0.1', // IPv4 in IPv6, in hexadecimal
      'unknown',
    ]);
  });

  for (const [event, args] of [
    ['gpio:17', [{ value: 1 }]],
    ['simulate:sensor', []],
  ] as const) {
    it(`${event}: a burst of ${GPIO_RATE_LIMIT.burst} per address, however many sockets it opens; other addresses go on`, async () => {
      const url = lesson().url;
      const sockets = await Promise.all([1, 2, 3, 4].map(() => connectFrom(url, '127.0.0.3')));
      const ask = (client: Client) => emitRaw(client, event, [...args]);
      // 12 requests at once, 3 from each socket: one client's, so 5 pass.
      const began = Date.now();
      const replies = await Promise.all(Array.from({ length: 12 }, (_, i) => ask(sockets[i % 4])));
      const refill = Math.ceil(((Date.now() - began) / 1000) * GPIO_RATE_LIMIT.perSecond); // a busy machine is slow
      const accepted = replies.filter((reply) => (reply as { ok: boolean }).ok).length;
      expect(accepted).toBeGreaterThanOrEqual(GPIO_RATE_LIMIT.burst);
      expect(accepted).toBeLessThanOrEqual(GPIO_RATE_LIMIT.burst + refill);
      expect(replies.filter((reply) => !(reply as { ok: boolean }).ok)).toEqual(Array(12 - accepted).fill({ ok: false, error: RATE_LIMITED }));
      // Another address is another client: answered at once.
      const other = await connectFrom(url, '127.0.0.4');
      expect(await ask(other)).toMatchObject({ ok: true });
      // Half a second later, the first client has one more.
      await pause(1000 / GPIO_RATE_LIMIT.perSecond + 20);
      expect(await ask(sockets[3])).toMatchObject({ ok: true });
    });
  }

  it('keeps an address limited when its sockets leave: reconnecting brings no fresh burst', async () => {
    const slow = await start({ port: 0, simulate: true, debounceMs: 0, env: {}, keyboard: false, rateLimit: { burst: 2, perSecond: 0.01 } });
    try {
      const first = await connectFrom(slow.url, '127.0.0.5');
      const replies = [];
      for (let i = 0; i < 3; i++) replies.push(await first.emitWithAck('gpio:17', { value: 1 }));
      expect(replies.map((reply) => reply.ok)).toEqual([true, true, false]);
      first.close();
      const again = await connectFrom(slow.url, '127.0.0.5');
      expect(await again.emitWithAck('gpio:17', { value: 1 })).toEqual({ ok: false, error: RATE_LIMITED });
    } finally {
      closeClients();
      await slow.close();
    }
  });
});

describe('11 pi gpio: the terminal', () => {
  it('sums up what clients did every summaryMs, not a line per switch, and close() ends its timer', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    await new Promise((resolve) => setImmediate(resolve)); // after mocha has set its own timer
    const timersBefore = timers();
    const log = captureLog();
    const lesson = await start({ port: 0, simulate: true, debounceMs: 0, env: {}, keyboard: false, summaryMs: 200 });
    try {
      const url = lesson.url;
      const [ann, bob] = [await connectFrom(url, '127.0.0.5'), await connectFrom(url, '127.0.0.6')];
      const about = (what: string) => log.lines.filter((line) => line.startsWith(what));

      // One switch by a person: in the terminal within summaryMs.
      expect(await ann.emitWithAck('gpio:17', { value: 1 })).toEqual({ ok: true, value: 1 });
      const until = Date.now() + 1000;
      while (about('LED').length === 0 && Date.now() < until) await pause(20);
      expect(about('LED')).toEqual(['LED GPIO 17: switched once by 1 client, now 1']);

      // Eight switches from two clients, some too fast, and two changes of the sensor: a summary,
      // not a line for each. A summary may fall in the middle: add up what the lines say.
      await pause(250);
      const lines = log.lines.length;
      const batch = Date.now();
      const replies = await Promise.all([0, 1, 0, 1, 0, 1, 0].map((value) => ann.emitWithAck('gpio:17', { value: value as Bit })));
      replies.push(await bob.emitWithAck('gpio:17', { value: 1 })); // the last switch: the LED is on
      for (let i = 0; i < 2; i++) await Promise.all([waitFor(ann, 'gpio:21'), bob.emitWithAck('simulate:sensor')]);
      const accepted = replies.filter((reply) => reply.ok).length;
      expect(accepted).toBeLessThan(8); // Ann was too fast
      const summary = () => log.lines.slice(lines).filter((line) => !line.startsWith('client '));
      const sum = (pattern: RegExp) => summary().reduce((total, line) => total + Number(pattern.exec(line)?.[1]?.replace('once', '1') ?? 0), 0);
      const counted = () => ({
        switched: sum(/^LED GPIO 17: switched (once|\d+)/),
        refused: sum(/^LED GPIO 17: .*; refused (once|\d+)/),
        changed: sum(/^sensor GPIO 21: changed (once|\d+)/),
      });
      const all = { switched: accepted, refused: 8 - accepted, changed: 2 };
      for (const until = Date.now() + 2000; JSON.stringify(counted()) !== JSON.stringify(all) && Date.now() < until; ) await pause(20);
      expect(counted()).toEqual(all);
      const took = Date.now() - batch;
      expect(summary().length).toBeLessThanOrEqual(2 * Math.ceil(took / 200 + 1)); // a line each for the LED and the sensor per summary
      expect(summary().filter((line) => line.startsWith('LED')).at(-1)).toMatch(/^LED GPIO 17: switched .*, now 1(; refused (once|\d+ times) \(too fast\) to 1 client)?$/);
      expect(summary().filter((line) => line.startsWith('sensor')).at(-1)).toMatch(/^sensor GPIO 21: changed (once|2 times), now 0$/);
    } finally {
      closeClients();
      await lesson.close();
      log.restore();
    }
    await pause(20); // the clients' own timers end as they close
    await new Promise((resolve) => setImmediate(resolve)); // read outside a timer's callback
    expect(timers()).toBeLessThanOrEqual(timersBefore);
  });
});

describe('11 pi gpio close()', () => {
  it('ends the sockets, unwatches and releases both pins', async () => {
    const pins = simulatedPins();
    const lesson = await start({ port: 0, simulate: true, debounceMs: 0, env: {}, pinFactory: pins.factory });
    const client = await connect<Client>(lesson.url);
    expect(pins.made.length).toBeGreaterThanOrEqual(2); // the sensor and the LED, at least
    expect(pins.sensor().watching).toBe(true);
    const gone = disconnected(client);
    await lesson.close();
    await gone;
    expect(pins.sensor().watching).toBe(false);
    expect(pins.made.map((pin) => pin.released)).toEqual(pins.made.map(() => true)); // every pin
    await lesson.close(); // twice is harmless
  });

  it('releases the pins when the port is taken', async () => {
    const first = await start({ port: 0, simulate: true, env: {} });
    const pins = simulatedPins();
    const port = Number(new URL(first.url).port);
    try {
      await expect(start({ port, simulate: true, env: {}, pinFactory: pins.factory })).rejects.toThrow(/EADDRINUSE/);
      expect(pins.made.length).toBeGreaterThanOrEqual(2);
      expect(pins.made.map((pin) => pin.released)).toEqual(pins.made.map(() => true));
    } finally {
      await first.close();
    }
  });
});

describe('11 pi gpio (real pins, faked)', () => {
  const made: FakeRealPin[] = [];
  const lesson = useLesson(start, {
    debounceMs: 0,
    env: {},
    pinFactory: (request: PinRequest) => {
      const pin = new FakeRealPin(request);
      made.push(pin);
      return pin;
    },
  });
  const { sensor, led } = sensorAndLed(made);
  // The server logs each hardware error; keep the test output readable.
  const consoleError = console.error;
  before(() => (console.error = () => {}));
  after(() => (console.error = consoleError));
  afterEach(() => {
    sensor().fail = led().fail = undefined;
  });

  it('says the pins are real, and refuses simulate:sensor', async () => {
    expect((await hello(lesson().url)).simulated).toBe(false);
    const client = await connect<Client>(lesson().url);
    expect(await client.emitWithAck('simulate:sensor')).toEqual({ ok: false, error: expect.stringContaining('the pins are real') });
  });

  it('pushes what the watched pin reports', async () => {
    const clients = await connectMany<Client>(lesson().url, 2);
    const heard = clients.map((client) => waitFor(client, 'gpio:21'));
    sensor().callback!(null, 1);
    expect(await Promise.all(heard)).toMatchObject([{ value: 1 }, { value: 1 }]);
    sensor().callback!(null, 0);
  });

  it('survives a failing LED write: error ack, no broadcast, the server goes on', async () => {
    const [client, other] = await connectMany<Client>(lesson().url, 2);
    const otherSaw = collect(other, 'gpio:17');
    led().fail = 'EIO';
    expect(await client.emitWithAck('gpio:17', { value: 1 })).toEqual({
      ok: false,
      error: expect.stringMatching(/^could not switch the LED \(GPIO 17\): EIO/),
    });
    led().fail = undefined;
    const heard = waitFor(other, 'gpio:17'); // listen first: the change may come before the ack
    expect(await client.emitWithAck('gpio:17', { value: 1 })).toEqual({ ok: true, value: 1 });
    await heard;
    expect(otherSaw).toEqual([{ value: 1 }]);
    await client.emitWithAck('gpio:17', { value: 0 });
  });

  it('survives a failing sensor read: error ack, or gpio:error without one', async () => {
    const client = await connect<Client>(lesson().url);
    sensor().fail = 'EIO';
    expect(await client.emitWithAck('gpio:21')).toEqual({ ok: false, error: expect.stringContaining('could not read the sensor (GPIO 21)') });
    const problem = waitFor(client, 'gpio:error');
    client.emit('gpio:21');
    expect((await problem).error).toContain('could not read the sensor');
    sensor().fail = undefined;
    expect(await client.emitWithAck('gpio:21')).toEqual({ ok: true, value: 0 });
  });

  it('tells every client when the watch reports an error, and goes on', async () => {
    const clients = await connectMany<Client>(lesson().url, 2);
    const problems = clients.map((client) => waitFor(client, 'gpio:error'));
    sensor().callback!(new Error('EIO: i/o error'), 0);
    for (const problem of await Promise.all(problems)) expect(problem.error).toContain('the sensor (GPIO 21) failed');
    const next = waitFor(clients[1], 'gpio:21');
    sensor().callback!(null, 1);
    expect(await next).toMatchObject({ value: 1 });
    sensor().callback!(null, 0);
  });
});

describe('11 pi gpio start errors', () => {
  /** Starts with a factory whose `failing` pin throws an error with `code`. */
  async function startError(code: string, failing: 'in' | 'out'): Promise<{ message: string; made: FakeRealPin[] }> {
    const made: FakeRealPin[] = [];
    const pinFactory = (request: PinRequest) => {
      if (request.direction === failing) throw errorWithCode(code, `${code.toLowerCase()} from the kernel`);
      const pin = new FakeRealPin(request);
      made.push(pin);
      return pin;
    };
    const started = start({ port: 0, env: {}, pinFactory });
    const err = await started.then(
      async (lesson) => {
        await lesson.close();
        throw new Error('start() should have failed');
      },
      (err: Error) => err,
    );
    return { message: err.message, made };
  }

  const causes: [string, RegExp][] = [
    ['EACCES', /permission denied.*gpio group/],
    ['EPERM', /permission denied.*gpio group/],
    ['EBUSY', /busy.*SENSOR_PIN=/],
    ['EINVAL', /no GPIO 21\b.*512 on a Pi 4, 571 on a Pi 5.*GPIO_BASE/],
    ['ENOENT', /no GPIO 21\b.*GPIO_BASE/],
    ['EIO', /eio from the kernel/],
  ];
  for (const [code, cause] of causes) {
    it(`${code} on the sensor: one clear sentence naming the pin`, async () => {
      const { message } = await startError(code, 'in');
      expect(message).toMatch(/^Cannot use the sensor on GPIO 21 \(physical pin 40, sysfs number 21\): /);
      expect(message).toMatch(cause);
      expect(message).not.toContain('\n');
    });
  }

  it('names the LED when it fails, and releases the sensor already opened', async () => {
    const { message, made } = await startError('EBUSY', 'out');
    expect(message).toMatch(/^Cannot use the LED on GPIO 17 \(physical pin 11, sysfs number 17\): the pin is busy.*LED_PIN=/);
    expect(made.map((pin) => pin.request.pin)).toContain(21);
    expect(made.map((pin) => pin.released)).toEqual(made.map(() => true)); // every pin opened before
  });

  it('refuses bad pin numbers and a bad GPIO_BASE before touching a pin', async () => {
    const bad: [NodeJS.ProcessEnv, RegExp][] = [
      [{ SENSOR_PIN: 'x' }, /^SENSOR_PIN must be a GPIO number from 0 to 27/],
      [{ LED_PIN: '28' }, /^LED_PIN must be/],
      [{ LED_PIN: '21' }, /must be different pins/],
      [{ GPIO_BASE: '-1' }, /^GPIO_BASE must be a whole number/],
    ];
    for (const [env, message] of bad) {
      const pins = simulatedPins();
      await expect(start({ port: 0, env, pinFactory: pins.factory })).rejects.toThrow(message);
      expect(pins.made).toEqual([]);
    }
  });

  it('uses SENSOR_PIN, LED_PIN and GPIO_BASE', async () => {
    const pins = simulatedPins();
    const lesson = await start({ port: 0, env: { SENSOR_PIN: '4', LED_PIN: '27', GPIO_BASE: '512' }, pinFactory: pins.factory });
    try {
      expect(pins.made.map(({ request }) => [request.pin, request.sysfs, request.direction])).toEqual(
        expect.arrayContaining([
          [4, 516, 'in'],
          [27, 539, 'out'],
        ]),
      );
      const { sensor, led } = await hello(lesson.url);
      expect([sensor.pin, led.pin]).toEqual([4, 27]);
    } finally {
      await lesson.close();
    }
  });
});

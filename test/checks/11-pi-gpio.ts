// The checks of lesson 11's exercises (see its README). The pins are
// simulated: by the lesson's own simulated pins (`simulate: true`), or by pins
// of the check's own, handed to the lesson with the `pinFactory` option as
// its tests do, when a check must set a pin's level itself.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { call, expectThat, NotYet, root, show, type Check, type Client, type LessonChecks, type Program } from './check';

/** How long to wait for what should come at once: generous, for a busy machine. */
const SOON = 2000;

type Bit = 0 | 1;
type Watcher = (err: Error | null, value: Bit) => void;

/** A pin of the check's own: the check sets an input's level, and its watchers hear it at once. */
class TestPin {
  level: Bit = 0;
  watchers: Watcher[] = [];
  released = false;
  /** Writes after release(): a timer the lesson left running. */
  lateWrites = 0;
  constructor(readonly request: { pin: number; direction: 'in' | 'out' }) {}
  read(): Bit {
    return this.level;
  }
  write(value: Bit): void {
    if (this.released) this.lateWrites++;
    this.level = value;
  }
  watch(callback: Watcher): void {
    this.watchers.push(callback);
  }
  release(): void {
    this.watchers = [];
    this.released = true;
  }
  /** Like the lesson's simulated pins: the world changes the level. */
  simulate(value: Bit): void {
    this.set(value);
  }
  /** The level changes (or bounces back to where it was): every watcher hears it. */
  set(value: Bit): void {
    this.level = value;
    for (const watcher of [...this.watchers]) watcher(null, value);
  }
}

/** A pinFactory for the lesson's start options, keeping the pins it makes. */
function testPins(sensorLevel: Bit = 0) {
  const made: TestPin[] = [];
  const factory = (request: TestPin['request']) => {
    const pin = new TestPin(request);
    if (request.direction === 'in' && request.pin === 21) pin.level = sensorLevel;
    made.push(pin);
    return pin;
  };
  const sensor = () => {
    const pin = made.find(({ request }) => request.direction === 'in' && request.pin === 21);
    if (!pin) throw new NotYet('the lesson opened no sensor on GPIO 21 with the pinFactory it was given');
    return pin;
  };
  const led = () => {
    const pin = made.find(({ request }) => request.direction === 'out' && request.pin === 17);
    if (!pin) throw new NotYet('the lesson opened no LED on GPIO 17 with the pinFactory it was given');
    return pin;
  };
  return { factory, sensor, led, made };
}

/** Connects and resolves with the client and its event:hello. */
async function greeted(t: Check, url?: string): Promise<[Client, any]> {
  let hello: Promise<any[]> | undefined;
  const client = await t.connect((c) => {
    hello = t.next(c, 'event:hello', 'event:hello on connecting', () => true, SOON);
  }, url ? { url } : {});
  const [said] = await hello!;
  return [client, said];
}

/** The next `event` on `client` whose payload has the fields of `want`. */
function hears(t: Check, client: Client, event: string, want: object, who = 'every client', ms = SOON): Promise<any[]> {
  const fits = (state: any) => Object.entries(want).every(([key, value]) => state?.[key] === value);
  return t.next(client, event, `${who} to hear ${event} ${show(want)}`, fits, ms);
}

/** How long a program started with ts-node may take to start and do its work. */
const PROGRAM_MS = 8000;

/** Asks `event()` and expects `{ ok: true, value }`. */
async function expectValue(t: Check, client: Client, event: string, value: Bit, why = ''): Promise<void> {
  const reply = await t.ask(client, event, [], SOON);
  expectThat(reply?.ok === true && reply.value === value, `${call(event, [])}${why} was answered ${show(reply)}; expected { ok: true, value: ${value} }`);
}

/** The sensor still answers: the server is up. */
const sensorAnswers = (t: Check, client: Client) => async () => {
  const reply = await t.ask(client, 'gpio:21', [], SOON);
  expectThat(reply?.ok === true, `gpio:21() was answered ${show(reply)}`);
};

/** What every check starts the lesson with: simulated pins, no debounce, no keyboard, no outside env. */
const QUICK = { simulate: true, debounceMs: 0, env: {}, keyboard: false };

/** Runs lessons/11-pi-gpio/client.ts with `args` through ts-node; stopped when the check ends. */
function runClient(t: Check, args: string[]): Program {
  if (!existsSync(path.join(root, 'lessons', '11-pi-gpio', 'client.ts'))) throw new NotYet('there is no lessons/11-pi-gpio/client.ts yet');
  return t.run('lessons/11-pi-gpio/client.ts', args);
}

export const checks: LessonChecks = {
  lesson: '11-pi-gpio',
  exercises: [
    {
      id: '11.1',
      title: 'A second input',
      options: QUICK,
      async check(t) {
        const [ann, hello] = await greeted(t);
        expectThat(
          hello?.button?.pin === 20 && hello.button.value === 0,
          `event:hello said ${show(hello, 140)}; expected a field button: { pin: 20, value: 0 } beside sensor and led`,
        );
        const [bob] = await greeted(t);
        const annSaw = t.record(ann);
        const [annHears, bobHears] = [hears(t, ann, 'gpio:20', { value: 1 }), hears(t, bob, 'gpio:20', { value: 1 })];
        await expectValue(t, ann, 'simulate:button', 1, ', with the button released,');
        await Promise.all([annHears, bobHears]);
        const answer = hears(t, bob, 'gpio:20', { value: 1 }, 'the client that asked');
        await expectValue(t, bob, 'gpio:20', 1, ', with the button pressed,');
        await answer;
        const [, later] = await greeted(t);
        expectThat(later?.button?.value === 1, `with the button pressed, a newcomer's event:hello said button: ${show(later?.button)}; expected value 1, where the button is now`);
        expectThat(!annSaw.some(([event]) => event === 'gpio:21'), 'pressing the button sent gpio:21; the sensor did not change');
        await expectValue(t, ann, 'gpio:21', 0, ' after the button was pressed');

        const back = hears(t, bob, 'gpio:20', { value: 0 });
        await expectValue(t, ann, 'simulate:button', 0, ', with the button pressed,');
        await back;
        for (const event of ['gpio:20', 'simulate:button']) {
          await t.refusesBadInput(ann, event, { good: [], bad: [42], stillAnswers: sensorAnswers(t, ann) });
        }

        // The page shows it.
        const page = await t.open('/');
        // What the page shows but its list of events: text, and lights (classes, attributes) too.
        const shown = () => {
          const copy = document.body.cloneNode(true) as HTMLElement;
          copy.querySelector('#log')?.remove();
          return copy.innerHTML;
        };
        await t.shows(page, 'GPIO 20', 'the page', SOON);
        const before = await page.evaluate(shown);
        await t.ask(ann, 'simulate:button', [], SOON);
        try {
          await page.waitForFunction(`(${shown})() !== ${JSON.stringify(before)}`, undefined, { timeout: SOON });
        } catch {
          throw new NotYet('the button was pressed, and nothing on the page changed but the list of events (#log)');
        }

        // Limited as the sensor is: per client (its address), however many connections it opens.
        const three = await Promise.all([1, 2, 3].map(() => t.connect()));
        const replies = await Promise.all(three.flatMap((client) => [1, 2, 3, 4].map(() => t.ask(client, 'simulate:button', [], SOON))));
        const refused = replies.filter((reply) => reply?.ok === false).length;
        expectThat(
          refused > 0,
          `12 quick simulate:button() from three connections of one client (one address) were all accepted; limit the button as the sensor is (5 at once, then 2 a second), for each client by its address, not for each connection`,
        );

        // close() releases every pin, the button's too, or the next run finds it taken.
        const pins = testPins();
        const other = await t.start({ ...QUICK, pinFactory: pins.factory });
        await other.close();
        const button = pins.made.find(({ request }) => request.direction === 'in' && request.pin === 20);
        expectThat(button !== undefined, 'the lesson opened no button on GPIO 20 with the pinFactory it was given; open it from the same factory as the sensor, so every kind of pin works');
        expectThat(
          button!.released,
          "the lesson was closed and the button's pin (GPIO 20) was not released; close() must release every pin it opened, the button's too, or the next run finds it taken",
        );
      },
    },
    {
      id: '11.2',
      title: 'Blink',
      options: { ...QUICK, blinkMs: 20 },
      async check(t) {
        const [ann] = await greeted(t);
        const [bob] = await greeted(t);
        const seen: Array<{ value: unknown; at: number }> = [];
        bob.on('gpio:17', (state: { value?: unknown }) => seen.push({ value: state?.value, at: Date.now() }));
        const started = Date.now();
        await t.expectOk(ann, 'blink', [], SOON);
        const again = await t.ask(ann, 'blink', [], SOON);
        expectThat(again?.ok === false && typeof again.error === 'string', `blink() during a blink was answered ${show(again)}; expected { ok: false, error: "…" }`);
        const bobs = await t.ask(bob, 'blink', [], SOON);
        expectThat(
          bobs?.ok === false && typeof bobs.error === 'string',
          `Bob's blink() during Ann's blink was answered ${show(bobs)}; there is one LED and one blink at a time for everyone, so expected { ok: false, error: "…" }`,
        );
        const ten = [1, 0, 1, 0, 1, 0, 1, 0, 1, 0];
        for (const until = Date.now() + 3000; seen.length < 10 && Date.now() < until; ) await t.pause(20);
        await t.pause(100); // one more would have come by now
        const values = seen.map((change) => change.value);
        expectThat(show(values) === show(ten), `with the LED off and blinkMs 20, blink() made every client hear gpio:17 with ${show(values)}; expected ${show(ten)}, five times on and off`);
        expectThat(seen[9].at - started >= 120, `the ten changes of a blink came within ${seen[9].at - started} ms; with blinkMs 20 they take about 200 ms, one every blinkMs`);

        // Switching the LED stops a blink, whoever switches it: Bob stops Ann's. Bob hears
        // his own switch before its answer, so whatever comes to him after it is the blink going on.
        const first = hears(t, bob, 'gpio:17', { value: 1 }, 'Bob');
        await t.ask(ann, 'blink', [], SOON);
        await first;
        const bobSaw = t.record(bob);
        const switched = await t.ask(bob, 'gpio:17', [{ value: 0 }], SOON);
        expectThat(switched?.ok === true && switched.value === 0, `Bob's gpio:17({ value: 0 }) during Ann's blink was answered ${show(switched)}; expected { ok: true, value: 0 }`);
        const answered = bobSaw.length;
        await t.pause(150);
        const after = bobSaw.slice(answered).filter(([event]) => event === 'gpio:17').map(([, state]) => (state as { value?: unknown })?.value);
        expectThat(after.length === 0, `after Bob's gpio:17({ value: 0 }) during Ann's blink, every client heard gpio:17 ${show(after)} more; switching the LED, whoever switches it, must stop the blink`);
        const [, hello] = await greeted(t);
        expectThat(hello?.led?.value === 0, `after gpio:17({ value: 0 }) stopped a blink, a newcomer's event:hello says the LED is ${show(hello?.led)}; expected value 0`);
        await t.refusesBadInput(ann, 'blink', {
          good: [],
          bad: [42],
          stillAnswers: async () => {
            const answer = await t.ask(ann, 'gpio:17', [{ value: 0 }], SOON);
            expectThat(answer?.ok === true, `gpio:17({ value: 0 }) was answered ${show(answer)}`);
          },
        });

        // During a blink the LED's state is the blink's: a newcomer hears what everyone last heard.
        const slow = await t.start({ ...QUICK, blinkMs: 400, pinFactory: testPins().factory });
        const [dee] = await greeted(t, slow.url);
        const lit = hears(t, dee, 'gpio:17', { value: 1 }, 'Dee');
        await t.expectOk(dee, 'blink', [], SOON);
        await lit;
        const [, during] = await greeted(t, slow.url);
        expectThat(
          during?.led?.value === 1,
          `during a blink, just after every client heard gpio:17 { value: 1 }, a newcomer's event:hello says the LED is ${show(during?.led)}; expected value 1: the blink must keep the LED's state up to date, as a switch by hand does`,
        );
        await slow.close();

        // close() during a blink stops it: no switch of a released LED afterwards.
        const pins = testPins();
        const other = await t.start({ ...QUICK, blinkMs: 20, pinFactory: pins.factory });
        const [cy] = await greeted(t, other.url);
        const on = hears(t, cy, 'gpio:17', { value: 1 }, 'Cy');
        await t.expectOk(cy, 'blink', [], SOON);
        await on;
        await other.close();
        await t.pause(150);
        expectThat(
          pins.led().lateWrites === 0,
          `the lesson was closed during a blink, and the blink went on switching the released LED ${pins.led().lateWrites} times; close() must stop the blink's timer`,
        );
      },
    },
    {
      id: '11.3',
      title: 'Wired to ground',
      async check(t) {
        const pins = testPins(1); // released: the pull-up holds the pin at 1
        // SENSOR_ACTIVE_LOW comes in the `env` start option, as SENSOR_PIN does (process.env is only its default).
        await t.start({ ...QUICK, env: { SENSOR_ACTIVE_LOW: '1' }, pinFactory: pins.factory });
        const [ann, hello] = await greeted(t);
        expectThat(
          hello?.sensor?.value === 0,
          `with SENSOR_ACTIVE_LOW=1 in the env start option and the pin at 1 (released), event:hello says the sensor is ${show(hello?.sensor)}; expected value 0 (read SENSOR_ACTIVE_LOW from the same env as SENSOR_PIN)`,
        );
        expectThat(
          hello?.led?.value === 0,
          `with SENSOR_ACTIVE_LOW=1 and the LED's pin at 0, event:hello says the LED is ${show(hello?.led)}; expected value 0: only the sensor is wired to ground, the LED is not turned over`,
        );
        let pressed = hears(t, ann, 'gpio:21', { value: 1 });
        pins.sensor().set(0); // pressed: the button pulls the pin to GND
        await pressed;
        await expectValue(t, ann, 'gpio:21', 1, ' with the pin at 0 (pressed)');
        const released = hears(t, ann, 'gpio:21', { value: 0 });
        pins.sensor().set(1);
        await released;
        pressed = hears(t, ann, 'gpio:21', { value: 1 });
        await expectValue(t, ann, 'simulate:sensor', 1, ' with the sensor released');
        await pressed;
        expectThat(pins.sensor().level === 0, `simulate:sensor pressed the sensor, and left the pin at ${pins.sensor().level}; with SENSOR_ACTIVE_LOW=1, pressed is 0 at the pin`);
        const switched = await t.ask(ann, 'gpio:17', [{ value: 1 }], SOON);
        expectThat(
          switched?.ok === true && pins.led().level === 1,
          `with SENSOR_ACTIVE_LOW=1, gpio:17({ value: 1 }) was answered ${show(switched)} and left the LED's pin at ${pins.led().level}; expected it at 1: only the sensor is turned over`,
        );

        // Without SENSOR_ACTIVE_LOW, or with SENSOR_ACTIVE_LOW=0, nothing changes.
        for (const env of [{}, { SENSOR_ACTIVE_LOW: '0' }]) {
          const plain = testPins(0);
          const lesson = await t.start({ ...QUICK, env, pinFactory: plain.factory });
          const [cy, hi] = await greeted(t, lesson.url);
          const how = 'SENSOR_ACTIVE_LOW' in env ? 'with SENSOR_ACTIVE_LOW=0' : 'without SENSOR_ACTIVE_LOW';
          expectThat(hi?.sensor?.value === 0, `${how} and the pin at 0, event:hello says the sensor is ${show(hi?.sensor)}; expected value 0, as before`);
          const high = hears(t, cy, 'gpio:21', { value: 1 }, `${how}, a client`);
          plain.sensor().set(1);
          await high;
        }

        // The lesson's own simulated pins have no pull-up: with SENSOR_ACTIVE_LOW=1, the sensor starts released.
        const own = await t.start({ ...QUICK, simulate: true, env: { SENSOR_ACTIVE_LOW: '1' } });
        const [, start] = await greeted(t, own.url);
        expectThat(
          start?.sensor?.value === 0,
          `with SENSOR_ACTIVE_LOW=1 and the lesson's own simulated pins, event:hello says the sensor is ${show(start?.sensor)} at start; expected value 0, released: a simulated pin has no pull-up, so start it at 1 at the pin`,
        );
      },
    },
    {
      id: '11.4',
      title: 'A terminal client',
      options: QUICK,
      async check(t) {
        const lesson = await t.lesson();
        const [watcher] = await greeted(t);
        // The sensor at 0 and the LED switched to 1: a line with 0 is the sensor's value, not the LED's.
        const ledOn = hears(t, watcher, 'gpio:17', { value: 1 }, 'everyone', PROGRAM_MS);
        const on = runClient(t, ['on', lesson.url]);
        try {
          await ledOn;
        } catch {
          throw new NotYet(`\`client.ts on ${lesson.url}\` did not switch the LED on: no gpio:17 { value: 1 } came (printed: ${show(on.lines().slice(-3))})`);
        }
        // Connected, and done switching: it has asked for the sensor by now, or soon.
        await on.prints(/\b0\b/, 0, "a line with the sensor's value, 0 (it asks gpio:21 once, at the start)", SOON);
        for (const value of [1, 0, 1] as const) {
          const printed = on.lines().length;
          // Every client hears the change before the next: a toggle right after another could
          // fall inside the simulated pin's debounce, and the two would make no change at all.
          const heard = hears(t, watcher, 'gpio:21', { value });
          await expectValue(t, watcher, 'simulate:sensor', value);
          await heard;
          await on.prints(new RegExp(`\\b${value}\\b`), printed, `a new line with the sensor's new value, ${value}, once it changed`, PROGRAM_MS);
        }

        // The network drops; the client reconnects on its own, and still prints each change once.
        const sockets = () => [...lesson.io!.of('/').sockets.values()].filter((socket) => socket.id !== watcher.id);
        for (const socket of sockets()) socket.conn.close();
        for (const until = Date.now() + PROGRAM_MS; sockets().length === 0 && Date.now() < until; ) await t.pause(50);
        expectThat(sockets().length > 0, `\`client.ts on ${lesson.url}\` did not reconnect after its connection dropped (printed: ${show(on.lines().slice(-3))})`);
        await t.pause(300); // what it does on connecting (asking again, switching again) is done by now
        const before = on.lines().length;
        await expectValue(t, watcher, 'simulate:sensor', 0);
        await on.prints(/\b0\b/, before, "a new line with the sensor's new value, 0, after a reconnect", PROGRAM_MS);
        await t.pause(200); // a second line would have come by now
        const zeros = on.lines().slice(before).filter((line) => /\b0\b/.test(line));
        expectThat(
          zeros.length === 1,
          `after a reconnect, one change of the sensor was printed ${zeros.length} times (${show(zeros)}); listen for changes once, outside the connect handler, or each reconnect adds a listener`,
        );
        await expectValue(t, watcher, 'simulate:sensor', 1); // back to 1 for the next client
        const ledOff = hears(t, watcher, 'gpio:17', { value: 0 }, 'everyone', PROGRAM_MS);
        const off = runClient(t, ['off', lesson.url]);
        try {
          await ledOff;
        } catch {
          throw new NotYet(`\`client.ts off ${lesson.url}\` did not switch the LED off: no gpio:17 { value: 0 } came (printed: ${show(off.lines().slice(-3))})`);
        }
        await off.prints(/\b1\b/, 0, "a line with the sensor's value, 1", SOON);
      },
    },
    {
      id: '11.5',
      title: 'Count the changes',
      async check(t) {
        const pins = testPins(0);
        await t.start({ ...QUICK, pinFactory: pins.factory });
        const [ann] = await greeted(t);
        const [bob] = await greeted(t);
        const asked = (client: Client, value: Bit, changes: number, when: string) => async () => {
          const answer = hears(t, client, 'gpio:21', { value, changes }, `the client that asked ${when}`);
          await expectValue(t, client, 'gpio:21', value);
          await answer;
        };
        await asked(ann, 0, 0, 'before any change')();
        const pushes: any[] = [];
        ann.on('gpio:21', (state: unknown) => pushes.push(state));
        for (const [n, value] of ([1, 0, 1] as const).entries()) {
          const push = [ann, bob].map((client) => hears(t, client, 'gpio:21', { value, changes: n + 1 }, `after ${n + 1} changes, every client (${client === ann ? 'Ann' : 'Bob'})`));
          pins.sensor().set(value);
          await Promise.all(push);
        }
        pins.sensor().set(1); // a bounce that settled where it was: no change
        await asked(ann, 1, 3, 'after 3 changes and a bounce')();
        const [cy] = await greeted(t);
        await asked(cy, 1, 3, 'after 3 changes since the server started, though it connected after them,')();
        const odd = pushes.filter((state) => typeof state?.value !== 'number');
        expectThat(odd.length === 0, `gpio:21 came with ${show(odd[0])}; keep the field value as it was`);
        const reply = await t.ask(ann, 'simulate:sensor', [], SOON);
        expectThat(reply?.ok === true && reply.value === 0, `simulate:sensor() was answered ${show(reply)}; expected { ok: true, value: 0 }, as before`);

        // The count is the server's: a lesson started again (in the same process) starts at 0.
        const restarted = await t.start({ ...QUICK, pinFactory: testPins(0).factory });
        const [dee] = await greeted(t, restarted.url);
        const state = t.next(dee, 'gpio:21', 'a client of a lesson started again to get gpio:21', undefined, SOON);
        await t.ask(dee, 'gpio:21', [], SOON);
        const [fresh] = await state;
        expectThat(
          (fresh as { changes?: unknown })?.changes === 0,
          `a lesson started again in the same process, with no change of its own, sent gpio:21 with ${show(fresh)}; expected changes: 0, the changes since that server started: keep the count inside start(), not in a variable of the module, which outlives close() and a restart`,
        );
        await restarted.close();
      },
    },
  ],
};

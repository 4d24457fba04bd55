// 5. Lesson 11 under a flood: 20 clients, each from an address of its own,
// switch the LED and trigger the simulated sensor 10 times a second each for
// 2 s. Each is held to its rate; a bystander from another address is answered
// within a second all along and sees the sensor change within the debounce
// time; the terminal gets a few summaries, not a line per switch.
import { expect } from 'expect';
import type { Socket } from 'socket.io-client';
import type { Bit } from '../../lessons/11-pi-gpio/events';
import { GPIO_RATE_LIMIT } from '../../lessons/11-pi-gpio/limits';
import { SimulatedPin, type PinRequest } from '../../lessons/11-pi-gpio/pins';
import { RATE_LIMITED } from '../../shared/rate-limit';
import type { RunningLesson } from '../../shared/run';
import { connect, pause } from '../helpers';
import { targets } from './targets';
import { catchProcessErrors } from './watch';

const FLOODERS = 20;
const FLOOD_MS = 2000;
const EVERY_MS = 100; // each flooder sends gpio:17 and simulate:sensor 10 times a second: 5 times its rate
// Each starts a little after the one before, as loops of 20 students would, not all in step:
// the switches they are allowed come one every 25 ms or so, less than the debounce time apart.
const STAGGER_MS = 1000 / GPIO_RATE_LIMIT.perSecond / FLOODERS;
const DEBOUNCE_MS = 100;
const SUMMARY_MS = 500;
const LATE_MS = 500; // how late a timer may fire on a busy machine
const ANSWER_MS = 1000; // how long the bystander may wait for an answer, or a push

type Reply = { ok: boolean; error?: string };
type Seen = { value: Bit; at: number };

for (const target of targets.filter((t) => t.lesson === '11-pi-gpio')) {
  describe(`robustness: ${target.lesson} under a flood from ${FLOODERS} clients`, function () {
    // Bounded work, ~4 s on an idle machine; a busy 2-core CI box can take much longer.
    this.timeout(60_000);
    let lesson: RunningLesson;
    let watch: ReturnType<typeof catchProcessErrors>;
    const pins: SimulatedPin[] = [];
    const sensor = () => pins.find(({ request }) => request.direction === 'in')!;
    const log: string[] = [];
    const consoleLog = console.log;

    before(async () => {
      watch = catchProcessErrors();
      console.log = (...args: unknown[]) => log.push(args.join(' '));
      const pinFactory = (request: PinRequest) => {
        const pin = new SimulatedPin(request);
        pins.push(pin);
        return pin;
      };
      const options = { simulate: true, env: {}, keyboard: false, debounceMs: DEBOUNCE_MS, summaryMs: SUMMARY_MS, pinFactory };
      lesson = await target.start()({ ...target.options, ...options, port: 0 } as never);
    });
    after(async () => {
      await lesson?.close();
      console.log = consoleLog;
      watch?.stop();
    });

    it('holds each address to its rate; a bystander is answered, and hears the sensor, all along; the log sums it up', async () => {
      // An IPv4 URL: `localhost` may be ::1, which cannot be reached from 127.0.0.N.
      const url = lesson.url.replace('localhost', '127.0.0.1');
      const from = (address: string) => connect(url, { localAddress: address } as object);
      const flooders = await Promise.all(Array.from({ length: FLOODERS }, (_, i) => from(`127.0.0.${10 + i}`)));
      const bystander = await from('127.0.0.200'); // asks, and triggers the sensor now and then
      const listener = await from('127.0.0.200'); // only listens: every gpio:21 it hears is a push
      const pushes: Seen[] = [];
      listener.on('gpio:21', ({ value }: { value: Bit }) => pushes.push({ value, at: Date.now() }));
      const reports: Seen[] = []; // what the pin told its watchers (the server first)
      sensor().watch((err, value) => reports.push({ value, at: Date.now() }));
      const logged = log.length;

      // The flood.
      const accepted = flooders.map(() => ({ led: 0, sensor: 0 }));
      const refusals = new Set<string>();
      let refused = 0; // LED switches refused
      let unanswered = 0;
      const replies: Promise<void>[] = [];
      const send = (client: Socket, i: number, what: 'led' | 'sensor', ...args: unknown[]) =>
        replies.push(
          client
            .timeout(5000)
            .emitWithAck(what === 'led' ? 'gpio:17' : 'simulate:sensor', ...args)
            .then(
              (reply: Reply) => {
                if (reply.ok) return void accepted[i][what]++;
                refusals.add(String(reply.error));
                if (what === 'led') refused++;
              },
              () => void unanswered++,
            ),
        );
      const timers: NodeJS.Timeout[] = [];
      flooders.forEach((client, i) => {
        let level: Bit = 0;
        const both = () => {
          send(client, i, 'led', { value: (level = level === 1 ? 0 : 1) });
          send(client, i, 'sensor');
        };
        timers.push(setTimeout(() => timers.push(setInterval(both, EVERY_MS)), i * STAGGER_MS));
      });

      // Meanwhile the bystander asks for the sensor every 100 ms, and triggers it every 300 ms.
      const began = Date.now();
      const waits: number[] = [];
      const honest: Array<{ sent: number; answered: number; reply: unknown }> = [];
      try {
        while (Date.now() - began < FLOOD_MS) {
          const asked = Date.now();
          await bystander.timeout(ANSWER_MS).emitWithAck('gpio:21'); // rejects after 1 s: the test fails
          waits.push(Date.now() - asked);
          if (honest.length < (Date.now() - began) / 300) {
            const sent = Date.now();
            const reply = await bystander.timeout(ANSWER_MS).emitWithAck('simulate:sensor');
            honest.push({ sent, answered: Date.now(), reply });
          }
          await pause(100);
        }
      } finally {
        for (const timer of timers) clearInterval(timer);
      }
      await Promise.all(replies);
      const seconds = (Date.now() - began) / 1000; // until the last answer: the limiter hands out tokens until then
      await pause(DEBOUNCE_MS + SUMMARY_MS + LATE_MS); // the last report, its push, and a summary

      // The server is up, and answered the bystander within a second every time.
      expect(watch.errors).toEqual([]);
      expect(await bystander.timeout(ANSWER_MS).emitWithAck('gpio:21')).toMatchObject({ ok: true });
      expect({ unanswered, slowest: Math.max(...waits) < ANSWER_MS ? 'under 1 s' : Math.max(...waits) }).toEqual({ unanswered: 0, slowest: 'under 1 s' });

      // Each address: its burst, then its rate, no more; the rest refused, saying why.
      const most = GPIO_RATE_LIMIT.burst + Math.ceil(seconds * GPIO_RATE_LIMIT.perSecond);
      for (const [i, { led, sensor: triggers }] of accepted.entries()) {
        const address = `127.0.0.${10 + i}`;
        expect({ address, led: led >= GPIO_RATE_LIMIT.burst && led <= most, triggers: triggers >= GPIO_RATE_LIMIT.burst && triggers <= most }).toEqual({
          address,
          led: true,
          triggers: true,
        });
      }
      expect([...refusals].filter((error) => error !== RATE_LIMITED)).toEqual([]); // "too many messages: …"

      // An honest change: the sensor reports within the debounce time of it, flood or not.
      expect(honest.length).toBeGreaterThanOrEqual(2); // one every 300 ms; fewer on a busy machine
      for (const { sent, answered, reply } of honest) {
        expect(reply).toMatchObject({ ok: true });
        const report = reports.find(({ at }) => at >= sent && at <= answered + DEBOUNCE_MS + LATE_MS);
        expect({ sent: sent - began, reported: report ? 'within the debounce time' : 'not' }).toEqual({
          sent: sent - began,
          reported: 'within the debounce time',
        });
      }
      // And every report that changed the level was pushed to the bystander, at once.
      const changes: Seen[] = []; // the sensor starts at 0
      for (const report of reports) if (report.value !== (changes.at(-1)?.value ?? 0)) changes.push(report);
      expect(pushes.map(({ value }) => value)).toEqual(changes.map(({ value }) => value));
      const late = pushes.filter(({ at }, i) => at - changes[i].at > ANSWER_MS);
      expect(late).toEqual([]);

      // The terminal: a line for the LED and one for the sensor every SUMMARY_MS, which add up.
      const lines = log.slice(logged).filter((line) => !line.startsWith('client '));
      expect(lines.length).toBeLessThanOrEqual(2 * Math.ceil((Date.now() - began) / SUMMARY_MS + 1));
      const sum = (pattern: RegExp) => lines.reduce((total, line) => total + Number(pattern.exec(line)?.[1]?.replace('once', '1') ?? 0), 0);
      expect({
        switched: sum(/^LED GPIO 17: switched (once|\d+)/),
        refused: sum(/^LED GPIO 17: .*; refused (once|\d+)/),
        changed: sum(/^sensor GPIO 21: changed (once|\d+)/),
      }).toEqual({
        switched: accepted.reduce((total, { led }) => total + led, 0),
        refused,
        changed: changes.length,
      });
    });
  });
}

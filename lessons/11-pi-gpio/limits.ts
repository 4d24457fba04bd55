// How the lesson stands a flood. There is one LED and one sensor for the
// whole class: a student's loop that switches the LED 50 times a second takes
// it from everyone else, and would print 50 lines a second. So each client may
// switch the LED, and trigger the simulated sensor, only about as fast as a
// person clicks, and the terminal gets a summary every few seconds instead
// of a line for each switch.
import type { Socket } from 'socket.io';
import type { RateLimitOptions } from '../../shared/rate-limit';
import type { Bit } from './events';

/**
 * For each client, for the LED and for the sensor apart: 5 at once, then 2
 * a second. A person switches the LED a few times and looks; a loop is
 * refused after its first 5.
 */
export const GPIO_RATE_LIMIT: RateLimitOptions = { burst: 5, perSecond: 2 };

/** How often the terminal gets a summary, in ms. */
export const SUMMARY_MS = 2000;

/**
 * Who a client is, for the limits: the address it connects from, not its
 * socket, since one program can open as many sockets as it likes. A server
 * that listens on IPv6 as well sees an IPv4 client as `::ffff:127.0.0.1`:
 * that is 127.0.0.1.
 */
export function addressOf(socket: Pick<Socket, 'handshake'>): string {
  const address = socket.handshake.address || 'unknown';
  return address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
}

/** What clients did to the LED and the sensor since the last summary. */
export class Activity {
  private led = { switched: 0, refused: 0, by: new Set<string>(), refusedBy: new Set<string>() };
  private sensor = { changed: 0, refused: 0, refusedBy: new Set<string>() };

  /** `names` say which pins, e.g. { led: 'LED GPIO 17', sensor: 'sensor GPIO 21' }. */
  constructor(private readonly names: { led: string; sensor: string }) {}

  ledSwitched(client: string): void {
    this.led.switched++;
    this.led.by.add(client);
  }

  ledRefused(client: string): void {
    this.led.refused++;
    this.led.refusedBy.add(client);
  }

  /** The sensor changed: pressed, released, moved in front of, or simulated. */
  sensorChanged(): void {
    this.sensor.changed++;
  }

  /** A client asked to simulate the sensor too fast. */
  sensorRefused(client: string): void {
    this.sensor.refused++;
    this.sensor.refusedBy.add(client);
  }

  /**
   * The summary since the last one, one line for the LED and one for the
   * sensor, if anything happened to them; then it counts from 0 again.
   * `now` gives their levels at the end.
   */
  summary(now: { led: Bit; sensor: Bit }): string[] {
    const { led, sensor } = this;
    const lines: string[] = [];
    if (led.switched + led.refused > 0) {
      lines.push(
        `${this.names.led}: switched ${times(led.switched)}${led.switched ? ` by ${clients(led.by.size)}` : ''}, now ${now.led}` +
          refusals(led.refused, led.refusedBy.size),
      );
    }
    if (sensor.changed + sensor.refused > 0) {
      lines.push(`${this.names.sensor}: changed ${times(sensor.changed)}, now ${now.sensor}` + refusals(sensor.refused, sensor.refusedBy.size, 'simulate:sensor '));
    }
    this.led = { switched: 0, refused: 0, by: new Set(), refusedBy: new Set() };
    this.sensor = { changed: 0, refused: 0, refusedBy: new Set() };
    return lines;
  }
}

const times = (n: number) => (n === 1 ? 'once' : `${n} times`);
const clients = (n: number) => (n === 1 ? '1 client' : `${n} clients`);
const refusals = (n: number, from: number, what = '') => (n > 0 ? `; ${what}refused ${times(n)} (too fast) to ${clients(from)}` : '');

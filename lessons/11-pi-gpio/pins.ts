// One small interface for a GPIO pin, with two implementations: real pins
// through the `onoff` package, and simulated pins for any computer. The
// server does not care which it has.
import os from 'node:os';
import type { Bit } from './events';

export type { Bit };
export type WatchCallback = (err: Error | null, value: Bit) => void;

export interface Pin {
  /** The pin's level now. */
  read(): Bit;
  /** Sets an output's level (an input refuses). */
  write(value: Bit): void;
  /** Calls back on every (debounced) change of an input. */
  watch(callback: WatchCallback): void;
  /** Stops watching and hands the pin back to the system. */
  release(): void;
  /** Simulated inputs only: the outside world changes the level (a press, a motion). */
  simulate?(value: Bit): void;
}

/** What the server asks a pin factory for. */
export interface PinRequest {
  /** The BCM number, as in "GPIO 21". */
  pin: number;
  /** The kernel's number for it: base + pin. */
  sysfs: number;
  direction: 'in' | 'out';
  /** Inputs: a change counts once it has been stable this long. */
  debounceMs: number;
}

export type PinFactory = (request: PinRequest) => Pin;

/** True where onoff can use the GPIOs: Linux, with /sys/class/gpio/export writable. */
export function gpioAccessible(): boolean {
  if (os.type() !== 'Linux') return false; // onoff's epoll addon is Linux-only
  try {
    return (require('onoff') as typeof import('onoff')).Gpio.accessible;
  } catch {
    return false; // onoff or its addon could not load
  }
}

/** A real pin, through onoff. Inputs watch both edges, debounced. */
export const onoffPin: PinFactory = ({ sysfs, direction, debounceMs }) => {
  const { Gpio } = require('onoff') as typeof import('onoff');
  const gpio =
    direction === 'in' ? new Gpio(sysfs, 'in', 'both', { debounceTimeout: debounceMs }) : new Gpio(sysfs, 'out');
  let released = false;
  return {
    read: () => gpio.readSync(),
    write: (value) => gpio.writeSync(value),
    watch: (callback) => gpio.watch((err, value) => callback(err ?? null, value)),
    release() {
      if (released) return;
      released = true;
      gpio.unwatchAll();
      gpio.unexport(); // gives /sys/class/gpio/gpioN back
    },
  };
};

/** A pin that lives in memory. Tests look at `watching` and `released`. */
export class SimulatedPin implements Pin {
  value: Bit = 0;
  released = false;
  private callbacks: WatchCallback[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly request: PinRequest) {}

  get watching(): boolean {
    return this.callbacks.length > 0;
  }

  read(): Bit {
    this.checkNotReleased();
    return this.value;
  }

  write(value: Bit): void {
    this.checkNotReleased();
    if (this.request.direction === 'in') throw errorWithCode('EPERM', `GPIO ${this.request.pin} is an input`);
    this.value = value;
  }

  watch(callback: WatchCallback): void {
    this.checkNotReleased();
    this.callbacks.push(callback);
  }

  release(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.callbacks = [];
    this.released = true;
  }

  simulate(value: Bit): void {
    if (this.released) return;
    this.value = value;
    // Debounced: watchers hear the level debounceMs after the first change of
    // a burst, where it has settled by then. A later change in the burst does
    // not start the wait again: a flood of changes would put off the report
    // for as long as it lasted.
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      for (const callback of [...this.callbacks]) callback(null, this.value);
    }, this.request.debounceMs);
  }

  private checkNotReleased(): void {
    if (this.released) throw new Error(`GPIO ${this.request.pin} has been released`);
  }
}

export const simulatedPin: PinFactory = (request) => new SimulatedPin(request);

export function errorWithCode(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

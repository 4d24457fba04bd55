// The numbers lesson 11 runs with: the shared ones (shared/settings.ts), its
// pins (hardware.ts), and how its terminal and limits behave. The tests pass
// their own to `start(options)`:
//
//   start({ port: 0, simulate: true, debounceMs: 0, env: {}, pinFactory })
import { settings as shared, type Settings } from '../../shared/settings';
import type { HardwareOptions } from './hardware';
import { GPIO_RATE_LIMIT, SUMMARY_MS } from './limits';

export interface GpioSettings extends Settings, HardwareOptions {
  /** Let Enter in the terminal toggle a simulated sensor. Default: when run from a terminal. */
  keyboard?: boolean;
  /** How often the terminal gets a summary of what clients did, in ms (2 s). */
  summaryMs: number;
}

/** What `start` takes: any of the settings; the rest are the defaults. */
export type GpioOptions = Partial<GpioSettings>;

/** The settings, with a default for each one `options` leaves out. `rateLimit` is per pin: GPIO_RATE_LIMIT. */
export function settings(options: GpioOptions = {}): GpioSettings {
  return {
    ...(shared(options) as GpioOptions & Settings), // the shared defaults, then what `options` says
    rateLimit: options.rateLimit ?? GPIO_RATE_LIMIT,
    summaryMs: options.summaryMs ?? SUMMARY_MS,
  };
}

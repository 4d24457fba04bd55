// The events of lesson 11, shared by the server, the page and the Node client.
// The names come from the default pins: `gpio:21` is the sensor and
// `gpio:17` the LED, even when SENSOR_PIN or LED_PIN moves them.
import type { Reply } from '../../shared/validation';

/** A pin's level: 0 (low, off) or 1 (high, on). */
export type Bit = 0 | 1;

export interface PinState {
  value: Bit;
}

/** What a newcomer is told: are the pins real, which are they, how are they now. */
export interface Hello {
  simulated: boolean;
  sensor: { pin: number; value: Bit };
  led: { pin: number; value: Bit };
}

/** The answer to `gpio:21`, `gpio:17` and `simulate:sensor`. */
export type ValueReply = Reply<{ value: Bit }>;

export interface ServerToClientEvents {
  /** To the newcomer only, right after it connects. */
  'event:hello': (hello: Hello) => void;
  /** The sensor: to every client on each change, and to a client that asked. */
  'gpio:21': (state: PinState) => void;
  /** The LED: to every client whenever someone switches it. */
  'gpio:17': (state: PinState) => void;
  /** A pin failed while running (the server goes on). */
  'gpio:error': (problem: { error: string }) => void;
}

export interface ClientToServerEvents {
  /** Asks for the sensor's value: answered with `gpio:21`, and in the ack if given. */
  'gpio:21': (ack?: (reply: ValueReply) => void) => void;
  /** Switches the LED: `{ value: 1 }` on, `{ value: 0 }` off. */
  'gpio:17': (state: PinState, ack: (reply: ValueReply) => void) => void;
  /** Simulated pins only: toggles the sensor, as a press or a motion would. */
  'simulate:sensor': (ack?: (reply: ValueReply) => void) => void;
}

// The events of lesson 14: lesson 12's chat (shared/delivery-events.ts: every
// stored message carries its `id`, `createMessage` its `clientOffset`), where
// `join` takes only a room (the name is the account's), plus the instructor's
// events and what they send.
import type * as delivery from '../../shared/delivery-events';
import type { JoinReply } from '../../shared/room-events';
import type { Reply } from '../../shared/validation';

export type { JoinReply };
export type { DeliveryAuth, LocationMessage, Message, MessagePayload } from '../../shared/delivery-events';

/** What an instructor's action answers. */
export type ActionAck = (reply: Reply) => void;

export interface Target {
  room: string;
  name: string;
}

export interface ClientToServerEvents extends Omit<delivery.ClientToServerEvents, 'join'> {
  /** Join a room as the account's name. */
  join: (request: { room: string }, ack: (reply: JoinReply) => void) => void;
  // The instructor's events: a student gets { ok: false, error }.
  mute: (request: Target & { minutes?: number }, ack: ActionAck) => void;
  unmute: (request: Target, ack: ActionAck) => void;
  remove: (request: Target & { minutes?: number }, ack: ActionAck) => void;
  closeRoom: (request: { room: string }, ack: ActionAck) => void;
}

/** One room as the instructor's page shows it. */
export interface RoomView {
  room: string;
  people: Array<{ name: string; tabs: number; mutedUntil?: number }>;
}

export interface ServerToClientEvents extends delivery.ServerToClientEvents {
  /** You are muted in `room` until `until` (ms since 1970). */
  muted: (notice: { room: string; until: number }) => void;
  /** You were removed from `room`. */
  removed: (notice: { room: string }) => void;
  /** `room` was closed: everyone in it left. */
  roomClosed: (notice: { room: string }) => void;
  /** To the instructor's page: every room, who is in it, who is muted. */
  rooms: (rooms: RoomView[]) => void;
}

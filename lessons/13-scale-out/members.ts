// Who is in a room, when its members may be on any worker. Each socket
// carries who it is in `socket.data.user`; a worker asks every other worker
// with `io.serverSideEmitWithAck('members', roomKey)`, and each answers with
// the members it holds there, from its own sockets' socket.data.
import type { Server, Socket } from 'socket.io';
import type { JoinRequest } from '../../shared/room-events';
import { skeleton } from '../../shared/skeleton';
import { keyOf, nameKeyOf } from '../../shared/users';
import type { ClientToServerEvents, Holder, InterServerEvents, Member, ServerToClientEvents, SocketData } from './events';

type ChatServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** What a join compares, as lesson 10's Users: the room's key, the name's, and the skeleton of the name as typed. */
export const keysOf = ({ name, room }: JoinRequest) => ({ roomKey: keyOf(room), nameKey: nameKeyOf(name), looksKey: skeleton(name) });

/** Oldest first; sockets that joined in the same millisecond, by id: every worker sorts alike. */
const byArrival = (a: Holder, b: Holder) => a.joinedAt - b.joinedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Why a name is refused: `holder` has it, or one that looks like it (the same answers as lesson 10's Users). */
export function nameTaken(holder: Member, name: string): string {
  if (keyOf(holder.name) === keyOf(name)) return `the name "${holder.name}" is taken in room "${holder.room}"`;
  return `the name "${name}" looks like "${holder.name}", who is in room "${holder.room}"`;
}

export class Members {
  private readonly waits = new Map<string, NodeJS.Timeout>();
  private readonly taking = new Set<string>(); // names being taken by a join on this worker: room key, then name key
  private closed = false;

  constructor(
    private readonly io: ChatServer,
    private readonly channel: (roomKey: string) => string,
    private readonly askMs: number,
  ) {
    // The other workers ask who of a room is here.
    io.on('members', (roomKey, answer) => {
      if (typeof roomKey === 'string' && typeof answer === 'function') answer(this.here(roomKey));
    });
  }

  /** The members of a room that this worker holds: its sockets there, from their socket.data. */
  here(roomKey: string): Holder[] {
    const nsp = this.io.of('/');
    const here: Holder[] = [];
    for (const id of nsp.adapter.rooms.get(this.channel(roomKey)) ?? []) {
      const user = nsp.sockets.get(id)?.data.user;
      if (user?.roomKey === roomKey) here.push({ ...user, id });
    }
    return here;
  }

  /**
   * The members of a room, from every worker, in the order they joined. One
   * question to all the others, each answering with names, keys and ids,
   * some 200 bytes a member. Not `fetchSockets()`: that ships each socket
   * whole, with every header its client sent (up to 16 KB). Rejects when a
   * worker does not answer within `askMs`.
   */
  async of(roomKey: string): Promise<Holder[]> {
    const here = this.here(roomKey);
    // Alone (no adapter), nobody else to ask; Socket.IO's own adapter would not answer.
    if ((await this.io.of('/').adapter.serverCount()) <= 1) return here.sort(byArrival);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('the other servers did not answer in time')), this.askMs)));
    try {
      const answers = await Promise.race([this.io.serverSideEmitWithAck('members', roomKey), late]);
      const there = answers.flatMap((answer) => (Array.isArray(answer) ? answer : [])).filter((member) => member.roomKey === roomKey);
      return [...here, ...there].sort(byArrival);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Holds a name on this worker while its join asks the others: a second join
   * of it here is refused meanwhile (undefined). Call what it returns to let go.
   */
  claim(roomKey: string, nameKey: string, looksKey: string): (() => void) | undefined {
    const claims = [`${roomKey}\n${nameKey}`, `${roomKey}\n${looksKey}`];
    if (claims.some((claim) => this.taking.has(claim))) return undefined;
    claims.forEach((claim) => this.taking.add(claim));
    return () => claims.forEach((claim) => this.taking.delete(claim));
  }

  /**
   * Sends the room its user list now, and once more a moment later for every
   * change in between. Two workers may send lists that cross on the way, each
   * asked at its own moment; the second, asked once both have settled, puts
   * every page right. The moment grows with the room: 100 ms, and 5 ms for
   * each member here (at most 1 s). Every list goes to every member, so a room
   * of 200 whose members come and go would otherwise be sent 20 lists a
   * second by each worker (issue 22: joins timed out under that).
   */
  update(roomKey: string): void {
    if (this.closed || this.waits.has(roomKey)) return; // the list at the end of the wait has this change too
    const send = () =>
      this.of(roomKey).then(
        (members) => !this.closed && this.io.to(this.channel(roomKey)).emit('updateUserList', members.map((member) => member.name)),
        () => {}, // a worker did not answer: the list a moment later asks again
      );
    const here = this.io.of('/').adapter.rooms.get(this.channel(roomKey))?.size ?? 0;
    this.waits.set(roomKey, setTimeout(() => (this.waits.delete(roomKey), void send()), Math.min(1000, 100 + 5 * here)));
    void send();
  }

  close(): void {
    this.closed = true;
    for (const timer of this.waits.values()) clearTimeout(timer);
    this.waits.clear();
  }
}

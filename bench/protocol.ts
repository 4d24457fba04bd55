// What the bench (bench/run.ts) and its load workers (bench/load-worker.ts)
// say to each other over the fork() IPC channel.

/** One simulated user: a global index (sets its send phase), a name, a room. */
export interface ClientSpec {
  index: number;
  name: string;
  room: string;
}

/**
 * A worker can hold several groups of clients at once, one per `target`
 * (the bench keeps a group on lesson 10 and one on the bare server, and runs
 * them side by side or in turns). Each answer names the target it is about.
 */
export type ToWorker =
  /** Connect these clients to `url` (nobody joins yet). */
  | { type: 'connect'; target: string; url: string; clients: ClientSpec[] }
  /** Every connected client of `target` joins its room. */
  | { type: 'join'; target: string }
  /**
   * Chat: each client sends a message every `periodMs`, at phase
   * index / total × periodMs, from `startAtNs` (process.hrtime, the same
   * clock in every process) until `seconds` have passed; then wait for the
   * deliveries, at most `drainMs`. With `clientOffsets`, each message also
   * carries a clientOffset of its own, as lesson 12's page sends.
   */
  | { type: 'chat'; target: string; startAtNs: string; seconds: number; periodMs: number; total: number; drainMs: number; clientOffsets?: boolean }
  /** Disconnect every client of `target`. */
  | { type: 'close'; target: string }
  /** Join storm, step 1: connect `count` clients (connections are logged by the server, joins are not). */
  | { type: 'storm-connect'; url: string; count: number; room: string }
  /** Join storm, step 2: they join one after another, each waiting for its ack. */
  | { type: 'storm-go'; expectUserList: boolean };

export interface ChatResult {
  /** Messages sent, and how the server answered them. */
  sent: number;
  acked: number;
  refused: number;
  unanswered: number;
  /** Deliveries to the other members of the sender's room: expected (for acked messages) and received. */
  expected: number;
  received: number;
  /** Copies that came back to their own sender (io.to(room) includes the sender). */
  echoes: number;
  /** Milliseconds from send to arrival, one per delivery to another member. */
  latencies: number[];
  /** How late the generator sent, behind its schedule (ms): shows whether the generator kept up. */
  sendLagMs: number[];
}

export interface StormResult {
  joined: number;
  failed: number;
  /** Every client has received the full user list (when the server sends one). */
  complete: boolean;
  /** From the first join to the last delivery. */
  ms: number;
  /** TCP bytes the clients read from the server during the storm (WebSocket frames, headers included). */
  tcpBytes: number;
  /** WebSocket payload bytes received, by Socket.IO event ('ack' for acknowledgements). */
  byEvent: Record<string, { frames: number; bytes: number }>;
}

export type FromWorker =
  | { type: 'ready'; target: string }
  | { type: 'connected'; target: string; count: number; failed: number; firstError?: string }
  | { type: 'joined'; target: string; count: number; failed: number; firstError?: string }
  | { type: 'chat-done'; target: string; result: ChatResult }
  | { type: 'closed'; target: string }
  | { type: 'storm-connected'; target: string; count: number; failed: number; firstError?: string }
  | { type: 'storm-done'; target: string; result: StormResult }
  | { type: 'error'; target: string; message: string };

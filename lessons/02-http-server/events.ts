// The events of lesson 02, shared by the server and the page.

export interface ServerToClientEvents {
  /** Sent once, to the newcomer only, right after it connects. */
  'event:hello': (payload: { id: string }) => void;
  /** The server's clock, sent to every client on each tick. */
  date: (payload: { iso: string }) => void;
  /** How many clients are connected, sent to every client whenever one comes or goes. */
  clients: (payload: { count: number }) => void;
}

/** Clients send nothing in this lesson. */
export interface ClientToServerEvents {}

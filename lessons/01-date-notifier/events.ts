// The events of lesson 01, shared by the server, the page and the Node client.

export interface ServerToClientEvents {
  /** The server's clock, sent to every client once a second. */
  date: (payload: { iso: string }) => void;
}

/** Clients send nothing in this lesson. */
export interface ClientToServerEvents {}

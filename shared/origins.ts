// Which web pages may connect to a lesson's server.
// Browsers say which page a connection comes from in the Origin header; Node
// clients send none. By default a server accepts its own pages only. Set
// ALLOWED_ORIGINS (comma-separated, or *) to let other pages in.
import type { IncomingMessage } from 'node:http';

/** The origins named in ALLOWED_ORIGINS. */
export function originsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.ALLOWED_ORIGINS ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
}

/** True when `origin` is allowed: no origin at all, the server's own host, or one of `allowed`. */
export function isAllowedOrigin(origin: string | undefined, host: string | undefined, allowed: string[]): boolean {
  if (!origin) return true;
  if (allowed.includes('*') || allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false; // "null" (a page opened from disk) or garbage
  }
}

/**
 * Makes a check for Socket.IO's `allowRequest` option, which runs for every
 * connection, WebSocket or not. (Browsers apply CORS to HTTP requests only: a
 * page anywhere may open a WebSocket to any server, so the server must look at
 * the Origin itself.) Allowed: no origin, this server's own host, `extra`, and
 * ALLOWED_ORIGINS.
 */
export function originCheck(extra: string[] = []) {
  return (req: IncomingMessage, callback: (err: string | null | undefined, success: boolean) => void): void => {
    const allowed = isAllowedOrigin(req.headers.origin, req.headers.host, [...extra, ...originsFromEnv()]);
    callback(allowed ? null : 'origin not allowed (see ALLOWED_ORIGINS)', allowed);
  };
}

/** Refuses connections from other sites' pages, so a page elsewhere cannot use a student's server. */
export const checkOrigin = originCheck();

/**
 * For Socket.IO's `cors` option: lets pages from `extra` and ALLOWED_ORIGINS
 * (any page, with *) read Socket.IO's HTTP answers, so their polling works
 * too. A page on the server's own origin needs no CORS.
 */
export function corsFor(extra: string[] = []) {
  return {
    origin(origin: string | undefined, callback: (err: Error | null, allow?: boolean) => void): void {
      const allowed = [...extra, ...originsFromEnv()];
      callback(null, origin !== undefined && (allowed.includes('*') || allowed.includes(origin)));
    },
  };
}

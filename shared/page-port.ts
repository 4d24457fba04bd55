// Lesson 01's two ports: the Socket.IO server on PORT, its page on PORT+1.
// To the browser, a page from another port is another site (another origin),
// just like a page opened from disk: that is what lesson 01 wants to show.
//
//   const page = await servePageOnNextPort(__dirname, port);
//   ...
//   io.listen(port);
//   return besidePage(page, io, () => clearInterval(timer));
import path from 'node:path';
import type { Server } from 'socket.io';
import { servePage } from './public';
import { listening, type RunningLesson } from './run';

export interface PageOnNextPort {
  /** Where the page is served, e.g. http://localhost:3001 */
  url: string;
  /** The page's origin, spelled both ways a browser may: localhost and 127.0.0.1. */
  origins: string[];
  close(): Promise<void>;
}

/**
 * Serves the lesson's public/ folder on PORT+1 (any free port when PORT is 0).
 * PORT+1 taken, or past 65535: the error says which port that is, and why the
 * lesson wants it.
 */
export async function servePageOnNextPort(lessonDir: string, port: number): Promise<PageOnNextPort> {
  const page = await servePage(path.join(lessonDir, 'public'), port === 0 ? 0 : port + 1).catch((err) => {
    throw explainPagePort(err, port);
  });
  return { ...page, origins: [page.url, page.url.replace('localhost', '127.0.0.1')] };
}

/**
 * Waits for `io` to listen (io.listen(port) was called), and returns the
 * running lesson: its address, the page to open, what each port is for, and a
 * close() that calls `stop`, then closes io and the page. If io cannot listen
 * (PORT taken), all three are undone and the error is thrown.
 */
export async function besidePage(page: PageOnNextPort, io: Server<any, any, any, any>, stop: () => void = () => {}): Promise<RunningLesson> {
  const close = async () => {
    stop();
    await io.close();
    await page.close();
  };
  let url: string;
  try {
    url = await listening(io.httpServer);
  } catch (err) {
    await close();
    throw err;
  }
  return {
    url,
    pageUrl: `${page.url}/?server=${encodeURIComponent(url)}`,
    ports: [`Socket.IO on ${url} (PORT)`, `the page on ${page.url} (PORT+1: another origin, as a page opened from disk would be)`],
    io,
    close,
  };
}

/** PORT+1 taken, or past 65535: says which port that is, and why the lesson wants it. */
function explainPagePort(err: NodeJS.ErrnoException, port: number): Error {
  const why = `Lesson 01 serves its page on a second port, PORT+1, so that the page comes from another origin than Socket.IO`;
  if (err.code === 'EADDRINUSE') {
    return new Error(`Port ${port + 1} (PORT+1) is already in use. ${why}. Stop the program using port ${port + 1}, or choose another PORT: PORT=4000 npm start -- 01 uses 4000 and 4001.`);
  }
  if (err.code === 'ERR_SOCKET_BAD_PORT') return new Error(`${why}: PORT can be at most 65534, not ${port}.`);
  return err;
}

// Lesson 14's clients for the tests: sign up or in over HTTP, then carry the
// session cookie into real Socket.IO clients, as a browser would.
import { request, type IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../lessons/14-sign-in/events';
import type { StartOptions } from '../../lessons/14-sign-in/settings';
import { connect } from '../helpers';

/** The instructor the tests and checks start lesson 14 with. */
export const TEACHER = { name: 'Teacher', password: 'teach me well please' };

/** Lesson 14 in memory (a data/sign-in.db is left alone), with limits wide enough for many sign-ups. */
/**
 * scrypt at a thousandth of the lesson's cost: the tests sign up hundreds of
 * people. The shipped cost is tested where it matters (a wrong password and
 * an unknown name take as long), and measured by `npm run bench -- --only sign-in`.
 */
export const CHEAP_HASHES = { N: 2 ** 10, r: 8, p: 1 };

export const ROOMY = {
  dbFile: ':memory:',
  passwordCost: CHEAP_HASHES,
  instructor: TEACHER,
  rateLimit: { burst: 100, perSecond: 100 },
  joinRateLimit: { burst: 100, perSecond: 100 },
  signUpRateLimit: { burst: 1000, perSecond: 1000 },
  signInLimits: { perName: 1000, perAddress: 1000, perDevice: 1000, windowMs: 60_000 },
} satisfies StartOptions;

export type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface FormAnswer {
  status: number;
  location: string | null;
  retryAfter: string | null;
  /** Each Set-Cookie header, whole. */
  setCookies: string[];
  /** The session cookie it set, as "sid=…", if any. */
  cookie: string | undefined;
  body: string;
}

/**
 * Sends one request on a connection of its own (closed after it), redirects not followed.
 * (fetch would keep connections open between tests, and the server closes idle ones.)
 */
function send(url: string, path: string, method: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = request(url + path, { method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** POSTs a form (`fields` urlencoded, or a raw body) and answers what came back. */
export async function postForm(
  url: string,
  path: string,
  fields: Record<string, string> | string,
  { cookie = '', origin, type = 'application/x-www-form-urlencoded' }: { cookie?: string; origin?: string; type?: string } = {},
): Promise<FormAnswer> {
  const headers: Record<string, string> = { 'content-type': type };
  if (cookie) headers.cookie = cookie;
  if (origin !== undefined) headers.origin = origin;
  const body = typeof fields === 'string' ? fields : new URLSearchParams(fields).toString();
  headers['content-length'] = String(Buffer.byteLength(body));
  const res = await send(url, path, 'POST', headers, body);
  const setCookies = res.headers['set-cookie'] ?? [];
  const sid = setCookies.find((line) => line.startsWith('sid='));
  return {
    status: res.status,
    location: res.headers.location ?? null,
    retryAfter: (res.headers['retry-after'] as string | undefined) ?? null,
    setCookies,
    cookie: sid?.split(';')[0],
    body: res.body,
  };
}

/** GETs a page with a cookie. */
export async function getPage(url: string, path: string, cookie = '') {
  const res = await send(url, path, 'GET', cookie ? { cookie } : {});
  return { status: res.status, location: res.headers.location ?? null, headers: res.headers, body: res.body };
}

let counter = 0;
/** A name nobody has taken yet in this run: "Ann 7". */
export const freshName = (base = 'User') => `${base} ${++counter}`;
export const PASSWORD = 'correct horse battery';

/** Signs up `name` and answers the session cookie ("sid=…"). */
export async function signUp(url: string, name: string, password = PASSWORD, more: Record<string, string> = {}): Promise<string> {
  const answer = await postForm(url, '/signup', { name, password, ...more });
  if (answer.status !== 303 || !answer.cookie) throw new Error(`sign-up of ${name} answered ${answer.status}: ${answer.body.slice(0, 200)}`);
  return answer.cookie;
}

/** Signs in and answers the session cookie; `cookie` is sent along (a session already there, a device cookie). */
export async function signIn(url: string, name: string, password = PASSWORD, cookie = ''): Promise<string> {
  const answer = await postForm(url, '/signin', { name, password }, { cookie });
  if (answer.status !== 303 || !answer.cookie) throw new Error(`sign-in of ${name} answered ${answer.status}: ${answer.body.slice(0, 200)}`);
  return answer.cookie;
}

/**
 * A Socket.IO client carrying `cookie` in its handshake: WebSocket by default, or long-polling;
 * `auth` as the page sends it (`{ serverOffset }`, lesson 12).
 * Closed after the test, unless `keep` (then close it yourself).
 */
export function connectWith(
  url: string,
  cookie: string | undefined,
  { polling = false, localAddress, keep = false, auth }: { polling?: boolean; localAddress?: string; keep?: boolean; auth?: object } = {},
): Promise<Client> {
  const options = {
    transports: polling ? ['polling'] : ['websocket'],
    ...(auth ? { auth } : {}),
    ...(cookie ? { extraHeaders: { cookie } } : {}),
    ...(localAddress ? { localAddress } : {}),
  };
  return connect<Client>(url, options as object, { keep });
}

/** Signs up a fresh account and connects `tabs` clients with its cookie. */
export async function person(url: string, base: string, tabs = 1): Promise<{ name: string; cookie: string; clients: Client[] }> {
  const name = freshName(base);
  const cookie = await signUp(url, name);
  const clients = await Promise.all(Array.from({ length: tabs }, () => connectWith(url, cookie)));
  return { name, cookie, clients };
}

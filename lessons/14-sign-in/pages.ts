// The pages: sign up, sign in, sign out, the chat, the instructor's view.
//
// Forms post `application/x-www-form-urlencoded`. Each answer says what
// happened with its status: 303 (go on), 400 (bad input), 401 (wrong name or
// password, one message for both), 403 (another site's form, or a wrong
// sign-up code), 409 (name taken), 429 (too many tries, with Retry-After).
// Other sites' forms are refused by the Origin check; the session cookie is
// SameSite=Lax on top of that. Every page says, in its Content-Security-Policy,
// that it runs no script and no style from anywhere else.
import path from 'node:path';
import express from 'express';
import { addressOf } from '../../shared/clients';
import { RateLimiter } from '../../shared/rate-limit';
import { nameKeyOf } from '../../shared/users';
import { checkAccountName, checkPassword, WRONG_NAME_OR_PASSWORD, type Account, type Accounts } from './accounts';
import { hashesWaiting } from './passwords';
import { DEVICE_COOKIE, SignInLimits } from './sign-in-limits';
import type { SignInSettings } from './settings';

declare module 'express-session' {
  interface SessionData {
    /** The account signed in on this session. */
    accountId: number;
  }
}

export const SECURITY_POLICY =
  "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
export const WRONG_SITE = 'this form was sent from another site';
export const WRONG_CODE = 'ask your instructor for the sign-up code';

/** More hashes waiting than this, and a sign-in is told to come back in a moment (503). */
const MAX_WAITING_HASHES = 1000;

export interface PageDeps {
  accounts: Accounts;
  settings: SignInSettings;
  /** Ends every socket of a session that has just ended (signed out, or replaced at sign-in). */
  endSession(sid: string): void;
}

export function signInPages({ accounts, settings, endSession }: PageDeps): express.Router {
  const router = express.Router();
  const limits = new SignInLimits(settings.sessionSecret, settings.signInLimits);
  const signUps = new RateLimiter(settings.signUpRateLimit);
  const form = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 10 });
  // `root`: the file is looked up in pages/ (a folder above it may start with a dot, as .proof/ does).
  const page = (res: express.Response, name: string) => res.sendFile(name, { root: path.join(__dirname, 'pages') });

  router.use((req, res, next) => {
    res.set('Content-Security-Policy', SECURITY_POLICY);
    if (req.method === 'POST' && !sameSite(req)) return res.status(403).type('text/plain').send(`${WRONG_SITE}\n`);
    next();
  });

  router.get('/signup', (req, res) => res.send(formPage('signup', settings)));
  router.get('/signin', (req, res) => res.send(formPage('signin', settings)));

  router.post('/signup', form, async (req, res, next) => {
    const { name, password, code } = fields(req.body);
    const again = (status: number, error: string) => res.status(status).send(formPage('signup', settings, { name, error }));
    const checkedName = checkAccountName(name);
    if (!checkedName.ok) return again(400, checkedName.error);
    const checkedPassword = checkPassword(password);
    if (!checkedPassword.ok) return again(400, checkedPassword.error);
    if (settings.signupCode !== undefined && code !== settings.signupCode) return again(403, WRONG_CODE);
    if (!signUps.take(addressOf(req))) return again(429, 'too many sign-ups from your address: wait a minute');
    if (hashesWaiting() > MAX_WAITING_HASHES) return busy(res);
    const created = await accounts.create(checkedName.value, checkedPassword.value);
    if (!created.ok) return again(409, created.error);
    signIn(req, res, created.value, next);
  });

  router.post('/signin', form, async (req, res, next) => {
    const { name, password } = fields(req.body);
    const again = (status: number, error: string) => res.status(status).send(formPage('signin', settings, { name, error }));
    if (typeof name !== 'string' || typeof password !== 'string' || !name || !password) {
      return again(400, 'give a name and a password');
    }
    const attempt = { nameKey: nameKeyOf(name.normalize('NFKC')), address: addressOf(req), device: cookieOf(req, DEVICE_COOKIE) };
    const waitMs = limits.waitFor(attempt);
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000);
      res.set('Retry-After', String(seconds));
      return again(429, `too many wrong passwords: try again in ${Math.ceil(seconds / 60)} minutes`);
    }
    if (hashesWaiting() > MAX_WAITING_HASHES) return busy(res);
    const counted = limits.begin(attempt); // a failure until it proves otherwise
    const account = await accounts.verify(name.normalize('NFKC'), password);
    if (!account) return again(401, WRONG_NAME_OR_PASSWORD);
    const device = limits.succeeded(attempt, counted);
    res.cookie(DEVICE_COOKIE, device, { httpOnly: true, sameSite: 'lax', secure: req.secure, maxAge: 365 * 24 * 3600_000 });
    signIn(req, res, account, next);
  });

  router.post('/signout', (req, res, next) => {
    const sid = req.sessionID;
    req.session.destroy((err) => {
      if (err) return next(err);
      endSession(sid);
      res.redirect(303, '/signin');
    });
  });

  router.get('/', (req, res) => {
    if (!signedIn(req)) return res.redirect(303, '/signin');
    page(res, 'chat.html');
  });

  router.get('/instructor', (req, res) => {
    const account = signedIn(req);
    if (!account) return res.redirect(303, '/signin');
    if (account.role !== 'instructor') return res.status(403).type('text/plain').send('for the instructor only\n');
    page(res, 'instructor.html');
  });

  /** The account signed in on this request's session, if any. */
  function signedIn(req: express.Request): Account | undefined {
    const id = req.session?.accountId;
    return id === undefined ? undefined : accounts.byId(id);
  }

  /** A new session id for the account (the old one ends), then on to the chat. */
  function signIn(req: express.Request, res: express.Response, account: Account, next: express.NextFunction) {
    const before = req.session.accountId === undefined ? undefined : req.sessionID;
    req.session.regenerate((err) => {
      if (err) return next(err);
      if (before) endSession(before);
      req.session.accountId = account.id;
      req.session.save((err) => (err ? next(err) : res.redirect(303, '/')));
    });
  }

  return router;
}

/** A POST from this site's page, or from no page at all (curl, a test): not another site's, nor "null". */
function sameSite(req: express.Request): boolean {
  const origin = req.get('origin');
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.get('host');
  } catch {
    return false; // "null": a sandboxed page, a file, a redirect from elsewhere
  }
}

/** The form's fields, each a string or undefined (a field given twice is an array: not a string). */
function fields(body: unknown): Record<'name' | 'password' | 'code', unknown> {
  const get = (key: string) => (body && typeof body === 'object' && Object.hasOwn(body, key) ? (body as Record<string, unknown>)[key] : undefined);
  return { name: get('name'), password: get('password'), code: get('code') };
}

function busy(res: express.Response) {
  res.set('Retry-After', '5').status(503).type('text/plain').send('the server is busy signing people in: try again in a moment\n');
}

/** One cookie from the request's Cookie header. */
function cookieOf(req: express.Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/** Text for HTML: what a user typed is shown, never run. */
export const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The sign-up or sign-in form, with the reason it came back and the name typed. */
export function formPage(kind: 'signup' | 'signin', settings: Pick<SignInSettings, 'signupCode'>, { name = '' as unknown, error = '' } = {}): string {
  const signup = kind === 'signup';
  const title = signup ? 'Sign up' : 'Sign in';
  const typed = typeof name === 'string' ? escapeHtml(name.slice(0, 100)) : '';
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>14 · ${title}</title>
  <link rel="stylesheet" href="/workbook.css">
  <link rel="stylesheet" href="/style.css">
  <link rel="icon" href="data:,">
</head>
<body class="join">
  <main>
    <header class="lesson"><p>Lesson 14</p><h1>Sign-in and roles</h1></header>
    <form class="card join-form" action="/${kind}" method="post">
      <h2>${title}</h2>
      ${error ? `<p id="error" class="error" role="alert">${escapeHtml(error)}</p>` : ''}
      <label for="name">Your name</label>
      <input id="name" name="name" required maxlength="30" autocomplete="username" value="${typed}"${typed ? '' : ' autofocus'}>
      <label for="password">Password</label>
      <input id="password" name="password" type="password" required minlength="8" maxlength="256"
        autocomplete="${signup ? 'new-password' : 'current-password'}"${typed ? ' autofocus' : ''}>
      ${signup && settings.signupCode !== undefined ? '<label for="code">Sign-up code (from your instructor)</label>\n      <input id="code" name="code" required autocomplete="off">' : ''}
      ${signup ? '<p class="hint muted">A name is yours alone: up to 30 characters. A password: 8 characters or more; a few words make a good one.</p>' : ''}
      <button>${title}</button>
    </form>
    <p class="muted">${signup ? 'Have an account? <a href="/signin">Sign in</a>' : 'New here? <a href="/signup">Sign up</a>'}</p>
  </main>
</body>
</html>
`;
}

declare module 'node:http' {
  interface IncomingMessage {
    /** The session express-session found from the cookie (server.ts runs it on each handshake too). */
    session: import('express-session').Session & Partial<import('express-session').SessionData>;
  }
}

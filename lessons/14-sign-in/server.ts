// Lesson 14: sign-in and roles. Lesson 12's chat, for people with accounts. Express signs
// them in and keeps a session; Socket.IO reads the same session from the handshake's cookie
// (`io.engine.use`), refuses a handshake without one (`io.use`), and puts each socket in a room
// of its session, so sign-out disconnects every tab. An instructor's powers are checked per event.
import session from 'express-session';
import { ADMIN } from '../../shared/chat-events';
import { checkMessage, Delivery } from '../../shared/delivery';
import { openStore } from '../../shared/delivery-store';
import { checked } from '../../shared/handler';
import { lessonServer } from '../../shared/lesson-server';
import { generateMessage } from '../../shared/message-generator';
import { ClientRateLimiter } from '../../shared/rate-limit';
import { checkCoordinates, refuseUnknownEvents, takeAck, type Reply } from '../../shared/validation';
import { Accounts, type Account } from './accounts';
import { channel, checkRoom, JOINS_LIMITED, MAX_CATCH_UP, openDatabase, printInstructor, RoomNews, senderOf, SIGN_IN_FIRST } from './chat';
import { FOR_INSTRUCTOR, INSTRUCTOR_EVENTS, instructorEvents } from './instructor';
import { signInPages } from './pages';
import { People } from './people';
import { SqliteSessionStore } from './session-store';
import { settings, type StartOptions } from './settings';
import type { ClientToServerEvents as C, ServerToClientEvents as S } from './events';

export async function start(options: StartOptions = {}) {
  const config = settings(options);
  const { app, io, httpServer, listen } = lessonServer<C, S>(__dirname, { vendor: ['mustache', 'moment'] });
  const db = openDatabase(config.dbFile);
  const accounts = new Accounts(db, config.passwordCost);
  const endSession = (sid: string) => io.in(`session:${sid}`).disconnectSockets(true); // every tab of it
  const store = new SqliteSessionStore(db, config.sessionIdleMs, (expired) => expired.forEach(endSession));
  const sessions = session({ store, secret: config.sessionSecret, name: 'sid', resave: false, saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'lax', secure: 'auto' } }); // no maxAge: the store ends idle sessions
  app.use(sessions, signInPages({ accounts, settings: config, endSession })); // pages.ts
  // The same middleware reads the session from the cookie of each handshake (not of each poll after it).
  io.engine.use((req: any, res: any, next: () => void) => (req._query.sid === undefined ? sessions(req, res, next) : next()));
  io.use((socket, next) => { // no signed-in session, no socket
    socket.data = { account: accounts.byId(socket.request.session?.accountId ?? -1), sid: socket.request.session?.id };
    next(socket.data.account ? undefined : new Error(SIGN_IN_FIRST));
  });

  io.on('connection', (socket) => {
    const { account, sid } = socket.data as { account: Account; sid: string };
    socket.join([`session:${sid}`, `account:${account.id}`]); // sign-out and the instructor reach every tab
    if (account.role === 'instructor') socket.join('instructors');
    const limit = limiter.of(socket); // lesson 04
    let touched = Date.now();
    let joinedBefore = false; // its first join catches up from its serverOffset; any later one, the last 50
    socket.use(([event, ...args], next) => {
      if (Date.now() - touched > touchEvery) store.touch(sid, socket.request.session, () => (touched = Date.now())); // activity
      if (INSTRUCTOR_EVENTS.includes(event) && accounts.byId(account.id)?.role !== 'instructor') {
        return takeAck<Reply>(args).ack?.({ ok: false, error: FOR_INSTRUCTOR }); // checked per event
      }
      next();
    });

    socket.on('join', checked(checkRoom, joinLimiter.of(socket), ({ room }, ack) => {
      const joined = people.join(socket.id, account, room);
      if (!joined.ok) return ack(joined);
      const { place, arrived, moved, already } = joined;
      ack({ ok: true, name: account.name, room: place.room });
      if (already) return; // this tab is there already
      if (moved) news.left(socket.id, moved);
      socket.join(channel(place.roomKey));
      socket.emit('newMessage', generateMessage(ADMIN, `Welcome to ${place.room}, ${account.name}!`));
      delivery.catchUp(socket, place.roomKey, joinedBefore ? 0 : delivery.offsetOf(socket)); // what the page missed (lesson 12)
      joinedBefore = true;
      if (arrived) socket.to(channel(place.roomKey)).emit('newMessage', generateMessage(ADMIN, `${account.name} has joined`)); // a second tab is no news
      news.changed(place.roomKey);
    }));

    // Every message carries the account's name; a muted person's is refused before it is stored.
    // Stored, then sent to the room; a retry (same clientOffset) is answered and sent once (lesson 12).
    socket.on('createMessage', checked(checkMessage, null, (message, ack) => {
      const sender = senderOf(people, socket.id, account.id); // chat.ts
      ack(sender.ok ? delivery.sendText(sender.value, limit, message) : sender);
    }));

    socket.on('createLocationMessage', checked(checkCoordinates, null, (coordinates, ack) => {
      const sender = senderOf(people, socket.id, account.id);
      ack(sender.ok ? delivery.sendLocation(sender.value, limit, coordinates) : sender);
    }));

    instructorEvents(socket, limit, { io, people, accounts, news }); // instructor.ts
    socket.on('disconnect', () => news.leave(socket.id, true));
    refuseUnknownEvents(socket); // lesson 03
    if (account.role === 'instructor') socket.emit('rooms', people.view());
  });

  const { rateLimit, joinRateLimit, maxRoomSize } = config;
  const touchEvery = Math.min(60_000, config.sessionIdleMs / 4); // an event keeps the session alive
  const limiter = new ClientRateLimiter(rateLimit); // lesson 04
  const joinLimiter = new ClientRateLimiter(joinRateLimit, { error: JOINS_LIMITED });
  const people = new People(maxRoomSize); // people.ts: each account once per room, with its tabs
  const news = new RoomNews(io, people); // chat.ts: user lists, notices, the instructor's view
  // Lesson 12's store (shared/delivery-store.ts), in the lesson's database file, and its delivery (shared/delivery.ts).
  const messages = openStore(config.dbFile);
  const delivery = new Delivery(io, messages, channel, { maxCatchUp: MAX_CATCH_UP });

  if (config.instructor) await accounts.setInstructor(config.instructor.name, config.instructor.password);
  else printInstructor();
  httpServer.on('close', () => (news.close(), store.close(), messages.close(), db.close()));
  return listen(config.port);
}

export { SIGN_IN_FIRST, JOINS_LIMITED, NOT_JOINED } from './chat';
if (require.main === module) require('../../shared/run').runFromCommandLine(start);

// The baseline for the classroom benchmark: a bare Socket.IO server, in plain
// JavaScript, that speaks the same protocol as lesson 10 and does nothing
// else. `join` puts the socket in the room; `createMessage` goes to the room
// with io.to(room).emit. Both answer their acknowledgement, as lesson 10
// does, so the load generator sends the very same frames to both. No checks,
// no rate limit, no user list, no notices, no logging.
'use strict';
const { createServer } = require('node:http');
const { Server } = require('socket.io');

const httpServer = createServer();
const io = new Server(httpServer);

io.on('connection', (socket) => {
  socket.on('join', (request, ack) => {
    socket.data.name = String(request?.name);
    socket.data.room = String(request?.room);
    socket.join(socket.data.room);
    if (typeof ack === 'function') ack({ ok: true, name: socket.data.name, room: socket.data.room });
  });
  socket.on('createMessage', (message, ack) => {
    if (socket.data.room === undefined) return;
    io.to(socket.data.room).emit('newMessage', { from: socket.data.name, text: String(message?.text), createdAt: Date.now() });
    if (typeof ack === 'function') ack({ ok: true });
  });
});

httpServer.listen(Number(process.env.PORT ?? 3000), () => {
  console.log(`listening on http://localhost:${httpServer.address().port}`);
});
const stop = () => {
  setTimeout(() => process.exit(0), 2000).unref(); // a close that hangs
  io.close(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

// The floor for start-time: plain JavaScript (no TypeScript, no ts-node)
// loading what a lesson loads (http, express, socket.io), listening on PORT
// and printing the same line a lesson prints. A lesson cannot start faster
// than this on the same machine; `npm run bench` compares the two.
'use strict';
const { createServer } = require('node:http');
const express = require('express');
const { Server } = require('socket.io');

const app = express();
const httpServer = createServer(app);
const io = new Server(httpServer);
httpServer.listen(Number(process.env.PORT ?? 3000), () => {
  console.log(`listening on http://localhost:${httpServer.address().port}`);
});
const stop = () => {
  setTimeout(() => process.exit(0), 2000).unref(); // a close that hangs
  io.close(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

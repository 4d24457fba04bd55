// The chat page of lesson 13: lesson 12's page (shared/public/delivery-page.ts),
// with its title. Whichever worker it reaches, it gets the same chat: that is the point.
import type { Socket } from 'socket.io-client';
import { deliveryPage } from '../../../shared/public/delivery-page.js';
import type { ClientToServerEvents, ServerToClientEvents } from '../events';

/** The page's socket (also `window.socket`, for the browser's console). */
export const socket = deliveryPage({
  title: '13 · Scale-out',
  notRecovered: 'its worker stopped, the server restarted, or we were away for over a minute',
}) as Socket<ServerToClientEvents, ClientToServerEvents>;

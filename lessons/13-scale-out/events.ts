// The events of lesson 13: the same as lesson 10's, on every worker. A client
// cannot tell how many processes serve it: that is the point.
export type { ClientToServerEvents, JoinReply, JoinRequest, LocationMessage, Message, ServerToClientEvents } from '../10-users/events';

// /one2one: register by name, call, accept or reject, hang up; the official one-to-one call
// tutorial's messages. A user is one socket. Ringing calls (offer sent, no answer yet) live
// here; accepted calls are One2OneCall objects that own their pipelines.

import type { FastifyInstance } from 'fastify';
import type { Demo } from '../../../server/demo';
import type { Logger } from '../../../server/logging';
import { MessageCodec } from '../../../server/signaling/codec';
import { SignalingConnection } from '../../../server/signaling/connection';
import type { PipelineFeed } from '../../../server/signaling/pipeline-feed';
import { One2OneClientMessages, USER_NAME_PATTERN, type One2OneServerMessage } from '../messages';
import { assertUnreachable } from '../../../server/util/assert';
import { History } from '../../../server/sessions/history';
import { CandidateQueue } from '../../../server/sessions/media-placement';
import { One2OneCall, type EndReason, type Party } from './call';

const codec = new MessageCodec(One2OneClientMessages);

class User implements Party {
  name = '';
  readonly candidates = new CandidateQueue();
  call: One2OneCall | undefined;
  /** While ringing: whom this user calls (with the caller's offer), or who calls them. */
  calling: { to: User; sdpOffer: string; record: boolean } | undefined;
  ringing: User | undefined;

  constructor(
    readonly send: (message: One2OneServerMessage) => void,
    readonly pipelines: PipelineFeed,
  ) {}

  get busy(): boolean {
    return this.call !== undefined || this.calling !== undefined || this.ringing !== undefined;
  }
}

async function routes(app: FastifyInstance): Promise<void> {
  const users = new Map<string, User>();
  /** Sockets that asked for the online list, registered or not yet. */
  const listeners = new Set<User>();
  /** Who is online, to pages that asked (listUsers): `to` one of them, or all of them. */
  const announceUsers = (to: Iterable<User> = listeners): void => {
    const names = [...users.keys()].sort();
    for (const l of to) l.send({ id: 'onlineUsers', names });
  };
  const history = new History(app.store, app.log, app.webhooks);

  const callEnded = (call: One2OneCall): void => {
    for (const party of [call.caller, call.callee] as User[]) {
      if (party.call === call) party.call = undefined;
    }
    app.sessions.delete(call);
  };

  /** Clears a ringing call; the side that did not act hears `stopCommunication`. */
  const cancelRinging = (user: User): void => {
    const target = user.calling?.to;
    if (target) {
      target.ringing = undefined;
      target.send({ id: 'stopCommunication', reason: 'cancelled' });
    }
    user.calling = undefined;
    const caller = user.ringing;
    if (caller) {
      caller.calling = undefined;
      caller.send({ id: 'callResponse', response: 'rejected', message: `${user.name} is no longer available` });
    }
    user.ringing = undefined;
  };

  const register = (user: User, name: string): void => {
    const reject = (message: string): void => user.send({ id: 'registerResponse', response: 'rejected', message });
    if (user.name) return reject(`You are already registered as ${user.name}`);
    if (!USER_NAME_PATTERN.test(name)) {
      return reject('A name is 1 to 64 letters, digits, dots, underscores or hyphens');
    }
    if (users.has(name)) return reject(`The name ${name} is already taken`);
    user.name = name;
    users.set(name, user);
    user.send({ id: 'registerResponse', response: 'accepted' });
    announceUsers();
    void history.online(name);
  };

  const call = (user: User, to: string, sdpOffer: string, record: boolean): void => {
    const reject = (message: string): void => user.send({ id: 'callResponse', response: 'rejected', message });
    if (!user.name) return reject('Register a name before calling');
    if (user.busy) return reject('You are already in a call');
    if (to === user.name) return reject('You cannot call yourself');
    const callee = users.get(to);
    if (!callee) return reject(`User ${to} is not registered`);
    if (callee.busy) {
      void history.callRefused('one2one', [user.name, to], 'busy');
      return reject(`User ${to} is busy in another call`);
    }
    user.calling = { to: callee, sdpOffer, record };
    callee.ringing = user;
    // The callee hears that the call would be recorded before accepting it.
    callee.send({ id: 'incomingCall', from: user.name, ...(record ? { record } : {}) });
  };

  const answer = async (
    callee: User,
    from: string,
    accept: boolean,
    sdpOffer: string | undefined,
    log: Logger,
  ): Promise<void> => {
    const caller = callee.ringing;
    if (!caller || caller.name !== from || caller.calling?.to !== callee) {
      callee.send({ id: 'callResponse', response: 'rejected', message: `There is no call from ${from} to answer` });
      return;
    }
    const { sdpOffer: callerOffer, record } = caller.calling;
    caller.calling = undefined;
    callee.ringing = undefined;
    if (!accept || !sdpOffer) {
      caller.send({ id: 'callResponse', response: 'rejected', message: `${callee.name} declined the call` });
      await history.callRefused('one2one', [caller.name, callee.name], 'rejected');
      return;
    }
    const c = new One2OneCall(
      caller,
      callee,
      callEnded,
      history,
      app.config.STATS_INTERVAL_SECONDS,
      log,
      record ? app.recordings : undefined,
    );
    caller.call = c;
    callee.call = c;
    app.sessions.add(c);
    try {
      await c.start(app.media, callerOffer, sdpOffer);
    } catch (err) {
      // Both sides hear why (the error goes to the callee through the socket handler).
      caller.send({ id: 'callResponse', response: 'rejected', message: (err as Error).message });
      await c.end('error');
      throw err;
    }
  };

  const leave = async (user: User, reason: EndReason): Promise<void> => {
    cancelRinging(user);
    await user.call?.end(reason);
  };

  app.get('/one2one', { websocket: true }, (socket, request) => {
    const connection = SignalingConnection.accept<typeof One2OneClientMessages, One2OneServerMessage>(
      app,
      'one2one',
      socket,
      request,
      codec,
    );
    const log = connection.log;
    const user = new User((m) => connection.send(m), connection.pipelines);

    connection.listen({
      onMessage: async (message) => {
        switch (message.id) {
          case 'register':
            return register(user, message.name);
          case 'call':
            return call(user, message.to, message.sdpOffer, message.record ?? false);
          case 'incomingCallResponse':
            return answer(user, message.from, message.callResponse === 'accept', message.sdpOffer, log);
          case 'onIceCandidate':
            return user.candidates.add(message.candidate);
          case 'stop':
            return leave(user, 'hang-up');
          case 'mediaState': {
            const call = user.call;
            const other = call && (call.caller === user ? call.callee : call.caller);
            return other?.send({ id: 'peerMediaState', media: message.media });
          }
          case 'listUsers':
            listeners.add(user);
            return announceUsers([user]);
          default:
            return assertUnreachable(message);
        }
      },
      onClose: async () => {
        listeners.delete(user);
        if (users.get(user.name) === user) {
          users.delete(user.name);
          void history.offline(user.name);
          announceUsers();
        }
        await leave(user, 'disconnected');
      },
      finishers: ['stop'],
    });
  });
}

export const one2oneDemo: Demo = {
  name: 'one2one',
  page: '/one2one.html',
  title: 'One-to-one call',
  summary: 'Register a name, call someone registered (open a second tab), accept or reject, hang up.',
  routes,
};

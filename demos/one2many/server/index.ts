// /one2many: presenters broadcast, viewers watch; one presenter per room. A socket is either
// nobody, a presenter or a viewer at a time; `stop` or a closed socket ends its part.

import type { FastifyInstance } from 'fastify';
import type { Demo } from '../../../server/demo';
import { MessageCodec } from '../../../server/signaling/codec';
import { SignalingConnection } from '../../../server/signaling/connection';
import { DEFAULT_ROOM, One2ManyClientMessages, type One2ManyServerMessage } from '../messages';
import { assertUnreachable } from '../../../server/util/assert';
import type { EndReason } from '../../../server/store/store';
import { History } from '../../../server/sessions/history';
import { CandidateQueue } from '../../../server/sessions/media-placement';
import { Broadcast, type Member } from './broadcast';

const codec = new MessageCodec(One2ManyClientMessages);

async function routes(app: FastifyInstance): Promise<void> {
  const rooms = new Map<string, Broadcast>();
  const history = new History(app.store, app.log, app.webhooks);
  const ended = (b: Broadcast): void => {
    if (rooms.get(b.room) === b) rooms.delete(b.room);
    app.sessions.delete(b);
  };

  app.get('/one2many', { websocket: true }, (socket, request) => {
    const connection = SignalingConnection.accept<typeof One2ManyClientMessages, One2ManyServerMessage>(
      app,
      'one2many',
      socket,
      request,
      codec,
    );
    const log = connection.log;
    const member: Member = {
      candidates: new CandidateQueue(),
      pipelines: connection.pipelines,
      countsViewers: false,
      send: (m) => connection.send(m),
    };
    let role: { kind: 'presenter' | 'viewer'; broadcast: Broadcast } | undefined;

    const leave = async (reason: EndReason = 'hang-up'): Promise<void> => {
      const r = role;
      role = undefined;
      if (!r) return;
      if (r.kind === 'presenter') await r.broadcast.end(reason);
      else await r.broadcast.removeViewer(member);
    };

    const present = async (room: string, sdpOffer: string): Promise<void> => {
      await leave();
      if (rooms.has(room)) {
        const message = `Another user is currently acting as presenter in room ${room}. Try again later.`;
        return member.send({ id: 'presenterResponse', response: 'rejected', message });
      }
      // The room is taken before the first await, so two presenters cannot both win.
      const broadcast = new Broadcast(room, member, ended, history, app.config.STATS_INTERVAL_SECONDS, log);
      rooms.set(room, broadcast);
      app.sessions.add(broadcast);
      role = { kind: 'presenter', broadcast };
      try {
        await broadcast.start(app.media, sdpOffer);
      } catch (err) {
        await leave('error');
        member.send({ id: 'presenterResponse', response: 'rejected', message: (err as Error).message });
      }
    };

    const view = async (room: string, sdpOffer: string): Promise<void> => {
      await leave();
      const broadcast = rooms.get(room);
      if (!broadcast) {
        const message = `No active presenter in room ${room}. Try again later...`;
        return member.send({ id: 'viewerResponse', response: 'rejected', message });
      }
      role = { kind: 'viewer', broadcast };
      try {
        await broadcast.addViewer(member, sdpOffer);
      } catch (err) {
        await leave();
        member.send({ id: 'viewerResponse', response: 'rejected', message: (err as Error).message });
      }
    };

    connection.listen({
      onMessage: async (message) => {
        switch (message.id) {
          case 'presenter':
            member.countsViewers = message.countViewers === true;
            return present(message.room ?? DEFAULT_ROOM, message.sdpOffer);
          case 'viewer':
            member.countsViewers = message.countViewers === true;
            return view(message.room ?? DEFAULT_ROOM, message.sdpOffer);
          case 'onIceCandidate':
            return member.candidates.add(message.candidate);
          case 'stop':
            return leave('hang-up');
          case 'mediaState':
            // Only a presenter's state is news; a viewer sends nothing.
            if (role?.kind === 'presenter') role.broadcast.setMedia(message.media);
            return;
          default:
            return assertUnreachable(message);
        }
      },
      onClose: () => leave('disconnected'),
      finishers: ['stop'],
    });
  });
}

export const one2manyDemo: Demo = {
  name: 'one2many',
  page: '/one2many.html',
  title: 'One-to-many broadcast',
  summary: 'One presenter per room, any number of viewers, the audience counted live.',
  routes,
};

// /groupcall: rooms of participants, each seeing every other (SFU). One socket is one
// participant in at most one room; leaving or closing the socket releases its endpoints.

import type { FastifyInstance } from 'fastify';
import type { Demo } from '../../../server/demo';
import { AppError } from '../../../server/errors';
import { MessageCodec } from '../../../server/signaling/codec';
import { SignalingConnection } from '../../../server/signaling/connection';
import { GroupCallClientMessages, type GroupCallServerMessage } from '../messages';
import { assertUnreachable } from '../../../server/util/assert';
import { History } from '../../../server/sessions/history';
import { GroupRoom, Participant } from './room';

const codec = new MessageCodec(GroupCallClientMessages);

async function routes(app: FastifyInstance): Promise<void> {
  const rooms = new Map<string, GroupRoom>();
  const history = new History(app.store, app.log, app.webhooks);

  app.get('/groupcall', { websocket: true }, (socket, request) => {
    const connection = SignalingConnection.accept<typeof GroupCallClientMessages, GroupCallServerMessage>(
      app,
      'groupcall',
      socket,
      request,
      codec,
    );
    const log = connection.log;
    let membership: { room: GroupRoom; participant: Participant } | undefined;

    const leave = async (): Promise<void> => {
      const m = membership;
      membership = undefined;
      await m?.room.leave(m.participant);
    };

    const join = async (name: string, roomName: string): Promise<void> => {
      await leave();
      let room = rooms.get(roomName);
      if (!room) {
        room = new GroupRoom(
          roomName,
          app.media,
          (r) => {
            if (rooms.get(r.name) === r) rooms.delete(r.name);
            app.sessions.delete(r);
          },
          history,
          app.config.STATS_INTERVAL_SECONDS,
          log,
        );
        rooms.set(roomName, room);
        app.sessions.add(room);
      }
      const participant = new Participant(name, (m) => connection.send(m), connection.pipelines);
      membership = { room, participant };
      try {
        await room.join(participant);
      } catch (err) {
        membership = undefined;
        throw err;
      }
    };

    const joined = (): { room: GroupRoom; participant: Participant } => {
      if (!membership) throw new AppError('NOT_STARTED', 'Join a room first');
      return membership;
    };

    connection.listen({
      onMessage: async (message) => {
        switch (message.id) {
          case 'joinRoom':
            return join(message.name, message.room);
          case 'receiveVideoFrom': {
            const { room, participant } = joined();
            return room.receiveVideoFrom(participant, message.sender, message.sdpOffer);
          }
          case 'onIceCandidate':
            return joined().participant.addCandidate(message.name, message.candidate);
          case 'leaveRoom':
            return leave();
          case 'mediaState': {
            const { room, participant } = joined();
            return room.setMedia(participant, message.media);
          }
          default:
            return assertUnreachable(message);
        }
      },
      onClose: () => leave(),
      finishers: ['leaveRoom'],
    });
  });
}

export const groupCallDemo: Demo = {
  name: 'group-call',
  page: '/groupcall.html',
  title: 'Group call (SFU)',
  summary: 'Rooms where everyone sees everyone: one outgoing stream each, forwarded to every other participant.',
  routes,
};

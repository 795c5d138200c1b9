// /player: play a URL or a recording into the page (the official player tutorial's
// messages). One session per socket.

import type { FastifyInstance } from 'fastify';
import { MessageCodec } from '../../signaling/codec';
import { SignalingConnection } from '../../signaling/connection';
import { PlayerClientMessages, type PlayerServerMessage } from '../../signaling/protocol/player';
import { assertUnreachable } from '../../util/assert';
import { PlayerSession } from './session';

const codec = new MessageCodec(PlayerClientMessages);

export async function playerDemo(app: FastifyInstance): Promise<void> {
  app.get('/player', { websocket: true }, (socket, request) => {
    const log = request.log.child({ demo: 'player' });
    const connection = new SignalingConnection<typeof PlayerClientMessages, PlayerServerMessage>(socket, codec, log);
    const session = new PlayerSession(app.media, app.recordings, (m) => connection.send(m), log);
    app.sessions.add(session);

    connection.listen({
      onMessage: async (message) => {
        switch (message.id) {
          case 'start':
            return session.start(message.sdpOffer, message.videourl);
          case 'pause':
            return session.pause();
          case 'resume':
            return session.resume();
          case 'doSeek':
            return session.seek(message.position);
          case 'getPosition':
            return session.position();
          case 'stop':
            return session.stop();
          case 'onIceCandidate':
            return session.addCandidate(message.candidate);
          default:
            return assertUnreachable(message);
        }
      },
      onClose: async () => {
        app.sessions.delete(session);
        await session.close('socket closed');
      },
    });
  });
}

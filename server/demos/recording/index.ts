// /recording: record the camera into the media repository, then play it back (the official
// hello-world-recording tutorial's messages). One session per socket.

import type { FastifyInstance } from 'fastify';
import { MessageCodec } from '../../signaling/codec';
import { SignalingConnection } from '../../signaling/connection';
import { RecordingClientMessages, type RecordingServerMessage } from '../../signaling/protocol/recording';
import { assertUnreachable } from '../../util/assert';
import { modeOf, RecordingSession } from './session';

const codec = new MessageCodec(RecordingClientMessages);

export async function recordingDemo(app: FastifyInstance): Promise<void> {
  app.get('/recording', { websocket: true }, (socket, request) => {
    const log = request.log.child({ demo: 'recording' });
    const connection = new SignalingConnection<typeof RecordingClientMessages, RecordingServerMessage>(socket, codec, log);
    const session = new RecordingSession(app.media, app.recordings, (m) => connection.send(m), log);
    app.sessions.add(session);

    connection.listen({
      onMessage: async (message) => {
        switch (message.id) {
          case 'start':
            return session.start(message.sdpOffer, modeOf(message.mode));
          case 'stop':
            return session.stop();
          case 'pause':
            return session.pause();
          case 'resume':
            return session.resume();
          case 'play':
            return session.play(message.sdpOffer, message.recordingId);
          case 'stopPlay':
            return session.stopPlay();
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

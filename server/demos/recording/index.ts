// /recording: record the camera into the media repository, then play it back (the official
// hello-world-recording tutorial's messages). One session per socket.

import type { FastifyInstance } from 'fastify';
import { RecordingClientMessages, type RecordingServerMessage } from '../../signaling/protocol/recording';
import { assertUnreachable } from '../../util/assert';
import { socketSessionDemo } from '../socket-session';
import { modeOf, RecordingSession } from './session';

export async function recordingDemo(app: FastifyInstance): Promise<void> {
  socketSessionDemo<typeof RecordingClientMessages, RecordingServerMessage, RecordingSession>(
    app,
    '/recording',
    RecordingClientMessages,
    (send, log) => new RecordingSession(app.media, app.recordings, send, log),
    async (session, message) => {
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
  );
}

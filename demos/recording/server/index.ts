// /recording: record the camera into the media repository, then play it back (the official
// hello-world-recording tutorial's messages). One session per socket.

import type { FastifyInstance } from 'fastify';
import type { Demo } from '../../../server/demo';
import { RecordingClientMessages, type RecordingServerMessage } from '../messages';
import { assertUnreachable } from '../../../server/util/assert';
import { socketSessionDemo } from '../../../server/sessions/socket-session';
import { modeOf, RecordingSession } from './session';

async function routes(app: FastifyInstance): Promise<void> {
  socketSessionDemo<typeof RecordingClientMessages, RecordingServerMessage, RecordingSession>(
    app,
    '/recording',
    RecordingClientMessages,
    (send, log, pipelines) => new RecordingSession(app.media, app.recordings, send, log, pipelines),
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

export const recordingDemo: Demo = {
  name: 'recording',
  page: '/recording.html',
  title: 'Recording',
  summary: 'Record your camera into the media repository (audio and video, or one of them), pause, stop, play it back.',
  routes,
};

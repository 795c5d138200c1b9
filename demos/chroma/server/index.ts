// /chroma: point the camera at a plain background and click on it; a ChromaFilter calibrated
// on the area around the click replaces that colour with the chosen background image. Until
// the first click the video passes unfiltered. KMS calibrates a ChromaFilter once, when it
// starts, so each click builds a new filter in place of the old one.

import type { FastifyInstance } from 'fastify';
import type { PipelineFeed } from '../../../server/signaling/pipeline-feed';
import type { Demo } from '../../../server/demo';
import { AppError } from '../../../server/errors';
import type { ChromaFilter } from '../../../server/kurento/client';
import { NONE, type FilterServerMessage } from '../../../server/signaling/filter-messages';
import { assertUnreachable } from '../../../server/util/assert';
import { socketSessionDemo } from '../../../server/sessions/socket-session';
import { BACKGROUNDS, ChromaClientMessages } from '../messages';
import { FilterLoop } from '../../../server/sessions/filter-loop';

const DEFAULT_BACKGROUND = 'hubble';
/** The calibration window's side, in video pixels, centred on the click. */
const WINDOW = 40;

class ChromaSession extends FilterLoop<ChromaFilter> {
  private background = DEFAULT_BACKGROUND;

  constructor(
    private readonly app: FastifyInstance,
    send: (m: FilterServerMessage) => void,
    log: FastifyInstance['log'],
    pipelines: PipelineFeed,
  ) {
    super('chroma', app.media, send, log, pipelines);
  }

  startWith(sdpOffer: string, background = DEFAULT_BACKGROUND): Promise<void> {
    this.background = this.checked(background);
    return this.start(sdpOffer, async () => null);
  }

  calibrate(x: number, y: number): Promise<void> {
    const window = { x: Math.max(0, x - WINDOW / 2), y: Math.max(0, y - WINDOW / 2), width: WINDOW, height: WINDOW };
    const image = this.imageUri(this.background);
    return this.replace((pipeline) => pipeline.createChromaFilter(window, image), 'calibrated');
  }

  async choose(background: string): Promise<void> {
    if (!this.started) throw new AppError('NOT_STARTED');
    this.background = this.checked(background);
    const image = this.imageUri(this.background);
    if (this.filter) await (image ? this.filter.setBackground(image) : this.filter.unsetBackground());
  }

  private checked(id: string): string {
    if (id !== NONE && !BACKGROUNDS.some((b) => b.id === id)) throw new AppError('BAD_MESSAGE', `there is no background '${id}'`);
    return id;
  }

  private imageUri(id: string): string | undefined {
    const choice = BACKGROUNDS.find((b) => b.id === id);
    return choice && this.app.demoImages.imageOf(choice.file);
  }
}

async function routes(app: FastifyInstance): Promise<void> {
  socketSessionDemo<typeof ChromaClientMessages, FilterServerMessage, ChromaSession>(
    app,
    '/chroma',
    ChromaClientMessages,
    (send, log, pipelines) => new ChromaSession(app, send, log, pipelines),
    async (session, message) => {
      switch (message.id) {
        case 'start':
          return session.startWith(message.sdpOffer, message.background);
        case 'calibrate':
          return session.calibrate(message.x, message.y);
        case 'background':
          return session.choose(message.background);
        case 'onIceCandidate':
          return session.addCandidate(message.candidate);
        case 'stop':
          return session.stop();
        default:
          return assertUnreachable(message);
      }
    },
  );
}

export const chromaDemo: Demo = {
  name: 'chroma',
  page: '/chroma.html',
  title: 'Chroma key',
  summary: 'Stand in front of a plain background, click it to calibrate, and the media server swaps it for an image.',
  routes,
  needsModule: { name: 'chroma', install: 'kms-chroma' },
};

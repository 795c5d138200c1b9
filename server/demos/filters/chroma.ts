// /chroma: point the camera at a plain background and click on it; a ChromaFilter calibrated
// on the area around the click replaces that colour with the chosen background image. Until
// the first click the video passes unfiltered. KMS calibrates a ChromaFilter once, when it
// starts, so each click builds a new filter in place of the old one.

import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors';
import type { ChromaFilter } from '../../kurento/client';
import { ChromaClientMessages, type FilterServerMessage } from '../../signaling/protocol/filters';
import { assertUnreachable } from '../../util/assert';
import { socketSessionDemo } from '../socket-session';
import { BACKGROUNDS, NONE } from './catalog';
import { FilterLoop } from './filter-loop';

const DEFAULT_BACKGROUND = 'hubble';
/** The calibration window's side, in video pixels, centred on the click. */
const WINDOW = 40;

class ChromaSession extends FilterLoop<ChromaFilter> {
  private background = DEFAULT_BACKGROUND;

  constructor(
    private readonly app: FastifyInstance,
    send: (m: FilterServerMessage) => void,
    log: FastifyInstance['log'],
  ) {
    super('chroma', app.media, send, log);
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

export async function chromaDemo(app: FastifyInstance): Promise<void> {
  socketSessionDemo<typeof ChromaClientMessages, FilterServerMessage, ChromaSession>(
    app,
    '/chroma',
    ChromaClientMessages,
    (send, log) => new ChromaSession(app, send, log),
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

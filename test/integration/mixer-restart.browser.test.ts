// The embedded engine's mixing hubs own one GStreamer process each: one that dies is
// restarted once, brought back to its hub's ports and settings, and the hub says so with an
// Error event; a second death is final. (The hubs' behaviour itself is in the conformance
// suite, test/conformance/hubs.ts.)

/* eslint-disable @typescript-eslint/no-explicit-any -- kurento-client is untyped */
import pino from 'pino';
import { EngineProcess } from '../../server/kurento/engine-launcher';
import { eventually } from '../helpers/app';
import { captureFrame, colourOf, meanColour } from '../helpers/frames';
import { helperPids, helpersOf } from '../helpers/gstreamer';
import { HubRoom } from '../helpers/hub-room';
import { call } from '../helpers/kurento';

jest.setTimeout(120_000);

describe("the embedded engine's mixer processes", () => {
  let engine: EngineProcess;
  let room: HubRoom;

  beforeAll(async () => {
    engine = await EngineProcess.start(pino({ level: 'error' }), { logLevel: 'error' });
    room = await HubRoom.open(engine.url);
    await room.newPipeline();
  });

  afterAll(async () => {
    await room?.clear();
    await room?.close();
    await engine?.stop();
  });

  test('a mixer process that dies is restarted once, with its ports and settings, and the hub says so', async () => {
    const hub = await call<any>(room.pipeline, 'create', 'AlphaBlending');
    const errors: string[] = [];
    hub.on('Error', (e: any) => errors.push(`${e.errorCode}: ${e.description}`));
    await room.memberOf(hub, room.browsers[0]!);
    const green = await room.memberOf(hub, room.browsers[1]!);
    const viewer = await room.viewerOf(hub);
    // The first port is the master until told otherwise, at KMS's z-order 5: green goes above.
    await call(hub, 'setPortProperties', 0.5, 0, 6, 0.5, 0.5, green.port);
    const halves = async (): Promise<string> => {
      const frame = await captureFrame(viewer.peer.page);
      return [20, 180].map((x) => colourOf(meanColour(frame, { x, y: 20, width: 120, height: 80 }))).join();
    };
    await eventually(halves, (c) => c === 'red,green', 20_000, 'red with green top right');

    const [mixer] = helperPids(engine);
    process.kill(mixer!, 'SIGKILL');
    await eventually(
      () => errors,
      (e) => e.length === 1,
      10_000,
      'the Error event',
    );
    expect(errors[0]).toMatch(/^40000: AlphaBlending: its GStreamer process ended .*restarting it/);
    // A new process, with every port and green's place, and the picture back.
    await eventually(halves, (c) => c === 'red,green', 20_000, 'the blend after the restart');
    expect(helperPids(engine)).toHaveLength(1);
    expect(helperPids(engine)[0]).not.toBe(mixer);

    process.kill(helperPids(engine)[0]!, 'SIGKILL');
    await eventually(
      () => errors,
      (e) => e.length === 2,
      10_000,
      'the second Error event',
    );
    expect(errors[1]).toMatch(/ended again .*stopped mixing/);
    await eventually(helpersOf(engine), (n) => n === 0, 5000, 'no mixer process');
  });
});

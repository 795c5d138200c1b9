// The live pipeline view reads the same through kurento-client from any media server (part of
// the conformance suite: the embedded engine and, where Docker exists, a real KMS): the
// application's own MediaServerConnection and PipelineMonitor see a pipeline's elements with
// their classes, a connection with its media types, no media flowing where none was sent,
// and an element released drops out with its connections.

import pino from 'pino';
import { MediaServerConnection } from '../../server/kurento/client';
import { PipelineMonitor } from '../../server/kurento/pipeline-monitor';
import type { PipelineSnapshot } from '../../server/signaling/pipeline-messages';
import { eventually } from '../helpers/app';
import type { MediaServerTarget } from './scenarios';

export function pipelineMonitorSuite(target: () => MediaServerTarget): void {
  test('elements, classes and connections, then one element gone', async () => {
    const log = pino({ level: 'silent' });
    const server = new MediaServerConnection(target().url, log);
    try {
      await eventually(
        () => server.ready,
        (ready) => ready,
        20_000,
      );
      const pipeline = await server.createPipeline();
      const [a, b] = await Promise.all([pipeline.createWebRtcEndpoint(), pipeline.createWebRtcEndpoint()]);
      const filter = await pipeline.createGStreamerFilter('videoflip method=horizontal-flip');
      await a.connect(b);
      await a.connect(filter, 'VIDEO');
      const monitor = new PipelineMonitor(pipeline, server.url, log);
      let latest: PipelineSnapshot | undefined;
      const unwatch = monitor.watch((s) => (latest = s));

      const full = await eventually(
        () => latest,
        (s) => s?.elements.length === 3 && s.connections.length >= 3,
        20_000,
      );
      expect(full!.id).toBe(pipeline.id);
      expect(full!.elements.map((e) => e.type).sort()).toEqual(['GStreamerFilter', 'WebRtcEndpoint', 'WebRtcEndpoint']);
      const types = (sink: string): string[] =>
        full!.connections
          .filter((c) => c.source === a.id && c.sink === sink)
          .map((c) => c.mediaType)
          .sort();
      expect(types(b.id)).toEqual(expect.arrayContaining(['AUDIO', 'VIDEO']));
      expect(types(filter.id)).toEqual(['VIDEO']);
      expect(full!.connections.every((c) => c.source === a.id)).toBe(true);
      for (const e of full!.elements) {
        expect(e.flowIn).toEqual({ AUDIO: false, VIDEO: false });
        expect(e.flowOut).toEqual({ AUDIO: false, VIDEO: false });
        if (e.type === 'WebRtcEndpoint') expect(e.bitrate).toEqual({ inKbps: 0, outKbps: 0 });
        else expect(e.bitrate).toBeUndefined();
      }

      await filter.release();
      const after = await eventually(
        () => latest,
        (s) => s?.elements.length === 2,
        20_000,
      );
      expect(after!.connections.every((c) => c.sink === b.id)).toBe(true);
      unwatch();
      monitor.stop();
      await pipeline.release();
    } finally {
      await server.close();
    }
  });
}

// KMS's hubs, driven through the unmodified kurento-client: browsers send plain-coloured
// cameras into HubPorts, another browser watches a port, and the test reads the colours it
// shows as the routing changes (Dispatcher, DispatcherOneToMany, Mixer) or the picture forms
// (Composite's grid, AlphaBlending's blend), and the audio each port gets. Part of the
// conformance suite: it runs against the embedded engine and, where Docker exists, a real KMS.

/* eslint-disable @typescript-eslint/no-explicit-any -- kurento-client is untyped */
import { eventually } from '../helpers/app';
import { captureFrame, colourOf, meanColour, type Colour } from '../helpers/frames';
import { withRoom } from '../helpers/browser-room';
import { HubRoom, loudness, parentIdOf } from '../helpers/hub-room';
import { call, newHubPort } from '../helpers/kurento';
import type { MediaServerTarget } from './scenarios';

export function hubsSuite(target: () => MediaServerTarget): void {
  const room = withRoom(() => HubRoom.open(target().url));

  test('Dispatcher: each sink port gives what its source port takes in, and a switch shows at once', async () => {
    const hub = await call<any>(room().pipeline, 'create', 'Dispatcher');
    expect(await parentIdOf(target().url, hub)).toBe(room().pipeline.id);
    const red = (await room().memberOf(hub, room().browsers[0]!)).port;
    const green = (await room().memberOf(hub, room().browsers[1]!)).port;
    const viewer = await room().viewerOf(hub);
    expect(await parentIdOf(target().url, viewer.port)).toBe(hub.id); // as in KMS: a port's parent is its hub

    await call(hub, 'connect', red, viewer.port);
    await room().shows(viewer.peer, 'red');
    // The switch asks the new source for a keyframe: the picture changes without waiting
    // for the browser's next one (Chrome sends keyframes only when asked).
    await call(hub, 'connect', green, viewer.port);
    const greenAfter = await room().shows(viewer.peer, 'green', 15_000);
    await call(hub, 'connect', red, viewer.port);
    const redAfter = await room().shows(viewer.peer, 'red', 15_000);
    console.log(`Dispatcher switch shown after ${greenAfter} ms and ${redAfter} ms (frame capture included)`);

    // A port of another hub is refused in words.
    const other = await call<any>(room().pipeline, 'create', 'Dispatcher');
    const { port: stranger } = await newHubPort(other);
    await expect(call(hub, 'connect', stranger, viewer.port)).rejects.toThrow(/belongs to another hub/);
  });

  test('DispatcherOneToMany: every port gives the source, which can change or go', async () => {
    const hub = await call<any>(room().pipeline, 'create', 'DispatcherOneToMany');
    const red = (await room().memberOf(hub, room().browsers[0]!)).port;
    const green = (await room().memberOf(hub, room().browsers[1]!)).port;
    const first = await room().viewerOf(hub);
    await call(hub, 'setSource', green);
    const second = await room().viewerOf(hub); // a port added after setSource gets the source too
    await room().shows(first.peer, 'green');
    await room().shows(second.peer, 'green');

    await call(hub, 'setSource', red);
    await room().shows(first.peer, 'red', 15_000);
    await room().shows(second.peer, 'red', 15_000);

    await call(hub, 'removeSource');
    // Nothing flows any more: the viewers' decoded frame counts stop.
    await new Promise((r) => setTimeout(r, 1500));
    const before = await first.peer.videoStats();
    await new Promise((r) => setTimeout(r, 2000));
    expect((await first.peer.videoStats()).framesDecoded).toBe(before.framesDecoded);

    // Releasing the source's port stops it being the source; the hub goes on.
    await call(hub, 'setSource', red);
    await room().shows(first.peer, 'red', 15_000);
    await call(red, 'release');
    await call(hub, 'setSource', green);
    await room().shows(second.peer, 'green', 15_000);
  });

  test('Composite: a grid of the pictures arriving, in port order, that adapts as inputs stop and resume', async () => {
    const hub = await call<any>(room().pipeline, 'create', 'Composite');
    const red = await room().memberOf(hub, room().browsers[0]!);
    await room().memberOf(hub, room().browsers[1]!);
    const blue = await room().memberOf(hub, room().browsers[2]!);
    const viewer = await room().viewerOf(hub);
    // 3 pictures: 2 columns, 2 rows of 400x300 in the default 800x600, the fourth cell black.
    const cells = async (): Promise<Colour[]> => {
      const frame = await captureFrame(viewer.peer.page);
      expect([frame.width, frame.height]).toEqual([800, 600]);
      return [
        [0, 0],
        [400, 0],
        [0, 300],
        [400, 300],
      ].map(([x, y]) => colourOf(meanColour(frame, { x: x! + 40, y: y! + 40, width: 320, height: 220 })));
    };
    await eventually(
      cells,
      (c) => c.join() === 'red,green,other,other' || c.join() === 'red,green,blue,other',
      20_000,
      'the grid',
    );
    const grid = await eventually(cells, (c) => c.join() === 'red,green,blue,other', 20_000, 'three cells');
    expect(grid).toEqual(['red', 'green', 'blue', 'other']);
    const black = meanColour(await captureFrame(viewer.peer.page), { x: 440, y: 340, width: 320, height: 220 });
    expect(Math.max(...black)).toBeLessThan(40);

    // The red camera's input stops (its port is disconnected from its source): two pictures,
    // side by side in two columns of one row. It comes back when its input resumes.
    await call(red.endpoint, 'disconnect', red.port);
    const two = async (): Promise<Colour[]> => {
      const frame = await captureFrame(viewer.peer.page);
      return [0, 400].map((x) => colourOf(meanColour(frame, { x: x + 40, y: 100, width: 320, height: 400 })));
    };
    expect(await eventually(two, (c) => c.join() === 'green,blue', 20_000, 'green and blue alone')).toEqual(['green', 'blue']);
    await call(red.endpoint, 'connect', red.port);
    expect(await eventually(cells, (c) => c.join() === 'red,green,blue,other', 20_000, 'red back')).toEqual(grid);

    // Audio: each member gets the others' voices and never its own. The blue member is
    // alone once the others leave: it then gets silence.
    expect(
      await eventually(
        () => loudness(blue.peer),
        (e) => e > 0.01,
        20_000,
        'blue to hear the others',
      ),
    ).toBeGreaterThan(0.01);
    await call(red.port, 'release');
    const ports = await call<any[]>(hub, 'getChildren');
    for (const port of ports) if (port.id !== blue.port.id) await call(port, 'release');
    expect(
      await eventually(
        () => loudness(blue.peer),
        (e) => e < 0.001,
        20_000,
        'blue alone to hear nothing',
      ),
    ).toBeLessThan(0.001);
  });

  test('AlphaBlending: the master fills the canvas at its size; ports sit where their properties say, by z-order', async () => {
    const hub = await call<any>(room().pipeline, 'create', 'AlphaBlending');
    const red = await room().memberOf(hub, room().browsers[0]!);
    const green = await room().memberOf(hub, room().browsers[1]!);
    const blue = await room().memberOf(hub, room().browsers[2]!);
    const viewer = await room().viewerOf(hub);
    await call(hub, 'setMaster', red.port, 1);
    // kurento-client's argument order: relativeX, relativeY, zOrder, relativeWidth, relativeHeight, port.
    await call(hub, 'setPortProperties', 0.5, 0, 2, 0.5, 0.5, green.port);
    await call(hub, 'setPortProperties', 0, 0.5, 3, 0.25, 0.5, blue.port);
    // Quadrants of the 320x240 canvas (the master's size), read away from the edges.
    const regions = async (): Promise<Colour[]> => {
      const frame = await captureFrame(viewer.peer.page);
      expect([frame.width, frame.height]).toEqual([320, 240]);
      return [
        { x: 20, y: 20, width: 120, height: 80 }, // top left: the master
        { x: 180, y: 20, width: 120, height: 80 }, // top right: green's place
        { x: 10, y: 140, width: 60, height: 80 }, // bottom left quarter: blue's place
        { x: 180, y: 140, width: 120, height: 80 }, // bottom right: the master
      ].map((r) => colourOf(meanColour(frame, r)));
    };
    expect(await eventually(regions, (c) => c.join() === 'red,green,blue,red', 20_000, 'the blend')).toEqual([
      'red',
      'green',
      'blue',
      'red',
    ]);

    // A negative position cuts the picture at the edge: green, half the width, shows its
    // right half in the canvas's first quarter. And a z-order under the master's hides blue.
    await call(hub, 'setPortProperties', -0.25, 0, 2, 0.5, 0.5, green.port);
    await call(hub, 'setPortProperties', 0, 0.5, 0, 0.25, 0.5, blue.port);
    // The viewer's decoded frame count comes along, and how many of them came since the
    // wait began: should the blend not change, a failure tells a picture that froze from a
    // layout the mixer did not apply.
    let waitFrom = (await viewer.peer.videoStats()).framesDecoded;
    const moved = async (): Promise<{ colours: string; framesDecoded: number; sinceWaitBegan: number }> => {
      const frame = await captureFrame(viewer.peer.page);
      const colours = [
        { x: 10, y: 20, width: 60, height: 80 }, // green's visible half
        { x: 180, y: 20, width: 120, height: 80 }, // top right: the master again
        { x: 10, y: 140, width: 60, height: 80 }, // blue, now under the master
      ].map((r) => colourOf(meanColour(frame, r)));
      const { framesDecoded } = await viewer.peer.videoStats();
      return { colours: colours.join(), framesDecoded, sinceWaitBegan: framesDecoded - waitFrom };
    };
    const cut = await eventually(moved, (c) => c.colours === 'green,red,red', 20_000, 'green cut, blue hidden');
    expect(cut.colours).toBe('green,red,red');

    // Another master: blue fills the canvas above the others; green still sits on top.
    waitFrom = (await viewer.peer.videoStats()).framesDecoded;
    await call(hub, 'setMaster', blue.port, 1);
    await call(hub, 'setPortProperties', 0.5, 0.5, 0, 0.5, 0.5, red.port);
    const reMastered = await eventually(moved, (c) => c.colours === 'green,blue,blue', 20_000, 'blue as master');
    expect(reMastered.colours).toBe('green,blue,blue');
    // The canvas takes its master's size: a 160x120 camera as master makes a 160x120 blend.
    const small = await room().memberOf(hub, room().browsers[1]!, { width: 160, height: 120 });
    await call(hub, 'setMaster', small.port, 9);
    const size = async (): Promise<string> => {
      const frame = await captureFrame(viewer.peer.page);
      return `${frame.width}x${frame.height} ${colourOf(meanColour(frame, { x: 10, y: 10, width: 140, height: 100 }))}`;
    };
    expect(await eventually(size, (s) => s === '160x120 green', 20_000, 'a 160x120 green canvas')).toBe('160x120 green');
    // Every member gets the others' audio, as in a Composite.
    expect(
      await eventually(
        () => loudness(green.peer),
        (e) => e > 0.01,
        20_000,
        'green to hear the others',
      ),
    ).toBeGreaterThan(0.01);
  });

  test('Mixer: video routed port to port, audio mixed from the sources connected, as KMS documents it', async () => {
    const hub = await call<any>(room().pipeline, 'create', 'Mixer');
    const red = await room().memberOf(hub, room().browsers[0]!);
    const green = await room().memberOf(hub, room().browsers[1]!);
    const viewer = await room().viewerOf(hub);
    // Nothing is routed yet: the viewer decodes nothing, and green hears nothing.
    await new Promise((r) => setTimeout(r, 2000));
    expect((await viewer.peer.videoStats()).framesDecoded).toBe(0);
    expect(await loudness(green.peer)).toBeLessThan(0.001);

    await call(hub, 'connect', 'VIDEO', red.port, viewer.port);
    await room().shows(viewer.peer, 'red');
    await call(hub, 'connect', 'VIDEO', green.port, viewer.port);
    await room().shows(viewer.peer, 'green', 15_000);

    await call(hub, 'connect', 'AUDIO', red.port, green.port);
    expect(
      await eventually(
        () => loudness(green.peer),
        (e) => e > 0.01,
        20_000,
        'green to hear red',
      ),
    ).toBeGreaterThan(0.01);
    await call(hub, 'disconnect', 'AUDIO', red.port, green.port);
    expect(
      await eventually(
        () => loudness(green.peer),
        (e) => e < 0.001,
        20_000,
        'green to hear nothing again',
      ),
    ).toBeLessThan(0.001);

    // KMS's refusals, in its words.
    await expect(call(hub, 'disconnect', 'VIDEO', green.port, viewer.port)).rejects.toThrow(
      /Video disconnection is not implemented yet/,
    );
    await expect(call(hub, 'connect', 'DATA', green.port, viewer.port)).rejects.toThrow(/Invalid media type/);
  });

  test('releasing a hub releases its ports', async () => {
    const hub = await call<any>(room().pipeline, 'create', 'DispatcherOneToMany');
    const { port } = await newHubPort(hub);
    expect(await call<any[]>(hub, 'getChildren')).toEqual([expect.objectContaining({ id: port.id })]);
    await call(hub, 'release');
    expect(await call<any[]>(room().pipeline, 'getChildren')).toEqual([]);
    await expect(call(port, 'getName')).rejects.toThrow(/not found/);
  });
}

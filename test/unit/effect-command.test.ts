// GStreamerFilter commands: what the allow-list lets through, in what form GStreamer gets
// it, and the words for what it refuses.

import { effectDescription, parseEffectCommand } from '../../engine/elements/filters/effect-command';

describe('GStreamerFilter command allow-list', () => {
  test('a chain of allowed elements is rebuilt with names, and videoflip methods become directions', () => {
    const parsed = parseEffectCommand('videobalance saturation=0.0 contrast=1.2 !  videoflip method=horizontal-flip ! edgetv');
    expect(effectDescription(parsed)).toBe(
      'videobalance name=effect0 saturation=0.0 contrast=1.2 ! videoconvert ! ' +
        'videoflip name=effect1 video-direction=horiz ! videoconvert ! edgetv name=effect2',
    );
  });

  test.each([
    ['filesrc location=/etc/passwd', /'filesrc' is not an allowed GStreamerFilter element/],
    ['videobalance ! fakesink', /'fakesink' is not an allowed/],
    ['videobalance saturation=lots', /saturation=lots: the value must be a number/],
    ['videobalance name=evil', /videobalance has no property 'name' here \(use saturation, brightness, contrast, hue\)/],
    ['videoflip method=sideways', /the value must be one of none, clockwise/],
    ['videoflip "method=none"', /not a property=value setting/],
    ['videobalance !', /is not a chain of elements/],
    ['edgetv ! '.repeat(9) + 'edgetv', /is not a chain of elements/],
    ['a 501-character command', /too long/],
  ])('%s is refused', (command, why) => {
    const text = command === 'a 501-character command' ? 'x'.repeat(501) : command;
    expect(() => parseEffectCommand(text)).toThrow(why);
  });
});

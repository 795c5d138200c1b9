"""What every GStreamer helper mode shares: the JSON line protocol with the engine, the
real-time encoders and the RTP sink back to the engine, and the main loop with its commands.
"""

import json
import os
import sys
import threading

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstVideo", "1.0")
from gi.repository import GLib, Gst, GstVideo  # noqa: E402

Gst.init(None)

_out_lock = threading.Lock()


def emit(**message):
    with _out_lock:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()


# Real-time VP8: no look-ahead, so a frame leaves as soon as it is encoded.
VP8ENC = (
    "vp8enc name=enc deadline=1 cpu-used=8 lag-in-frames=0 threads=2 end-usage=cbr "
    "target-bitrate={bitrate} keyframe-max-dist=300 error-resilient=partitions"
)
VP8PAY = "rtpvp8pay pt=96 mtu=1200 picture-id-mode=15-bit"
# H.264 for a format stage that asks for it (MediaElement.setVideoFormat): constrained
# baseline, which every WebRTC peer decodes, and parameter sets with every keyframe.
H264ENC = (
    "openh264enc name=enc bitrate=1500000 complexity=low rate-control=bitrate ! "
    "video/x-h264,profile=constrained-baseline ! "
    "rtph264pay pt=96 mtu=1200 config-interval=-1 aggregate-mode=zero-latency"
)


def rtp_sink(port, sync):
    # RTP goes back to the engine over loopback TCP, framed as RFC 4571: a keyframe's burst
    # of packets waits for the engine instead of overflowing a UDP socket's buffer.
    # A paced sink prerolls (async), so that a flushing seek restarts the clock with it.
    flag = "true" if sync else "false"
    return f"rtpstreampay ! tcpclientsink host=127.0.0.1 port={port} sync={flag} async={flag}"


class Helper:
    def __init__(self, config):
        self.config = config
        self.loop = GLib.MainLoop()
        self.pipeline = None
        # Bytes of a command line still on its way (a line may arrive in pieces).
        self.stdin_rest = b""

    # -- plumbing shared by the modes ------------------------------------------------------

    def run(self):
        channel = GLib.IOChannel.unix_new(sys.stdin.fileno())
        GLib.io_add_watch(channel, GLib.PRIORITY_DEFAULT, GLib.IOCondition.IN | GLib.IOCondition.HUP, self.on_stdin)
        bus = self.pipeline.get_bus()
        bus.add_signal_watch()
        bus.connect("message", self.on_message)
        self.start()
        self.loop.run()
        self.pipeline.set_state(Gst.State.NULL)

    def start(self):
        if self.pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
            self.fail("the GStreamer pipeline could not start")

    def fail(self, message):
        emit(event="error", message=message)
        self.loop.quit()

    def on_stdin(self, channel, condition):
        # NOTE: the descriptor, not sys.stdin: a buffered readline() would take two commands
        # that arrived together into Python's buffer and return one, and the watch, which sees
        # only the descriptor, would not fire for the other until a third came.
        chunk = os.read(sys.stdin.fileno(), 65536)
        if not chunk:
            self.loop.quit()  # the engine closed our stdin: it is gone or done with us
            return False
        *lines, self.stdin_rest = (self.stdin_rest + chunk).split(b"\n")
        for line in lines:
            if line.strip():
                self.on_command_line(line)
        return True

    def on_command_line(self, line):
        command = {}
        try:
            command = json.loads(line)
            reply = self.command(command)
        except Exception as err:  # a bad command must not end the stream
            reply = {"error": str(err)}
        if "id" in command:
            emit(reply=command["id"], **(reply or {}))

    def command(self, command):
        name = command.get("cmd")
        if name == "keyframe":
            enc = self.pipeline.get_by_name("enc")
            if enc:
                pad = enc.get_static_pad("src")
                pad.send_event(GstVideo.video_event_new_upstream_force_key_unit(Gst.CLOCK_TIME_NONE, True, 0))
            return None
        raise ValueError(f"unknown command {name}")

    def on_message(self, bus, message):
        if message.type == Gst.MessageType.ERROR:
            err, debug = message.parse_error()
            self.fail(err.message)
        elif message.type == Gst.MessageType.EOS:
            emit(event="eos")

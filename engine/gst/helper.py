#!/usr/bin/env python3
"""GStreamer helper of the embedded media server (engine/gst/helper-process.ts owns it).

NOTE: the player mode is wired and tested (PlayerEndpoint). The filter mode is the start
of issue 6 (FaceOverlayFilter, ChromaFilter, GStreamerFilter) and no element uses it yet.

One process per player or filter. It exchanges RTP with the engine over loopback UDP and
takes commands as JSON lines on stdin; it answers and reports events as JSON lines on
stdout. When stdin closes (the engine went away) it exits, so no helper outlives its owner.

Modes (argv[1] is a JSON object with "mode"):
  probe   report which of the given GStreamer elements are missing, then exit.
  player  decode a URI (file or http) and send it as VP8 + Opus RTP, paced in real time.
  filter  receive VP8 RTP, decode, process (effect, face overlay or chroma key), re-encode.
"""

import json
import re
import sys
import threading

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstVideo", "1.0")
from gi.repository import Gio, GLib, Gst, GstVideo  # noqa: E402

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


def udp_sink(port, sync):
    # A paced sink prerolls (async), so that a flushing seek restarts the clock with it.
    flag = "true" if sync else "false"
    return f"udpsink host=127.0.0.1 port={port} sync={flag} async={flag}"


class Helper:
    def __init__(self, config):
        self.config = config
        self.loop = GLib.MainLoop()
        self.pipeline = None

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
        line = sys.stdin.readline()
        if not line:
            self.loop.quit()  # the engine closed our stdin: it is gone or done with us
            return False
        command = {}
        try:
            command = json.loads(line)
            reply = self.command(command)
        except Exception as err:  # a bad command must not end the stream
            reply = {"error": str(err)}
        if "id" in command:
            emit(reply=command["id"], **(reply or {}))
        return True

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


class Player(Helper):
    """Any URI GStreamer can read, transcoded to VP8 + Opus so that keyframes come on request."""

    def __init__(self, config):
        super().__init__(config)
        self.pipeline = Gst.Pipeline.new("player")
        self.ready = False
        # A flushing seek completes asynchronously; until it does, the position is its target.
        self.seek_target = None
        src = Gst.ElementFactory.make("uridecodebin", "src")
        src.set_property("uri", config["uri"])
        src.connect("pad-added", self.on_pad)
        self.pipeline.add(src)

    def on_pad(self, src, pad):
        caps = pad.get_current_caps() or pad.query_caps(None)
        media = caps.get_structure(0).get_name()
        if media.startswith("video/") and not self.pipeline.get_by_name("enc"):
            desc = (
                "queue max-size-time=500000000 ! videoconvert ! "
                + VP8ENC.format(bitrate=1500000)
                + " ! "
                + VP8PAY
                + " ! "
                + udp_sink(self.config["videoPort"], True)
            )
        elif media.startswith("audio/") and not self.pipeline.get_by_name("opus"):
            desc = (
                "queue max-size-time=500000000 ! audioconvert ! audioresample ! "
                "opusenc name=opus bitrate=64000 frame-size=20 ! rtpopuspay pt=111 ! "
                + udp_sink(self.config["audioPort"], True)
            )
        else:
            return
        branch = Gst.parse_bin_from_description(desc, True)
        self.pipeline.add(branch)
        branch.sync_state_with_parent()
        pad.link(branch.get_static_pad("sink"))

    def on_message(self, bus, message):
        super().on_message(bus, message)
        if message.type == Gst.MessageType.ASYNC_DONE:
            if not self.ready:
                self.ready = True
                emit(event="ready", **self.info())

    def info(self):
        ok, duration = self.pipeline.query_duration(Gst.Format.TIME)
        query = Gst.Query.new_seeking(Gst.Format.TIME)
        seekable, start, end = False, 0, 0
        if self.pipeline.query(query):
            _, seekable, start, end = query.parse_seeking()
        ms = lambda t: max(0, t // 1000000) if t is not None and t >= 0 else 0  # noqa: E731
        return {
            "durationMs": ms(duration) if ok else 0,
            "seekable": bool(seekable),
            "seekableInitMs": ms(start),
            "seekableEndMs": ms(end) if seekable else 0,
        }

    def command(self, command):
        name = command.get("cmd")
        if name == "pause":
            self.pipeline.set_state(Gst.State.PAUSED)
        elif name == "play":
            self.pipeline.set_state(Gst.State.PLAYING)
        elif name == "position":
            ok, position = self.pipeline.query_position(Gst.Format.TIME)
            ms = position // 1000000 if ok and position >= 0 else None
            if self.seek_target is not None:
                # The new segment has not reached the sinks yet while the position is short of it.
                if ms is None or ms < self.seek_target:
                    return {"positionMs": self.seek_target}
                self.seek_target = None
            return {"positionMs": ms or 0}
        elif name == "seek":
            flags = Gst.SeekFlags.FLUSH | Gst.SeekFlags.ACCURATE
            target = int(command["positionMs"])
            if not self.pipeline.seek_simple(Gst.Format.TIME, flags, target * Gst.MSECOND):
                return {"error": "the source cannot seek to that position"}
            self.seek_target = target
        elif name == "info":
            return self.info()
        else:
            return super().command(command)
        return None


def face_boxes(structure_text):
    """Face boxes from a facedetect message, whose nested structures arrive escaped."""
    text = structure_text.replace("\\", "")
    pattern = r"x=\(uint\)(\d+), y=\(uint\)(\d+), width=\(uint\)(\d+), height=\(uint\)(\d+)"
    return [tuple(int(v) for v in m) for m in re.findall(pattern, text)]


MAX_FACES = 4
DETECT_SIZE = (320, 240)
# A face missed in this many detections in a row is taken as gone (detection flickers).
FACE_MISSES = 3


class Filter(Helper):
    """VP8 in, VP8 out, with a video process in between."""

    def __init__(self, config):
        super().__init__(config)
        self.size = None
        self.misses = 0
        self.overlay = config.get("overlay")
        self.calibration = None
        process = self.process_description(config["process"])
        desc = (
            "udpsrc name=in caps=\"application/x-rtp,media=video,encoding-name=VP8,clock-rate=90000,payload=96\" ! "
            "rtpjitterbuffer latency=30 drop-on-latency=true ! rtpvp8depay name=depay wait-for-keyframe=true request-keyframe=true ! "
            "vp8dec ! videoconvert name=decoded ! "
            + process
            + " ! videoconvert ! "
            + VP8ENC.format(bitrate=1500000)
            + " ! "
            + VP8PAY
            + " ! "
            + udp_sink(config["outPort"], False)
        )
        self.pipeline = Gst.parse_launch(desc)
        # Our own socket, so that the engine learns the port before any packet is sent.
        sock = Gio.Socket.new(Gio.SocketFamily.IPV4, Gio.SocketType.DATAGRAM, Gio.SocketProtocol.UDP)
        sock.bind(Gio.InetSocketAddress.new_from_string("127.0.0.1", 0), False)
        self.pipeline.get_by_name("in").set_property("socket", sock)
        emit(event="listening", port=sock.get_local_address().get_port())
        # The decoder lost its reference: ask the engine for a keyframe from the source.
        depay_sink = self.pipeline.get_by_name("depay").get_static_pad("sink")
        depay_sink.add_probe(Gst.PadProbeType.EVENT_UPSTREAM, self.on_upstream_event)
        decoded = self.pipeline.get_by_name("decoded").get_static_pad("src")
        decoded.add_probe(Gst.PadProbeType.EVENT_DOWNSTREAM, self.on_caps)
        kind = config["process"]["kind"]
        if kind == "faceoverlay":
            self.set_overlay(self.overlay)
        elif kind == "chroma":
            self.calibration = {"window": config["process"]["window"], "sums": [0, 0, 0], "frames": 0}
            calib = self.pipeline.get_by_name("calib").get_static_pad("src")
            calib.add_probe(Gst.PadProbeType.BUFFER, self.on_chroma_frame)

    def process_description(self, process):
        kind = process["kind"]
        if kind == "effect":
            return process["command"]
        if kind == "faceoverlay":
            w, h = DETECT_SIZE
            overlays = " ! ".join(f"gdkpixbufoverlay name=ov{i} alpha=0" for i in range(MAX_FACES))
            return (
                "tee name=t "
                f"t. ! queue leaky=downstream max-size-buffers=1 ! videoscale ! video/x-raw,width={w},height={h} ! "
                "videoconvert ! facedetect name=detect display=false min-size-width=24 min-size-height=24 ! "
                "fakesink sync=false async=false "
                f"t. ! queue max-size-buffers=2 ! {overlays}"
            )
        if kind == "chroma":
            key = "videoconvert ! video/x-raw,format=RGBA ! identity name=calib ! alpha name=key method=set alpha=1.0"
            background = process.get("background")
            if not background:
                return key
            return (
                f"{key} ! mix.sink_1 "
                f"filesrc location=\"{background}\" ! decodebin ! videoconvert ! videoscale ! imagefreeze ! "
                "capsfilter name=bgsize ! mix.sink_0 "
                "compositor name=mix background=black sink_0::zorder=0 sink_1::zorder=1"
            )
        raise ValueError(f"unknown process {kind}")

    def on_caps(self, pad, info):
        event = info.get_event()
        if event.type == Gst.EventType.CAPS:
            s = event.parse_caps().get_structure(0)
            self.size = (s.get_value("width"), s.get_value("height"))
            bgsize = self.pipeline.get_by_name("bgsize")
            if bgsize:
                w, h = self.size
                bgsize.set_property("caps", Gst.Caps.from_string(f"video/x-raw,width={w},height={h}"))
        return Gst.PadProbeReturn.OK

    def on_upstream_event(self, pad, info):
        if GstVideo.video_event_is_force_key_unit(info.get_event()):
            emit(event="keyframe-request")
        return Gst.PadProbeReturn.OK

    # -- face overlay ----------------------------------------------------------------------

    def set_overlay(self, overlay):
        self.overlay = overlay
        for i in range(MAX_FACES):
            element = self.pipeline.get_by_name(f"ov{i}")
            element.set_property("alpha", 0.0)
            if overlay:
                element.set_property("location", overlay["path"])

    def on_faces(self, faces):
        if not self.overlay or not self.size:
            return
        if not faces:
            self.misses += 1
            if self.misses < FACE_MISSES:
                return
        else:
            self.misses = 0
        sx = self.size[0] / DETECT_SIZE[0]
        sy = self.size[1] / DETECT_SIZE[1]
        o = self.overlay
        for i in range(MAX_FACES):
            element = self.pipeline.get_by_name(f"ov{i}")
            if i >= len(faces):
                element.set_property("alpha", 0.0)
                continue
            x, y, w, h = faces[i]
            x, y, w, h = x * sx, y * sy, w * sx, h * sy
            # As KMS: offsets and size are fractions of the face box, from its top-left corner.
            element.set_property("offset-x", int(x + o["offsetX"] * w))
            element.set_property("offset-y", int(y + o["offsetY"] * h))
            element.set_property("overlay-width", max(1, int(o["width"] * w)))
            element.set_property("overlay-height", max(1, int(o["height"] * h)))
            element.set_property("alpha", 1.0)

    # -- chroma ----------------------------------------------------------------------------

    def on_chroma_frame(self, pad, info):
        c = self.calibration
        if c is None or not self.size:
            return Gst.PadProbeReturn.OK
        buf = info.get_buffer()
        ok, mapped = buf.map(Gst.MapFlags.READ)
        if not ok:
            return Gst.PadProbeReturn.OK
        try:
            width, height = self.size
            win = c["window"]
            x0 = max(0, min(width - 1, win["x"]))
            y0 = max(0, min(height - 1, win["y"]))
            x1 = max(x0 + 1, min(width, win["x"] + win["width"]))
            y1 = max(y0 + 1, min(height, win["y"] + win["height"]))
            data = mapped.data
            stride = width * 4
            step = max(1, (x1 - x0) // 16)
            for y in range(y0, y1, max(1, (y1 - y0) // 16)):
                row = y * stride
                for x in range(x0, x1, step):
                    i = row + x * 4
                    c["sums"][0] += data[i]
                    c["sums"][1] += data[i + 1]
                    c["sums"][2] += data[i + 2]
                    c["frames"] += 1
        finally:
            buf.unmap(mapped)
        # Calibrate on the first frames, then key with that colour from then on.
        if c["frames"] >= 15 * 256:
            r, g, b = (int(v / c["frames"]) for v in c["sums"])
            self.calibration = None
            if self.config["process"].get("background"):
                key = self.pipeline.get_by_name("key")
                key.set_property("method", "custom")
                key.set_property("target-r", r)
                key.set_property("target-g", g)
                key.set_property("target-b", b)
                key.set_property("angle", 25.0)
                key.set_property("noise-level", 4.0)
            emit(event="calibrated", r=r, g=g, b=b)
        return Gst.PadProbeReturn.OK

    def on_message(self, bus, message):
        super().on_message(bus, message)
        if message.type == Gst.MessageType.ELEMENT and message.src.get_name() == "detect":
            self.on_faces(face_boxes(message.get_structure().to_string())[:MAX_FACES])

    def command(self, command):
        if command.get("cmd") == "overlay":
            self.set_overlay(command.get("overlay"))
            return None
        return super().command(command)


def probe(config):
    missing = [name for name in config["elements"] if Gst.ElementFactory.find(name) is None]
    emit(event="probe", missing=missing, version=Gst.version_string())


def main():
    config = json.loads(sys.argv[1])
    mode = config["mode"]
    if mode == "probe":
        probe(config)
        return
    try:
        helper = Player(config) if mode == "player" else Filter(config)
    except GLib.Error as err:
        emit(event="error", message=err.message)
        sys.exit(1)
    helper.run()


if __name__ == "__main__":
    main()

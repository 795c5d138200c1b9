#!/usr/bin/env python3
"""GStreamer helper of the embedded media server (engine/gst/helper-process.ts owns it).

One process per player, filter or mixing hub. It exchanges RTP with the engine over loopback UDP and
takes commands as JSON lines on stdin; it answers and reports events as JSON lines on
stdout. When stdin closes (the engine went away) it exits, so no helper outlives its owner.

Modes (argv[1] is a JSON object with "mode"):
  probe   report which of the given GStreamer elements are missing, then exit.
  player  decode a URI (file or http) and send it as VP8 + Opus RTP, paced in real time;
          with "encoded", VP8 and Opus are sent as they are in the file, not re-encoded.
  filter  receive VP8 RTP, decode, process (effect, face overlay, image overlay or chroma
          key), re-encode; or, for an analyser (zbar), decode and report what it finds.
  mixer   a mixing hub's picture and audio mixes (Composite, AlphaBlending, Mixer; mixer.py).
"""

import json
import resource
import re
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstVideo", "1.0")
gi.require_version("GdkPixbuf", "2.0")
from gi.repository import GdkPixbuf, Gio, GLib, Gst, GstVideo  # noqa: E402

from plumbing import H264ENC, VP8ENC, VP8PAY, Helper, emit, rtp_sink  # noqa: E402

# GstAutoplugSelectResult, which GObject introspection does not describe.
AUTOPLUG_TRY = 0
AUTOPLUG_SKIP = 2


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
        if config.get("encoded"):
            # Decoding stops at VP8 and Opus, which go out as they are (HttpPostEndpoint's
            # useEncodedMedia); anything else is still decoded and encoded.
            src.set_property("caps", Gst.Caps.from_string("video/x-vp8;audio/x-opus;video/x-raw(ANY);audio/x-raw(ANY)"))
        self.linked = set()
        src.connect("pad-added", self.on_pad)
        src.connect("autoplug-select", self.on_autoplug_select)
        self.pipeline.add(src)

    def on_autoplug_select(self, _bin, _pad, _caps, factory):
        # A playlist (HLS, DASH, Smooth Streaming) names further URIs that its demuxer fetches
        # itself, file:// or any host, past the engine's media directory and URL policy. The
        # player plays one file or one stream, so playlists are refused.
        if "Adaptive" in (factory.get_metadata("klass") or ""):
            self.fail("playlists (HLS, DASH) are not played; give the URL of one media file")
            return AUTOPLUG_SKIP
        return AUTOPLUG_TRY

    def on_pad(self, src, pad):
        caps = pad.get_current_caps() or pad.query_caps(None)
        media = caps.get_structure(0).get_name()
        kind = media.split("/")[0]
        if kind in self.linked:
            return
        if media == "video/x-vp8":
            desc = "queue max-size-time=500000000 ! " + VP8PAY + " ! " + rtp_sink(self.config["videoPort"], True)
        elif media == "audio/x-opus":
            desc = "queue max-size-time=500000000 ! rtpopuspay pt=111 ! " + rtp_sink(self.config["audioPort"], True)
        elif kind == "video":
            desc = (
                "queue max-size-time=500000000 ! videoconvert ! "
                + VP8ENC.format(bitrate=1500000)
                + " ! "
                + VP8PAY
                + " ! "
                + rtp_sink(self.config["videoPort"], True)
            )
        elif kind == "audio":
            desc = (
                "queue max-size-time=500000000 ! audioconvert ! audioresample ! "
                "opusenc name=opus bitrate=64000 frame-size=20 ! rtpopuspay pt=111 ! "
                + rtp_sink(self.config["audioPort"], True)
            )
        else:
            return
        self.linked.add(kind)
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


# Filters that only look at the video: the engine forwards its packets, the helper encodes nothing.
ANALYSERS = ("zbar",)


def image_box(image, width, height):
    """Where KMS's image overlay puts an image on a width x height frame: (x, y, w, h) or None.

    Offsets and size are fractions of the frame. With keepAspectRatio the image fits inside
    that size (KMS computes the fitted width with the ratio inverted, which stretches a
    non-square image; here the ratio is kept, as its documentation says); with center as
    well, it is centred in the space it leaves. A zero size hides the image.
    """
    if image["width"] == 0 or image["height"] == 0:
        return None
    w, h = int(width * image["width"]), int(height * image["height"])
    x, y = int(width * image["offsetX"]), int(height * image["offsetY"])
    if image["keepAspectRatio"]:
        iw, ih = image["pixbuf"].get_width(), image["pixbuf"].get_height()
        if w / iw < h / ih:
            fitted_w, fitted_h = w, int(w * ih / iw)
        else:
            fitted_w, fitted_h = int(h * iw / ih), h
        if image["center"]:
            x += (w - fitted_w) // 2
            y += (h - fitted_h) // 2
        w, h = fitted_w, fitted_h
    if w <= 0 or h <= 0:
        return None
    return x, y, w, h


MAX_FACES = 4
DETECT_SIZE = (320, 240)
# A face missed in this many detections in a row is taken as gone (detection flickers).
FACE_MISSES = 3
# Colour samples averaged to calibrate a chroma key: a 16x16 grid over about 15 frames.
CALIBRATION_SAMPLES = 15 * 256


class Filter(Helper):
    """VP8 in, VP8 out, with a video process in between."""

    def __init__(self, config):
        super().__init__(config)
        self.size = None
        self.image = None
        self.misses = 0
        self.overlay = config.get("overlay")
        self.last_code = None
        self.calibration = None
        self.key = None
        self.background = None
        self.background_size = None
        self.background_frame = None
        self.black_frame = None
        self.images = []
        process = self.process_description(config["process"])
        if config["process"]["kind"] in ANALYSERS:
            # The engine forwards the original packets; nothing is encoded here.
            output = "fakesink sync=false async=false"
        else:
            encoder = H264ENC if config.get("encoder") == "h264" else VP8ENC.format(bitrate=1500000) + " ! " + VP8PAY
            output = "videoconvert ! " + encoder + " ! " + rtp_sink(config["outPort"], False)
        desc = (
            "udpsrc name=in caps=\"application/x-rtp,media=video,encoding-name=VP8,clock-rate=90000,payload=96\" ! "
            "rtpjitterbuffer latency=30 drop-on-latency=true ! rtpvp8depay name=depay wait-for-keyframe=true request-keyframe=true ! "
            "vp8dec ! videoconvert name=decoded ! " + process + " ! " + output
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
        elif kind == "imageoverlay":
            self.set_images(config.get("images") or [])
        elif kind == "chroma":
            self.key = config["process"].get("key")  # calibrated by an earlier run of this filter
            if not self.key:
                self.calibration = {"window": config["process"]["window"], "sums": [0, 0, 0], "samples": 0}
            self.set_background(config["process"].get("background"))
            calib = self.pipeline.get_by_name("calib").get_static_pad("src")
            calib.add_probe(Gst.PadProbeType.BUFFER, self.on_chroma_frame)

    def process_description(self, process):
        kind = process["kind"]
        if kind == "effect":
            return process["command"]
        if kind == "rate":
            # MediaElement.setVideoFormat: the frames leave at this rate, dropped or repeated.
            return f"videorate ! video/x-raw,framerate={process['framerate']}"
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
        if kind == "imageoverlay":
            # Every image is drawn onto one transparent frame-sized picture, redrawn when the
            # images or the frame size change; one overlay element blends it onto each frame.
            return "gdkpixbufoverlay name=images alpha=0"
        if kind == "zbar":
            # As KMS: qos off, so that a late frame is still scanned rather than dropped.
            return "zbar name=zbar qos=false"
        if kind == "chroma":
            # The background enters through an appsrc that gets one copy of the image per video
            # frame, with that frame's timestamp, so the compositor has both inputs at once.
            # NOTE: its output runs at a fixed 30 fps. With the camera's variable rate (0/1)
            # it waited for each next frame and added about 260 ms; at 30/1 it adds about 60 ms,
            # for the price of encoding repeated frames of a slower camera.
            return (
                "videoconvert ! video/x-raw,format=RGBA ! identity name=calib ! "
                "alpha name=key method=set alpha=1.0 ! mix.sink_1 "
                "appsrc name=bg is-live=true format=time ! mix.sink_0 "
                "compositor name=mix background=black sink_0::zorder=0 sink_1::zorder=1 ! video/x-raw,framerate=30/1"
            )
        raise ValueError(f"unknown process {kind}")

    def on_caps(self, pad, info):
        event = info.get_event()
        if event.type == Gst.EventType.CAPS:
            s = event.parse_caps().get_structure(0)
            size = (s.get_value("width"), s.get_value("height"))
            if size != self.size:
                self.size = size
                if self.config["process"]["kind"] == "imageoverlay":
                    self.draw_images()
        return Gst.PadProbeReturn.OK

    def on_upstream_event(self, pad, info):
        if GstVideo.video_event_is_force_key_unit(info.get_event()):
            emit(event="keyframe-request")
        return Gst.PadProbeReturn.OK

    # -- face overlay ----------------------------------------------------------------------

    def set_overlay(self, overlay):
        # The image is scaled and cropped here, per face: gdkpixbufoverlay reads a negative
        # offset as "from the other edge", so a hat above a face near the top would wrap to
        # the bottom of the frame instead of being cut off.
        self.overlay = overlay
        self.image = GdkPixbuf.Pixbuf.new_from_file(overlay["path"]) if overlay else None
        self.placed = [None] * MAX_FACES
        for i in range(MAX_FACES):
            self.pipeline.get_by_name(f"ov{i}").set_property("alpha", 0.0)

    def on_faces(self, faces):
        if not self.image or not self.size:
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
            box = None
            if i < len(faces):
                x, y, w, h = faces[i]
                x, y, w, h = x * sx, y * sy, w * sx, h * sy
                # As KMS: offsets and size are fractions of the face box, from its top-left corner.
                box = (int(x + o["offsetX"] * w), int(y + o["offsetY"] * h), int(o["width"] * w), int(o["height"] * h))
            self.place(i, box)

    def place(self, i, box):
        element = self.pipeline.get_by_name(f"ov{i}")
        if box == self.placed[i]:
            return
        self.placed[i] = box
        visible = None
        if box and box[2] > 0 and box[3] > 0:
            x, y, w, h = box
            x0, y0 = max(0, x), max(0, y)
            x1, y1 = min(self.size[0], x + w), min(self.size[1], y + h)
            if x1 > x0 and y1 > y0:
                visible = (x, y, w, h, x0, y0, x1, y1)
        if not visible:
            element.set_property("alpha", 0.0)
            return
        x, y, w, h, x0, y0, x1, y1 = visible
        scaled = self.image.scale_simple(w, h, GdkPixbuf.InterpType.BILINEAR)
        part = scaled.new_subpixbuf(x0 - x, y0 - y, x1 - x0, y1 - y0).copy()
        element.set_property("pixbuf", part)
        element.set_property("offset-x", x0)
        element.set_property("offset-y", y0)
        element.set_property("overlay-width", 0)
        element.set_property("overlay-height", 0)
        element.set_property("alpha", 1.0)

    # -- image overlay ---------------------------------------------------------------------

    def set_images(self, images):
        # In the order they were added, each drawn over the ones before (as KMS's list).
        self.images = [dict(image, pixbuf=GdkPixbuf.Pixbuf.new_from_file(image["path"])) for image in images]
        self.draw_images()

    def draw_images(self):
        element = self.pipeline.get_by_name("images")
        if not self.images or not self.size:
            element.set_property("alpha", 0.0)
            return
        width, height = self.size
        canvas = GdkPixbuf.Pixbuf.new(GdkPixbuf.Colorspace.RGB, True, 8, width, height)
        canvas.fill(0x00000000)
        for image in self.images:
            placed = image_box(image, width, height)
            if placed:
                x, y, w, h = placed
                # Clipped to the frame: an image may hang over its edges.
                x0, y0, x1, y1 = max(0, x), max(0, y), min(width, x + w), min(height, y + h)
                if x1 > x0 and y1 > y0:
                    image["pixbuf"].composite(
                        canvas, x0, y0, x1 - x0, y1 - y0, x, y,
                        w / image["pixbuf"].get_width(), h / image["pixbuf"].get_height(),
                        GdkPixbuf.InterpType.BILINEAR, 255,
                    )
        element.set_property("pixbuf", canvas)
        element.set_property("offset-x", 0)
        element.set_property("offset-y", 0)
        element.set_property("overlay-width", 0)
        element.set_property("overlay-height", 0)
        element.set_property("alpha", 1.0)

    # -- zbar ------------------------------------------------------------------------------

    def on_barcode(self, structure):
        # KMS reports a code when it differs from the last one reported, or a second after it.
        ok_ts, ts = structure.get_uint64("timestamp")
        code = (structure.get_string("type"), structure.get_string("symbol"))
        last = self.last_code
        if last and last[0] == code and ok_ts and ts - last[1] < Gst.SECOND:
            return
        self.last_code = (code, ts if ok_ts else 0)
        emit(event="code", codeType=code[0], value=code[1])

    # -- chroma ----------------------------------------------------------------------------

    def on_chroma_frame(self, pad, info):
        buf = info.get_buffer()
        if self.calibration is not None and self.size:
            self.calibrate(buf)
        if self.size != self.background_size:
            self.scale_background()
        background = self.background_frame or self.black_frame
        if background:
            frame = background.copy()  # shares the pixels; only the timestamps are its own
            frame.pts, frame.duration = buf.pts, buf.duration
            self.pipeline.get_by_name("bg").emit("push-buffer", frame)
        return Gst.PadProbeReturn.OK

    def calibrate(self, buf):
        # Average a 16x16 grid of the window over the first frames, then key with that colour.
        c = self.calibration
        ok, mapped = buf.map(Gst.MapFlags.READ)
        if not ok:
            return
        try:
            width, height = self.size
            win = c["window"]
            x0 = max(0, min(width - 1, win["x"]))
            y0 = max(0, min(height - 1, win["y"]))
            x1 = max(x0 + 1, min(width, win["x"] + win["width"]))
            y1 = max(y0 + 1, min(height, win["y"] + win["height"]))
            data = mapped.data
            stride = width * 4
            for y in range(y0, y1, max(1, (y1 - y0) // 16)):
                row = y * stride
                for x in range(x0, x1, max(1, (x1 - x0) // 16)):
                    i = row + x * 4
                    c["sums"][0] += data[i]
                    c["sums"][1] += data[i + 1]
                    c["sums"][2] += data[i + 2]
                    c["samples"] += 1
        finally:
            buf.unmap(mapped)
        if c["samples"] >= CALIBRATION_SAMPLES:
            r, g, b = (int(v / c["samples"]) for v in c["sums"])
            self.calibration = None
            self.key = {"r": r, "g": g, "b": b}
            self.apply_key()
            emit(event="calibrated", r=r, g=g, b=b)

    def set_background(self, path):
        self.background = GdkPixbuf.Pixbuf.new_from_file(path) if path else None
        self.background_size = None
        self.apply_key()

    def apply_key(self):
        # With no background the key stays off, so the picture passes untouched.
        key = self.pipeline.get_by_name("key")
        if not self.key or not self.background:
            key.set_property("method", "set")
            return
        key.set_property("target-r", self.key["r"])
        key.set_property("target-g", self.key["g"])
        key.set_property("target-b", self.key["b"])
        key.set_property("angle", 25.0)
        key.set_property("noise-level", 4.0)
        key.set_property("method", "custom")

    def scale_background(self):
        # The image covers the frame (scaled to fill, centre cropped), as a CSS "cover".
        width, height = self.size
        self.background_size = self.size
        self.black_frame = Gst.Buffer.new_wrapped(bytes(width * height * 4))
        self.background_frame = None
        caps = Gst.Caps.from_string(f"video/x-raw,format=RGBA,width={width},height={height},framerate=0/1")
        self.pipeline.get_by_name("bg").set_property("caps", caps)
        image = self.background
        if not image:
            return
        scale = max(width / image.get_width(), height / image.get_height())
        sw, sh = max(width, round(image.get_width() * scale)), max(height, round(image.get_height() * scale))
        scaled = image.scale_simple(sw, sh, GdkPixbuf.InterpType.BILINEAR)
        part = scaled.new_subpixbuf((sw - width) // 2, (sh - height) // 2, width, height).copy()
        if not part.get_has_alpha():
            part = part.add_alpha(False, 0, 0, 0)
        stride, pixels = part.get_rowstride(), part.read_pixel_bytes().get_data()
        rows = (pixels[y * stride : y * stride + width * 4] for y in range(height))
        self.background_frame = Gst.Buffer.new_wrapped(b"".join(rows))

    def on_message(self, bus, message):
        super().on_message(bus, message)
        if message.type == Gst.MessageType.ELEMENT and message.src.get_name() == "detect":
            self.on_faces(face_boxes(message.get_structure().to_string())[:MAX_FACES])
        elif message.type == Gst.MessageType.ELEMENT and message.src.get_name() == "zbar":
            if message.get_structure().get_name() == "barcode":
                self.on_barcode(message.get_structure())

    def command(self, command):
        if command.get("cmd") == "overlay":
            self.set_overlay(command.get("overlay"))
            return None
        if command.get("cmd") == "set":
            element = self.pipeline.get_by_name(command["element"])
            Gst.util_set_object_arg(element, command["property"], command["value"])
            return None
        if command.get("cmd") == "images":
            self.set_images(command.get("images") or [])
            return None
        if command.get("cmd") == "background":
            self.set_background(command.get("path"))
            return None
        return super().command(command)


def probe(config):
    missing = [name for name in config["elements"] if Gst.ElementFactory.find(name) is None]
    emit(event="probe", missing=missing, version=Gst.version_string())


def limit_memory(megabytes):
    # The engine's ENGINE_HELPER_MEMORY_MB: a hostile input (a huge image, a bad stream) makes
    # this process fail, not the machine. RLIMIT_DATA counts the heap and private mappings,
    # not the shared libraries, so the number means what it says.
    if megabytes:
        limit = int(megabytes) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def main():
    config = json.loads(sys.argv[1])
    mode = config["mode"]
    if mode == "probe":
        probe(config)
        return
    limit_memory(config.get("memoryMb"))
    try:
        if mode == "mixer":
            from mixer import Mixer  # only a hub's process needs it

            helper = Mixer(config)
        else:
            helper = Player(config) if mode == "player" else Filter(config)
    except GLib.Error as err:
        emit(event="error", message=err.message)
        sys.exit(1)
    helper.run()


if __name__ == "__main__":
    main()

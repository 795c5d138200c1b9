"""The Composite hub's mixer (engine/elements/hubs/composite.ts owns it): one process per hub.

Each port sends VP8 and Opus RTP into its own pair of UDP sockets. The video of the ports
whose pictures are arriving is laid out as KMS lays it out: a grid of ceil(sqrt(n))
columns, in the order the ports were made, each picture stretched to its cell, on black.
One VP8 stream of that grid goes back for every port. Each port also gets its own Opus mix
of every other port's audio (never its own voice back).

Everything goes back over one TCP connection, told apart by SSRC: the video is VIDEO_SSRC,
port N's audio is AUDIO_SSRC_BASE + N.

Commands: add-port (answers with the port's UDP ports), remove-port, keyframe.
Events: keyframe-request with the port whose decoder needs one.
"""

import math

from gi.repository import Gio, GLib, Gst, GstVideo

from plumbing import VP8ENC, VP8PAY, Helper, emit

VIDEO_SSRC = 1
AUDIO_SSRC_BASE = 1000
# A picture that has not changed for this long leaves the grid; it comes back with its next frame.
INPUT_TIMEOUT_US = 1_000_000
LAYOUT_CHECK_MS = 250
# How long the mixers wait for a late input before mixing without it.
LATENCY_NS = 100 * Gst.MSECOND
VIDEO_CAPS = "application/x-rtp,media=video,encoding-name=VP8,clock-rate=90000,payload=96"
AUDIO_CAPS = "application/x-rtp,media=audio,encoding-name=OPUS,clock-rate=48000,payload=111"
# One raw format everywhere: an audiomixer's inputs must match its output exactly.
AUDIO_RAW = "audio/x-raw,format=S16LE,layout=interleaved,rate=48000,channels=2"


def grid(n, width, height):
    """KMS's composite layout: n cells, row by row, as (x, y, w, h)."""
    columns = math.ceil(math.sqrt(n))
    rows = math.ceil(n / columns)
    w, h = width // columns, height // rows
    return [((i % columns) * w, (i // columns) * h, w, h) for i in range(n)]


class Port:
    def __init__(self, pid):
        self.pid = pid
        self.video = []  # udpsrc ... queue, feeding the compositor pad
        self.mix_pad = None
        self.audio = []  # udpsrc ... tee
        self.tee = None
        self.out = []  # audiomixer ... payloader, feeding a funnel pad
        self.mixer = None
        self.funnel_pad = None
        # (tee src pad, queue, audiomixer sink pad) for this port's voice in another's mix.
        self.branches = {}
        self.last_frame_us = 0


class Mixer(Helper):
    def __init__(self, config):
        super().__init__(config)
        width, height, fps = config["width"], config["height"], config["framerate"]
        self.size = (width, height)
        self.ports = {}
        self.shown = []
        raw = f"video/x-raw,width={width},height={height},framerate={fps}/1"
        self.pipeline = Gst.parse_launch(
            f"compositor name=mix background=black latency={LATENCY_NS} start-time-selection=first ! {raw} ! "
            "videoconvert ! " + VP8ENC.format(bitrate=1500000) + f" ! {VP8PAY} ssrc={VIDEO_SSRC} ! out. "
            # Black while no picture arrives, so the grid's stream never stops (as KMS does).
            f"videotestsrc is-live=true pattern=black ! {raw} ! mix. "
            # One connection back for every stream; the engine tells them apart by SSRC.
            "funnel name=out ! rtpstreampay ! "
            f"tcpclientsink host=127.0.0.1 port={config['outPort']} sync=false async=false"
        )
        GLib.timeout_add(LAYOUT_CHECK_MS, self.check_layout)

    def command(self, command):
        name = command.get("cmd")
        if name == "add-port":
            return self.add_port(int(command["port"]))
        if name == "remove-port":
            self.remove_port(int(command["port"]))
            return None
        return super().command(command)

    # -- building -------------------------------------------------------------------------

    def chain(self, *specs):
        """Makes, adds and links elements given as (factory, properties); returns them."""
        made = []
        for factory, props in specs:
            element = Gst.ElementFactory.make(factory, None)
            if element is None:
                raise RuntimeError(f"GStreamer lacks {factory}")
            for key, value in props.items():
                element.set_property(key, Gst.Caps.from_string(value) if key == "caps" else value)
            self.pipeline.add(element)
            made.append(element)
        for a, b in zip(made, made[1:]):
            if not a.link(b):
                raise RuntimeError(f"cannot link {a.get_name()} to {b.get_name()}")
        return made

    @staticmethod
    def bound_socket():
        sock = Gio.Socket.new(Gio.SocketFamily.IPV4, Gio.SocketType.DATAGRAM, Gio.SocketProtocol.UDP)
        sock.bind(Gio.InetSocketAddress.new_from_string("127.0.0.1", 0), False)
        return sock

    def add_port(self, pid):
        port = Port(pid)
        video_sock, audio_sock = self.bound_socket(), self.bound_socket()
        port.video = self.chain(
            ("udpsrc", {"socket": video_sock, "caps": VIDEO_CAPS}),
            ("rtpjitterbuffer", {"latency": 200}),
            ("rtpvp8depay", {"wait-for-keyframe": True, "request-keyframe": True}),
            ("vp8dec", {}),
            ("videoconvert", {}),
            ("queue", {"max-size-buffers": 2, "leaky": 2}),
        )
        depay = port.video[2]
        depay.get_static_pad("sink").add_probe(Gst.PadProbeType.EVENT_UPSTREAM, self.on_upstream_event, pid)
        # Frames are counted before the queue: the compositor holds back what it takes in.
        port.video[-1].get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, self.on_frame, port)
        port.mix_pad = self.pipeline.get_by_name("mix").request_pad_simple("sink_%u")
        port.mix_pad.set_property("alpha", 0.0)
        port.video[-1].get_static_pad("src").link(port.mix_pad)

        port.audio = self.chain(
            ("udpsrc", {"socket": audio_sock, "caps": AUDIO_CAPS}),
            ("rtpjitterbuffer", {"latency": 200}),
            ("rtpopusdepay", {}),
            ("opusdec", {"plc": True}),
            ("audioconvert", {}),
            ("audioresample", {}),
            ("capsfilter", {"caps": AUDIO_RAW}),
            ("tee", {"allow-not-linked": True}),
        )
        port.tee = port.audio[-1]
        port.out = self.chain(
            ("audiomixer", {"latency": LATENCY_NS}),
            # Fixed, as its inputs are: unset, the mixer settles on a format before any input
            # arrives, and then refuses inputs that differ.
            ("capsfilter", {"caps": AUDIO_RAW}),
            ("audioconvert", {}),
            ("opusenc", {"bitrate": 64000, "frame-size": 20}),
            ("rtpopuspay", {"pt": 111, "ssrc": AUDIO_SSRC_BASE + pid}),
        )
        port.mixer = port.out[0]
        port.funnel_pad = self.pipeline.get_by_name("out").request_pad_simple("sink_%u")
        port.out[-1].get_static_pad("src").link(port.funnel_pad)
        # Every other port's voice into this port's mix, and this port's into theirs.
        for other in self.ports.values():
            self.branch(other, port)
            self.branch(port, other)
        self.ports[pid] = port
        for element in port.out + port.audio + port.video:
            element.sync_state_with_parent()
        for other in self.ports.values():
            for queue in (b[1] for b in other.branches.values()):
                queue.sync_state_with_parent()
        return {
            "videoPort": video_sock.get_local_address().get_port(),
            "audioPort": audio_sock.get_local_address().get_port(),
        }

    def branch(self, speaker, listener):
        """The speaker's voice into the listener's mix: tee pad, queue, mixer pad."""
        queue = Gst.ElementFactory.make("queue", None)
        queue.set_property("max-size-time", 200 * Gst.MSECOND)
        queue.set_property("leaky", 2)
        self.pipeline.add(queue)
        tee_pad = speaker.tee.request_pad_simple("src_%u")
        mixer_pad = listener.mixer.request_pad_simple("sink_%u")
        tee_pad.link(queue.get_static_pad("sink"))
        queue.get_static_pad("src").link(mixer_pad)
        speaker.branches[listener.pid] = (tee_pad, queue, mixer_pad)

    # -- taking apart -----------------------------------------------------------------------

    def unbranch(self, speaker, listener_pid):
        tee_pad, queue, mixer_pad = speaker.branches.pop(listener_pid)
        # In this order nothing streams into an unlinked pad: the tee stops feeding the queue,
        # the queue's thread stops, and only then is it taken from the mixer.
        tee_pad.unlink(queue.get_static_pad("sink"))
        speaker.tee.release_request_pad(tee_pad)
        queue.set_state(Gst.State.NULL)
        queue.get_static_pad("src").unlink(mixer_pad)
        mixer_pad.get_parent_element().release_request_pad(mixer_pad)
        self.pipeline.remove(queue)

    def remove_port(self, pid):
        port = self.ports.pop(pid, None)
        if port is None:
            return
        for listener_pid in list(port.branches):
            self.unbranch(port, listener_pid)
        for other in self.ports.values():
            if pid in other.branches:
                self.unbranch(other, pid)
        for elements, pad, owner in (
            (port.video, port.mix_pad, "mix"),
            (port.out, port.funnel_pad, "out"),
            (port.audio, None, None),
        ):
            for element in elements:
                element.set_state(Gst.State.NULL)
            if pad is not None:
                elements[-1].get_static_pad("src").unlink(pad)
                self.pipeline.get_by_name(owner).release_request_pad(pad)
            for element in elements:
                self.pipeline.remove(element)
        self.check_layout()

    # -- the grid -----------------------------------------------------------------------------

    def on_frame(self, pad, info, port):
        port.last_frame_us = GLib.get_monotonic_time()
        return Gst.PadProbeReturn.OK

    def on_upstream_event(self, pad, info, pid):
        if GstVideo.video_event_is_force_key_unit(info.get_event()):
            emit(event="keyframe-request", port=pid)
        return Gst.PadProbeReturn.OK

    def check_layout(self):
        now = GLib.get_monotonic_time()
        shown = [pid for pid, port in sorted(self.ports.items()) if now - port.last_frame_us < INPUT_TIMEOUT_US]
        if shown != self.shown:
            self.shown = shown
            cells = dict(zip(shown, grid(len(shown), *self.size))) if shown else {}
            for pid, port in self.ports.items():
                cell = cells.get(pid)
                if cell is None:
                    port.mix_pad.set_property("alpha", 0.0)
                    continue
                x, y, w, h = cell
                for key, value in (("xpos", x), ("ypos", y), ("width", w), ("height", h), ("alpha", 1.0)):
                    port.mix_pad.set_property(key, value)
            emit(event="layout", ports=shown)
        return True

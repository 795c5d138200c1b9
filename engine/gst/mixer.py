"""The mixing hubs' mixer (engine/elements/hubs/mixing-hub.ts owns it): one process per hub.

Each port sends VP8 and Opus RTP into its own pair of UDP sockets. The video of the ports
whose pictures are arriving is laid out by the hub's layout:
- "grid" (Composite): a grid of ceil(sqrt(n)) columns, in the order the ports were made,
  each picture stretched to its cell, on black, as KMS lays it out;
- "alpha" (AlphaBlending): the master port's picture fills the canvas, which takes its size;
  a port given properties sits at its fractions of the canvas, in its z-order, and any other
  port fills the canvas at z-order 1, blended over black at 15 fps (kmsalphablending.c);
- "none" (Mixer): no video here; the hub routes it as it is.
One VP8 stream of the picture goes back for every port. Each port also gets its own Opus mix:
with audio "others", of every other port's audio (never its own voice back); with audio
"routed", of the ports connect-audio names as its sources.

Everything goes back over one TCP connection, told apart by SSRC: the video is VIDEO_SSRC,
port N's audio is AUDIO_SSRC_BASE + N.

Commands: add-port (answers with the port's UDP ports), remove-port, keyframe, master and
port-properties (alpha), connect-audio and disconnect-audio (routed). Each may be sent again
with the same effect: a restarted mixer is brought back to its hub's state by replaying them.
Events: keyframe-request with the port whose decoder needs one.
"""

import math

from gi.repository import Gio, GLib, Gst, GstVideo

from plumbing import VP8ENC, VP8PAY, Helper, emit

VIDEO_SSRC = 1
AUDIO_SSRC_BASE = 1000
# An input with no new frame for this long leaves the picture; it comes back with its next frame.
# Two seconds, not one: a busy sender (a browser short of CPU) may pause that long.
INPUT_TIMEOUT_US = 2_000_000
LAYOUT_CHECK_MS = 250
# How long the mixers wait for a late input before mixing without it.
LATENCY_NS = 100 * Gst.MSECOND
# AlphaBlending's canvas until its master's size is known, and its rate (kmsalphablending.c).
ALPHA_DEFAULT_SIZE = (640, 480)
ALPHA_FRAMERATE = 15
ALPHA_MASTER_Z = 5
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


def alpha_place(port, master, master_z, width, height):
    """Where AlphaBlending draws a port: (x, y, w, h, z-order) on a width x height canvas.

    Its z-orders are one above KMS's, so that every picture is above the black background.
    """
    if port.pid == master:
        return (0, 0, width, height, master_z + 1)
    if port.placement is None:
        return (0, 0, width, height, 2)
    x, y, w, h, z = port.placement
    return (round(x * width), round(y * height), max(1, round(w * width)), max(1, round(h * height)), z + 1)


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
        # AlphaBlending: (x, y, w, h, z) as fractions of the canvas, once set; the input's size.
        self.placement = None
        self.size = None


class Mixer(Helper):
    def __init__(self, config):
        super().__init__(config)
        self.layout = config.get("layout", "grid")
        self.routed_audio = config.get("audio", "others") == "routed"
        if self.layout == "alpha":
            self.size, self.fps = ALPHA_DEFAULT_SIZE, ALPHA_FRAMERATE
        else:
            self.size, self.fps = (config.get("width", 0), config.get("height", 0)), config.get("framerate", 15)
        # AlphaBlending's master is its first port until set (KMS's port 0).
        self.master, self.master_z = 1, ALPHA_MASTER_Z
        self.ports = {}
        self.shown = None
        # One connection back for every stream; the engine tells them apart by SSRC.
        out = f"funnel name=out ! rtpstreampay ! tcpclientsink host=127.0.0.1 port={config['outPort']} sync=false async=false"
        if self.layout == "none":
            self.pipeline = Gst.parse_launch(out)
            return
        raw = self.canvas_caps()
        self.pipeline = Gst.parse_launch(
            f"compositor name=mix background=black latency={LATENCY_NS} start-time-selection=first ! "
            f"capsfilter name=canvas caps={raw} ! "
            "videoconvert ! " + VP8ENC.format(bitrate=1500000) + f" ! {VP8PAY} ssrc={VIDEO_SSRC} ! out. "
            # Black while no picture arrives, so the stream never stops (as KMS does).
            f"videotestsrc is-live=true pattern=black ! capsfilter name=background caps={raw} ! mix. " + out
        )
        self.pipeline.get_by_name("background").get_static_pad("src").get_peer().set_property("zorder", 0)
        GLib.timeout_add(LAYOUT_CHECK_MS, self.check_layout)

    def canvas_caps(self):
        width, height = self.size
        # I420 as the encoder takes it: left open, the compositor picks a 64-bit RGB format
        # and spends twice the CPU converting to it and back.
        return f"video/x-raw,format=I420,width={width},height={height},framerate={self.fps}/1"

    def command(self, command):
        name = command.get("cmd")
        if name == "add-port":
            return self.add_port(int(command["port"]))
        if name == "remove-port":
            self.remove_port(int(command["port"]))
            return None
        if name == "master":
            self.master, self.master_z = int(command["port"]), max(0, int(command["zOrder"]))
            master = self.ports.get(self.master)
            if master is not None and master.size is not None:
                self.resize(master.size)
            self.relayout()
            return None
        if name == "port-properties":
            port = self.ports[int(command["port"])]
            port.placement = tuple(float(command[k]) for k in ("x", "y", "width", "height")) + (
                max(0, int(command["zOrder"])),
            )
            self.relayout()
            return None
        if name in ("connect-audio", "disconnect-audio"):
            speaker, listener = self.ports[int(command["source"])], self.ports[int(command["sink"])]
            if name == "disconnect-audio" and listener.pid in speaker.branches:
                self.unbranch(speaker, listener.pid)
            if name == "connect-audio" and listener.pid not in speaker.branches:
                self.branch(speaker, listener)
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
        if pid in self.ports:
            port = self.ports[pid]
            return {"videoPort": port.video_port, "audioPort": port.audio_port}
        port = Port(pid)
        audio_sock = self.bound_socket()
        port.audio_port = audio_sock.get_local_address().get_port()
        port.video_port = 0  # the hub routes video itself
        if self.layout != "none":
            video_sock = self.bound_socket()
            port.video_port = video_sock.get_local_address().get_port()
            self.add_video(port, video_sock)
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
        # This port's mix runs before any voice is branched into it.
        self.start_chain(port.out)
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
        # Every other port's voice into this port's mix, and this port's into theirs, unless
        # the hub routes audio itself.
        if not self.routed_audio:
            for other in self.ports.values():
                self.branch(other, port)
                self.branch(port, other)
        self.ports[pid] = port
        self.start_chain(port.audio)
        self.start_chain(port.video)
        return {"videoPort": port.video_port, "audioPort": port.audio_port}

    @staticmethod
    def start_chain(elements):
        """Brings a linked chain to the pipeline's state, last element first.

        An element that pushes into one not yet started gets FLUSHING back, and a source or
        mixer that gets FLUSHING stops streaming for good: a voice or a mix would fall silent.
        """
        for element in reversed(elements):
            element.sync_state_with_parent()

    def add_video(self, port, sock):
        port.video = self.chain(
            ("udpsrc", {"socket": sock, "caps": VIDEO_CAPS}),
            ("rtpjitterbuffer", {"latency": 200}),
            ("rtpvp8depay", {"wait-for-keyframe": True, "request-keyframe": True}),
            ("vp8dec", {}),
            ("videoconvert", {}),
            ("queue", {"max-size-buffers": 2, "leaky": 2}),
        )
        depay = port.video[2]
        depay.get_static_pad("sink").add_probe(Gst.PadProbeType.EVENT_UPSTREAM, self.on_upstream_event, port.pid)
        # Frames are counted before the queue: the compositor holds back what it takes in.
        queue_sink = port.video[-1].get_static_pad("sink")
        queue_sink.add_probe(Gst.PadProbeType.BUFFER, self.on_frame, port)
        queue_sink.add_probe(Gst.PadProbeType.EVENT_DOWNSTREAM, self.on_caps, port)
        port.video[-1].get_static_pad("src").add_probe(Gst.PadProbeType.BUFFER, self.restamp)
        port.mix_pad = self.pipeline.get_by_name("mix").request_pad_simple("sink_%u")
        port.mix_pad.set_property("alpha", 0.0)
        port.video[-1].get_static_pad("src").link(port.mix_pad)

    def branch(self, speaker, listener):
        """The speaker's voice into the listener's mix: tee pad, queue, mixer pad.

        The queue runs before the tee feeds it: the tee gives any push that fails with
        FLUSHING back to the speaker's source, which then stops, and the speaker would be
        silent in every mix (a third port joining a call silenced the first two this way).
        """
        queue = Gst.ElementFactory.make("queue", None)
        queue.set_property("max-size-time", 200 * Gst.MSECOND)
        queue.set_property("leaky", 2)
        self.pipeline.add(queue)
        mixer_pad = listener.mixer.request_pad_simple("sink_%u")
        queue.get_static_pad("src").link(mixer_pad)
        queue.sync_state_with_parent()
        tee_pad = speaker.tee.request_pad_simple("src_%u")
        tee_pad.link(queue.get_static_pad("sink"))
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
        if self.layout != "none":
            self.relayout()

    # -- the picture --------------------------------------------------------------------------

    def on_frame(self, pad, info, port):
        port.last_frame_us = GLib.get_monotonic_time()
        return Gst.PadProbeReturn.OK

    def restamp(self, pad, info):
        """Stamps a picture with the moment it reaches the compositor, which then shows it next.

        The jitter buffer's timestamps follow the sender's clock and the network: on a busy
        machine they ran up to a second ahead of the compositor, which held those pictures
        back, and an input that had just joined stayed black. A live mix shows each input's
        newest picture instead.
        """
        clock = self.pipeline.get_clock()
        if clock is not None:
            info.get_buffer().pts = clock.get_time() - self.pipeline.get_base_time()
        return Gst.PadProbeReturn.OK

    def on_caps(self, pad, info, port):
        event = info.get_event()
        if event.type == Gst.EventType.CAPS:
            structure = event.parse_caps().get_structure(0)
            found_w, width = structure.get_int("width")
            found_h, height = structure.get_int("height")
            if found_w and found_h:
                # Caps arrive on a streaming thread; the canvas changes on the main loop.
                GLib.idle_add(self.on_input_size, port, (width, height))
        return Gst.PadProbeReturn.OK

    def on_input_size(self, port, size):
        port.size = size
        if self.layout == "alpha" and port.pid == self.master and self.ports.get(port.pid) is port:
            self.resize(size)
            self.relayout()
        return False

    def resize(self, size):
        """AlphaBlending's canvas takes its master's size (the encoder follows the new caps)."""
        if size == self.size:
            return
        self.size = size
        caps = Gst.Caps.from_string(self.canvas_caps())
        for name in ("canvas", "background"):
            self.pipeline.get_by_name(name).set_property("caps", caps)

    def on_upstream_event(self, pad, info, pid):
        if GstVideo.video_event_is_force_key_unit(info.get_event()):
            emit(event="keyframe-request", port=pid)
        return Gst.PadProbeReturn.OK

    def relayout(self):
        self.shown = None
        self.check_layout()

    def check_layout(self):
        if self.layout == "none":
            return False
        now = GLib.get_monotonic_time()
        shown = [pid for pid, port in sorted(self.ports.items()) if now - port.last_frame_us < INPUT_TIMEOUT_US]
        if shown == self.shown:
            return True
        self.shown = shown
        width, height = self.size
        if self.layout == "grid":
            places = {pid: cell + (1,) for pid, cell in zip(shown, grid(len(shown), width, height))} if shown else {}
        else:
            places = {pid: alpha_place(self.ports[pid], self.master, self.master_z, width, height) for pid in shown}
        for pid, port in self.ports.items():
            place = places.get(pid)
            if place is None:
                port.mix_pad.set_property("alpha", 0.0)
                continue
            x, y, w, h, z = place
            for key, value in (("xpos", x), ("ypos", y), ("width", w), ("height", h), ("zorder", z), ("alpha", 1.0)):
                port.mix_pad.set_property(key, value)
        return True

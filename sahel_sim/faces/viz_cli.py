"""The teaching demo's commands.

``sahel-sim-viz [--port PORT] [--host HOST] [--open]`` serves the browser app (:mod:`sahel_sim.faces.app`) with
Solara, on http://localhost:8765/ by default, and prints the address (``--port 0`` picks a free port).

``sahel-sim-animate [OVERRIDES ...] [--seed N] [--every K] [--out PATH] [--fps F] [--no-mp4]`` runs a world (the
same Hydra overrides as ``sahel-sim``, e.g. ``+preset=no_rivalry`` or ``mechanisms.rivalry.strength=2``) and writes
its map every K weeks as a GIF, with the date on every frame, and as an MP4 beside it where imageio-ffmpeg is
installed. Bad input stops with one line naming the field and exit code 2, as with ``sahel-sim``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..core.params import ConfigError

EXIT_BAD_INPUT = 2
DEFAULT_PORT = 8765


# --- sahel-sim-viz ----------------------------------------------------------------------------------------------
def free_port(host: str = "localhost") -> int:
    """A TCP port free on ``host`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def app_path() -> Path:
    return Path(__file__).resolve().with_name("app.py")


def solara_command(port: int, host: str, open_browser: bool = False) -> list[str]:
    """The ``solara run`` command line serving the demo (production mode: no file watching, no calls home)."""
    return [sys.executable, "-m", "solara", "run", str(app_path()), "--host", host, "--port", str(port),
            "--production", "--no-check-version", "--open" if open_browser else "--no-open"]


def _offline_assets_present() -> bool:
    """Whether Solara's browser assets are installed locally (the solara-assets package), so the page needs no
    internet access."""
    return (Path(sys.prefix) / "share" / "solara" / "cdn" / "@widgetti").is_dir()


def serve_main(argv: list[str] | None = None) -> None:
    """Entry point of ``sahel-sim-viz``: print the address, then become the Solara server (Ctrl+C stops it)."""
    parser = argparse.ArgumentParser(prog="sahel-sim-viz", description="Serve the sahel_sim teaching demo "
                                     "(a Mesa SolaraViz app) in the browser.")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"TCP port (default {DEFAULT_PORT}; 0 picks a free one)")
    parser.add_argument("--host", default="localhost",
                        help="interface to listen on (default localhost: only this computer; 0.0.0.0 serves the "
                        "whole network)")
    parser.add_argument("--open", action="store_true", help="also open the page in the default browser")
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error(f"--port {args.port}: allowed 0 .. 65535")
    port = args.port or free_port(args.host)
    shown = "localhost" if args.host in ("localhost", "127.0.0.1", "::1") else args.host
    print(f"sahel-sim-viz: the teaching demo is at http://{shown}:{port}/ (Ctrl+C stops it)", flush=True)
    if not _offline_assets_present():
        print("sahel-sim-viz: note: the solara-assets package is missing, so the page fetches Solara's scripts from "
              "the internet; install the demo with: pip install -e '.[viz]'", file=sys.stderr, flush=True)
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false"}
    command = solara_command(port, args.host, args.open)
    os.execve(command[0], command, env)


# --- sahel-sim-animate --------------------------------------------------------------------------------------------
@dataclass
class Animation:
    """What :func:`animate` wrote: the GIF, the MP4 (or None), and the date of every frame."""

    gif: Path
    mp4: Path | None
    dates: list[dt.date] = field(default_factory=list)
    size: tuple[int, int] = (0, 0)  # (width, height) in pixels


def frame_weeks(n_steps: int, every: int) -> list[int]:
    """The weeks drawn: every ``every``-th from the first, and the last."""
    weeks = list(range(0, n_steps, every))
    if weeks[-1] != n_steps - 1:
        weeks.append(n_steps - 1)
    return weeks


def default_out(scenario: str, seed: int, overrides: list[str]) -> Path:
    preset = next((o.split("=", 1)[1] for o in overrides if o.startswith("+preset=")), scenario)
    return Path("outputs") / "animations" / f"{preset}_seed{seed}.gif"


def animate(overrides: list[str] | None = None, seed: int | None = None, every: int = 4,
            out: str | Path | None = None, fps: float = 6.0, mp4: bool | None = None, dpi: int = 80,
            progress=None) -> Animation:
    """Run the world of ``overrides`` and write its map every ``every`` weeks as a GIF (and an MP4).

    ``mp4=None`` writes the MP4 where imageio-ffmpeg is installed; frames are ``8 x 8`` inches at ``dpi`` (640 x 640
    pixels by default: a multiple of 16, as video encoders want).
    """
    import imageio.v3 as iio

    from ..core.model import SahelModel
    from .api import load_config
    from .demo import map_figure, rgb_array

    if every < 1:
        raise ConfigError("--every", f"{every} weeks; allowed: an integer >= 1")
    if fps <= 0:
        raise ConfigError("--fps", f"{fps}; allowed: a number > 0")
    overrides = list(overrides or [])
    model = SahelModel(load_config(overrides, seed=seed))
    model.preset = next((o.split("=", 1)[1] for o in overrides if o.startswith("+preset=")), "")
    gif = Path(out) if out is not None else default_out(model.config.scenario.name, model.config.seed, overrides)
    gif.parent.mkdir(parents=True, exist_ok=True)
    want_mp4 = importlib.util.find_spec("imageio_ffmpeg") is not None if mp4 is None else mp4
    mp4_path = gif.with_suffix(".mp4") if want_mp4 else None
    weeks = set(frame_weeks(model.calendar.n_steps, every))
    result = Animation(gif, mp4_path)
    tmp_gif = gif.with_name(f".{gif.name}.tmp")
    tmp_mp4 = mp4_path.with_name(f".{mp4_path.stem}.tmp.mp4") if mp4_path else None
    writer = None
    try:
        with iio.imopen(tmp_gif, "w", extension=".gif") as gif_file:
            if tmp_mp4 is not None:
                import imageio.v2 as iio2

                writer = iio2.get_writer(tmp_mp4, format="FFMPEG", mode="I", fps=fps, codec="libx264",
                                         quality=8, macro_block_size=16, ffmpeg_log_level="error")
            while model.running:
                model.step()
                if model.week not in weeks:
                    continue
                frame = rgb_array(map_figure(model, dpi=dpi))
                gif_file.write(frame, bits=8, duration=round(1000 / fps), loop=0)
                if writer is not None:
                    writer.append_data(frame)
                result.dates.append(model.date)
                result.size = (frame.shape[1], frame.shape[0])
                if progress is not None:
                    progress(len(result.dates), len(weeks), model.date)
        if writer is not None:
            writer.close()
            writer = None
            os.replace(tmp_mp4, mp4_path)
        os.replace(tmp_gif, gif)
    finally:
        if writer is not None:
            writer.close()
        for tmp in (tmp_gif, tmp_mp4):
            if tmp is not None and tmp.exists():
                tmp.unlink()
    return result


def animate_main(argv: list[str] | None = None) -> None:
    """Entry point of ``sahel-sim-animate``."""
    parser = argparse.ArgumentParser(
        prog="sahel-sim-animate",
        description="Write the map of a sahel_sim run over time as a GIF (and an MP4 where imageio-ffmpeg is "
        "installed), with the date on every frame.",
        epilog="examples: sahel-sim-animate --every 2 | sahel-sim-animate +preset=no_rivalry --seed 3 "
        "--out no_rivalry.gif | sahel-sim-animate mechanisms.rivalry.strength=2 calendar.end=2015-12-28")
    parser.add_argument("overrides", nargs="*", help="Hydra overrides, as for sahel-sim (e.g. +preset=no_rivalry)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: the config's, 42)")
    parser.add_argument("--every", type=int, default=4, metavar="K", help="draw every K-th week (default 4)")
    parser.add_argument("--out", type=Path, default=None,
                        help="GIF path (default outputs/animations/<preset>_seed<seed>.gif); the MP4 goes beside it")
    parser.add_argument("--fps", type=float, default=6.0, help="frames per second (default 6)")
    parser.add_argument("--dpi", type=int, default=80, help="pixels per inch of the 8 x 8 inch frames (default 80)")
    parser.add_argument("--no-mp4", action="store_true", help="write only the GIF")
    args = parser.parse_intermixed_args(argv)  # overrides before and after the options, as sahel-sim takes them
    if any(o.startswith("-") for o in args.overrides):
        parser.error(f"unknown option {next(o for o in args.overrides if o.startswith('-'))}")

    def progress(i: int, n: int, date: dt.date) -> None:
        if sys.stderr.isatty():
            print(f"\rsahel-sim-animate: frame {i}/{n} ({date:%d %b %Y})", end="", file=sys.stderr, flush=True)

    try:
        result = animate(args.overrides, seed=args.seed, every=args.every, out=args.out, fps=args.fps,
                         mp4=False if args.no_mp4 else None, dpi=args.dpi, progress=progress)
    except ConfigError as exc:
        print(f"sahel-sim-animate: error: {exc}", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    first, last = result.dates[0], result.dates[-1]
    print(f"sahel-sim-animate: {len(result.dates)} frames, {first:%d %b %Y} .. {last:%d %b %Y}, "
          f"{result.size[0]}x{result.size[1]} px")
    print(f"  GIF: {result.gif}")
    if result.mp4 is not None:
        print(f"  MP4: {result.mp4}")
    else:
        print("  MP4: not written (install imageio-ffmpeg, e.g. pip install -e '.[viz]')")


if __name__ == "__main__":
    animate_main()

"""Charts as static PNG images: plotly through kaleido (Debian's chromium, offline), or matplotlib.

kaleido 1.x drives a local chromium; its sync server is started once per process with
``kaleido.start_sync_server(mathjax=False)`` (0.3 s per figure instead of 2 s, and no CDN reference for MathJax)
and stopped at exit.  When no browser is found, or when asked (``engine="matplotlib"`` or the environment
variable ``DEPS_REPORT_CHARTS=matplotlib``), matplotlib's Agg backend draws the same chart.  Both are offline.
"""

from __future__ import annotations

import atexit
import io
import logging
import os
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass

from deps.errors import DepsError
from deps.reports.model import ChartSpec

__all__ = ["CHART_ENGINES", "RenderedChart", "browser_available", "choose_engine", "render_charts"]

log = logging.getLogger(__name__)

CHART_ENGINES = ("auto", "kaleido", "matplotlib")
ENV_SWITCH = "DEPS_REPORT_CHARTS"
WIDTH_PX = 900
HEIGHT_PX = 420
_BAR_COLOUR = "#1f4e79"

#: Seconds one chart may take in kaleido before matplotlib draws it instead.  kaleido's sync server waits on its
#: task queue without a time limit, and a browser that hung under a busy machine once held a report (and a test
#: run) for over ten minutes; a chart normally takes 0.3 s, and starting the browser a few seconds.
KALEIDO_TIMEOUT_S = 60.0

_lock = threading.Lock()
_server_started = False
#: Set when a kaleido call did not return in time: the process draws its later charts with matplotlib and does not
#: wait for the stuck server at exit.
_server_stuck = False


@dataclass(frozen=True)
class RenderedChart:
    """A chart's PNG bytes and which engine drew it."""

    key: str
    title: str
    png: bytes
    engine: str


def browser_available() -> bool:
    """Whether kaleido can drive a chromium: ``BROWSER_PATH``, or one that choreographer or ``PATH`` finds."""
    try:
        import kaleido  # noqa: F401
    except ImportError:
        return False
    if os.environ.get("BROWSER_PATH"):
        return os.access(os.environ["BROWSER_PATH"], os.X_OK)
    try:
        from choreographer.browsers.chromium import Chromium

        if Chromium.find_browser(skip_local=False):
            return True
    except Exception:  # choreographer's finder changes between versions; fall back to PATH
        log.debug("choreographer could not look for a browser", exc_info=True)
    return any(shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome", "chrome"))


def choose_engine(engine: str = "auto") -> str:
    """The engine to use: ``engine``, else ``DEPS_REPORT_CHARTS``, else kaleido when a browser is present."""
    wanted = engine if engine != "auto" else os.environ.get(ENV_SWITCH, "auto").strip().lower() or "auto"
    if wanted not in CHART_ENGINES:
        raise DepsError(f"unknown chart engine {wanted!r}; use one of {', '.join(CHART_ENGINES)}")
    if wanted == "auto":
        return "kaleido" if browser_available() else "matplotlib"
    if wanted == "kaleido" and not browser_available():
        raise DepsError(
            "chart engine kaleido needs chromium (apt-get install chromium) or BROWSER_PATH; use --charts matplotlib"
        )
    return wanted


def _stop_server() -> None:
    global _server_started
    import kaleido

    with _lock:
        if _server_started and not _server_stuck:
            # the browser's pipe may close mid-message at interpreter exit; that is shutdown noise, not an error
            logging.getLogger("choreographer").setLevel(logging.CRITICAL)
            try:
                kaleido.stop_sync_server(silence_warnings=True)
            except Exception:  # stopping a browser that already went away
                log.debug("kaleido server did not stop cleanly", exc_info=True)
            _server_started = False


def _ensure_server() -> None:
    global _server_started
    import kaleido

    with _lock:
        if not _server_started:
            kaleido.start_sync_server(mathjax=False, silence_warnings=True)
            _server_started = True
            atexit.register(_stop_server)


def _kaleido_png(spec: ChartSpec) -> bytes:
    import kaleido
    import plotly.graph_objects as go

    figure = go.Figure()
    if spec.kind == "range":
        labels = list(spec.x)[::-1]  # the first label on top
        low, high = list(spec.low)[::-1], list(spec.y)[::-1]
        width = [h - lo for lo, h in zip(low, high, strict=True)]
        figure.add_bar(y=labels, x=width, base=low, orientation="h", marker={"color": _BAR_COLOUR})
        if spec.mark:
            figure.add_scatter(y=labels, x=list(spec.mark)[::-1], mode="markers", marker={"color": "black"})
        if spec.line is not None:
            figure.add_vline(x=spec.line, line_dash="dash", line_color="black", line_width=1.5, layer="above")
        figure.update_layout(xaxis_title=spec.y_label, yaxis_title=spec.x_label, showlegend=False)
        figure.update_yaxes(type="category", automargin=True)
    elif spec.kind == "line":
        figure.add_scatter(x=list(spec.x), y=list(spec.y), mode="lines+markers", line={"color": _BAR_COLOUR})
        figure.update_layout(xaxis_title=spec.x_label, yaxis_title=spec.y_label)
        figure.update_xaxes(type="linear")
    else:
        figure.add_bar(x=list(spec.x), y=list(spec.y), marker={"color": _BAR_COLOUR})
        figure.update_layout(xaxis_title=spec.x_label, yaxis_title=spec.y_label)
    figure.update_layout(
        title={"text": spec.title}, template="simple_white", margin={"l": 60, "r": 20, "t": 50, "b": 110}
    )
    _ensure_server()
    return _within_time_limit(
        lambda: bytes(kaleido.calc_fig_sync(figure, opts={"format": "png", "width": WIDTH_PX, "height": HEIGHT_PX}))
    )


def _within_time_limit(draw: Callable[[], bytes]) -> bytes:
    """``draw()`` on a daemon thread, waited for at most :data:`KALEIDO_TIMEOUT_S`; a call that does not return in
    time marks the server stuck and raises ``TimeoutError`` (the thread is left behind: it cannot be stopped)."""
    global _server_stuck
    drawn: list[bytes] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            drawn.append(draw())
        except BaseException as exc:  # handed to the caller's thread below
            failed.append(exc)

    worker = threading.Thread(target=run, name="deps-kaleido-chart", daemon=True)
    worker.start()
    worker.join(KALEIDO_TIMEOUT_S)
    if worker.is_alive():
        _server_stuck = True
        raise TimeoutError(f"kaleido drew no chart within {KALEIDO_TIMEOUT_S:g} s")
    if failed:
        raise failed[0]
    return drawn[0]


def _matplotlib_png(spec: ChartSpec) -> bytes:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_PX / 100, HEIGHT_PX / 100), dpi=100)
    axes = figure.add_subplot()
    positions = list(range(len(spec.x)))
    if spec.kind == "range":
        rows = positions[::-1]  # the first label on top
        widths = [h - lo for lo, h in zip(spec.low, spec.y, strict=True)]
        axes.barh(rows, widths, left=list(spec.low), color=_BAR_COLOUR)
        if spec.mark:
            axes.plot(list(spec.mark), rows, "o", color="black")
        if spec.line is not None:
            axes.axvline(spec.line, linestyle="--", color="grey")
        axes.set_yticks(rows, [str(v) for v in spec.x], fontsize=8)
        axes.set_xlabel(spec.y_label)
        axes.set_ylabel(spec.x_label)
    elif spec.kind == "line":
        axes.plot([float(v) for v in spec.x], list(spec.y), marker="o", color=_BAR_COLOUR)
        axes.set_xlabel(spec.x_label)
        axes.set_ylabel(spec.y_label)
    else:
        axes.bar(positions, list(spec.y), color=_BAR_COLOUR)
        axes.set_xticks(positions, [str(v) for v in spec.x], rotation=45, ha="right", fontsize=8)
        axes.set_xlabel(spec.x_label)
        axes.set_ylabel(spec.y_label)
    axes.set_title(spec.title)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def render_charts(specs: tuple[ChartSpec, ...] | list[ChartSpec], *, engine: str = "auto") -> list[RenderedChart]:
    """Draw every chart as PNG with the chosen engine (see :func:`choose_engine`).

    A kaleido failure (a browser that will not start) falls back to matplotlib for that chart, with a warning in
    the log, so that a report is never lost for a chart; a kaleido call that does not return within
    :data:`KALEIDO_TIMEOUT_S` falls back the same way, and the process then draws every later chart with
    matplotlib.
    """
    if not specs:
        return []
    chosen = choose_engine(engine)
    out: list[RenderedChart] = []
    for spec in specs:
        if chosen == "kaleido" and not _server_stuck:
            try:
                out.append(RenderedChart(spec.key, spec.title, _kaleido_png(spec), "kaleido"))
                continue
            except Exception as exc:  # a browser that fails to start must not lose the report
                log.warning("kaleido could not draw chart %s (%s); using matplotlib", spec.key, exc)
        out.append(RenderedChart(spec.key, spec.title, _matplotlib_png(spec), "matplotlib"))
    return out

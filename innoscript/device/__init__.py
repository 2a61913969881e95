"""The reference interpreter: a virtual innovaphone device (docs/interpreter.md).

Stable API::

    from innoscript.device import make_state, run_poll, run_until_converged, FolderFetcher

    state = make_state("IP1200", firmware="08-12345", update_url="http://10.0.0.5/", vars={"PROT": "08-12345"})
    result = run_poll(state, FolderFetcher("www"))            # one poll
    result.state, result.events, result.summary
    run = run_until_converged(state, FolderFetcher("www"))   # polls until nothing changes
    run.converged, run.loop, run.polls
    run = dry_run(state, HttpFetcher(), polls=3)              # a device's next three polls
    report.run_data(run)                                      # as `innoscript run --json` shows them

``trace=False`` on either call skips building events (the fleet simulation's
fast path); the ``PollSummary`` is always there.
"""

from __future__ import annotations

from . import events
from .converge import (
    DAY_MINUTES,
    DEFAULT_MAX_POLLS,
    Failing,
    Loop,
    PollRecord,
    RunResult,
    advance,
    dry_run,
    poll_interval,
    run_until_converged,
)
from .expand import default_name, expand_meta, update_url
from .fetch import FailingFetcher, Fetcher, FolderFetcher, HttpFetcher, MemoryFetcher, Response
from .interpreter import DownloadInfo, PollResult, PollSummary, RestartInfo, UploadInfo, power_cut, run_poll
from .setup import device_from
from .options import DEFAULT_OPTIONS, InterpreterOptions, OptionError, option_infos, options_from
from .state import DeviceError, DeviceState, make_state

__all__ = [
    "DAY_MINUTES",
    "DEFAULT_MAX_POLLS",
    "DEFAULT_OPTIONS",
    "DeviceError",
    "DeviceState",
    "DownloadInfo",
    "FailingFetcher",
    "Failing",
    "Fetcher",
    "FolderFetcher",
    "HttpFetcher",
    "InterpreterOptions",
    "Loop",
    "MemoryFetcher",
    "OptionError",
    "PollRecord",
    "PollResult",
    "PollSummary",
    "Response",
    "RestartInfo",
    "RunResult",
    "UploadInfo",
    "advance",
    "default_name",
    "device_from",
    "dry_run",
    "events",
    "expand_meta",
    "make_state",
    "option_infos",
    "options_from",
    "poll_interval",
    "power_cut",
    "run_poll",
    "run_until_converged",
    "update_url",
]

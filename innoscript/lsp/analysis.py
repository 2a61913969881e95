"""Open documents and the work done on them off the message loop.

The message loop only keeps each document's text (``TextBuffer``): an edit
costs the lines it touches.  Parsing and linting run on worker threads, one
job per document at a time, so a huge document never holds up the answers to
other requests.  Every edit raises the document's *generation*; a job works
for one generation and checks it between steps (every few thousand lines),
so an edit that arrives while a document is being linted abandons the stale
work instead of queueing behind it.

A job publishes two snapshots: the parse (enough for hover, completion,
outline, formatting), then the lint.  Snapshots are never changed once made,
so the loop reads them while workers build the next ones.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from typing import Any, Callable

from ..lint.engine import IncrementalLinter
from .buffer import TextBuffer
from .document import Document
from .encode import DiagnosticEncoder
from .positions import Mapper


class Stale(Exception):
    """A newer edit (or a close) made this work useless."""


class Snapshot:
    """One generation of a document: its text, tree and (once linted) findings."""

    __slots__ = ("generation", "version", "text", "source", "script", "bom", "encoding", "diagnostics",
                 "settings", "items", "problem")

    def __init__(self, job: "Job", tree: Document) -> None:
        self.generation = job.generation
        self.version = job.version
        self.text = job.text
        self.source = tree.source
        self.script = tree.script
        self.bom = job.text.startswith("\ufeff")
        self.encoding = job.encoding
        self.diagnostics: list | None = None  # of lint Diagnostic; None until linted
        self.settings = None
        self.items: list[str] = []  # the diagnostics as JSON text
        self.problem: str | None = None  # a configuration problem to show once

    def linted(self, diagnostics: list, settings, items: list[str], problem: str | None) -> "Snapshot":
        copy = object.__new__(Snapshot)
        for name in Snapshot.__slots__:
            setattr(copy, name, getattr(self, name))
        copy.diagnostics, copy.settings, copy.items, copy.problem = diagnostics, settings, items, problem
        return copy

    def mapper(self) -> Mapper:
        # The parsed lines have the text and line ending of each line at hand;
        # the source's lines would be cut out of the text on each look-up.
        lines = self.script.shapes if len(self.script.shapes) == len(self.source.lines) else self.source.lines
        return Mapper(lines, self.bom, self.encoding)


class Job:
    """The parse and lint of one generation; its futures resolve to a Snapshot, or None when stale."""

    __slots__ = ("generation", "version", "text", "encoding", "parsed", "linted", "done")

    def __init__(self, doc: "OpenDocument", encoding: str, loop: asyncio.AbstractEventLoop) -> None:
        self.generation = doc.generation
        self.version = doc.version
        self.text = doc.buffer.text
        self.encoding = encoding
        self.parsed: asyncio.Future = loop.create_future()
        self.linted: asyncio.Future = loop.create_future()
        self.done: asyncio.Future = loop.create_future()

    def settle(self, future: asyncio.Future, value: Any) -> None:
        if not future.done():
            future.set_result(value)


class OpenDocument:
    """An open document: the editor's text (loop side) and the worker's incremental state."""

    def __init__(self, uri: str, path: str, text: str, version: int | None) -> None:
        self.uri = uri
        self.path = path
        self.version = version
        self.buffer = TextBuffer(text)
        self.generation = 0
        self.closed = False
        self.parsed: Snapshot | None = None  # the latest parse
        self.linted: Snapshot | None = None  # the latest lint
        self.job: Job | None = None
        # Used by one worker job at a time (jobs of a document run one after another).
        self.tree: Document | None = None
        self.encoder = DiagnosticEncoder()
        self.linter = IncrementalLinter()  # line rules' findings per line text, reused across edits

    def edited(self) -> None:
        self.generation += 1

    def current(self, snapshot: Snapshot | None) -> bool:
        return snapshot is not None and snapshot.generation == self.generation


def parse_job(doc: OpenDocument, job: Job) -> Snapshot:
    """Worker side: the tree of the job's text (incremental after the first)."""
    check = stale_check(doc, job)
    if doc.tree is None:
        doc.tree = Document(doc.uri, doc.path, "")
    doc.tree.update(job.text, job.version, check)
    check()
    return Snapshot(job, doc.tree)


def stale_check(doc: OpenDocument, job: Job) -> Callable[[], None]:
    def check() -> None:
        if doc.generation != job.generation or doc.closed:
            raise Stale()

    return check


class DaemonPool:
    """A few worker threads that never keep the process alive.

    An editor that closes the server while a long lint runs must see it exit
    at once; a ``ThreadPoolExecutor`` joins its threads at exit.
    """

    def __init__(self, workers: int) -> None:
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        for number in range(workers):
            threading.Thread(target=self._work, name=f"innolint-worker-{number}", daemon=True).start()

    def _work(self) -> None:
        while True:
            fn, args, future, loop = self._queue.get()
            try:
                result, error = fn(*args), None
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting coroutine
                result, error = None, exc
            try:
                loop.call_soon_threadsafe(_resolve, future, result, error)
            except RuntimeError:  # the loop is closed: nobody waits any more
                pass

    async def run(self, fn: Callable, *args: Any) -> Any:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._queue.put((fn, args, future, loop))
        return await future


def _resolve(future: asyncio.Future, result: Any, error: BaseException | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)

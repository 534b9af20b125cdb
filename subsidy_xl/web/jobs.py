"""Long work off the request thread: each action runs as a job the page polls for its progress.

A job's failure becomes the Chinese text the CLI and the ribbon show (``describe_error``), prefixed as the
ribbon's message box is (``全部刷新未完成：…``); no traceback reaches the page or a log.
"""
from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable

from ..errors import UserError, describe_error, internal_error_text, is_user_error
from ..idcard import redact

RUNNING, DONE, FAILED = "running", "done", "failed"


class Busy(UserError):
    """Another change to the same workbook is still running."""


@dataclass
class Job:
    id: str
    title: str
    book: str | None
    started: float = field(default_factory=time.monotonic)
    state: str = RUNNING
    messages: list[str] = field(default_factory=list)
    result: dict | None = None
    error: str | None = None
    elapsed: float = 0.0

    def as_dict(self) -> dict:
        elapsed = self.elapsed if self.state != RUNNING else time.monotonic() - self.started
        return {"id": self.id, "title": self.title, "book": self.book, "state": self.state,
                "message": self.messages[-1] if self.messages else "开始…", "messages": self.messages[-20:],
                "elapsed": round(elapsed, 1), "result": self.result, "error": self.error}


class Jobs:
    def __init__(self, keep: int = 50) -> None:
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._busy: dict[str, str] = {}  # lock key (a workbook path) -> job id
        self._lock = threading.Lock()
        self._keep = keep

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def start(self, title: str, work: Callable[[Callable[[str], None]], dict], book: str | None = None,
              lock_key: str | None = None) -> Job:
        """Run ``work(progress)`` on a thread; ``lock_key``: one changing job per workbook at a time."""
        job = Job(secrets.token_hex(8), title, book)
        with self._lock:
            if lock_key is not None:
                running = self._busy.get(lock_key)
                if running is not None:
                    other = self._jobs[running]
                    raise Busy(f"“{book}”正在{other.title}，请等它完成后再操作")
                self._busy[lock_key] = job.id
            self._jobs[job.id] = job
            while len(self._jobs) > self._keep:
                oldest = next(iter(self._jobs))
                if self._jobs[oldest].state == RUNNING:
                    break
                del self._jobs[oldest]
        threading.Thread(target=self._run, args=(job, work, lock_key), daemon=True, name=f"job-{job.id}").start()
        return job

    def _run(self, job: Job, work, lock_key: str | None) -> None:
        try:
            job.result = work(job.messages.append)
            job.state = DONE
        except Exception as e:  # the page shows it; a traceback is no use to the staff
            text = describe_error(e) if is_user_error(e) else internal_error_text(e)
            job.error = redact(f"{job.title}未完成：{text}")  # an internal error's detail may quote a cell
            job.state = FAILED
        finally:
            job.elapsed = time.monotonic() - job.started
            if lock_key is not None:
                with self._lock:
                    self._busy.pop(lock_key, None)

    def wait(self, job_id: str, timeout: float = 600.0) -> Job:
        """For tests and scripts: the job once it has finished (or as it is after ``timeout``)."""
        deadline = time.monotonic() + timeout
        job = self.get(job_id)
        while job is not None and job.state == RUNNING and time.monotonic() < deadline:
            time.sleep(0.02)
        return job

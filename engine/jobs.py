"""Background jobs: one worker thread runs training jobs off the request thread.

Progress, cancellation and outcome live in the database (storage.jobs), so the UI can show them
after a page reload and a restart can tell what was left half done. A job's work is a `JobKind`:
a function of a `JobContext` that reports progress, checks for cancellation now and then, writes
checkpoints under `ctx.checkpoint_dir` and, when `ctx.resume_from` is set, continues from there.

Typical use (the Engine owns the runner; nothing starts at import):

    runner = JobRunner(lambda: connect(settings.db_path), settings.data_dir, [JobKind(...)])
    runner.start()                      # recovers jobs a dead process left, starts the worker
    job = runner.submit("train_text", seller["id"], "model:3", {"steps": 200})
    ...
    runner.stop()

One runner per database: recover() treats every 'running' job as abandoned.
"""

import json
import logging
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from sqlite_utils import Database

from storage import jobs as job_store

log = logging.getLogger(__name__)

POLL_S = 0.5


class JobCancelled(Exception):
    """Raised inside a run by `JobContext.check_cancelled()` when its owner cancelled the job."""


class RunnerStopping(JobCancelled):
    """Raised inside a run by `check_cancelled()` when the app is shutting down; the runner then
    requeues the job (resumable with a checkpoint) or fails it, as after a restart."""


@dataclass
class JobContext:
    """What a running job sees: its row, its payload, a folder for checkpoints and the means to
    report progress and notice cancellation."""

    job: dict
    payload: dict
    checkpoint_dir: Path
    db: Database = field(repr=False)
    stopping: threading.Event = field(default_factory=threading.Event, repr=False)
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    _t0: float = field(init=False, repr=False, default=0.0)
    _step0: int = field(init=False, repr=False, default=0)

    def __post_init__(self):
        self.checkpoint_dir = Path(self.checkpoint_dir)
        self.checkpoint_dir.mkdir(parents=True, exist_ok=True)
        self._t0 = self.clock()
        self._step0 = int(self.job["step"]) if self.resume_from else 0

    @property
    def resume_from(self) -> Path | None:
        """The checkpoint recorded before a restart (when it is still on disk), or None."""
        path = self.job.get("checkpoint_path")
        return Path(path) if path and Path(path).exists() else None

    def report(self, step: int, total: int, loss: float | None = None, message: str = "",
               preview_path: str | Path | None = None,
               checkpoint_path: str | Path | None = None) -> None:
        """Record progress: step of total, the current loss, a message for the UI, the newest
        preview and checkpoint (absolute paths, e.g. under checkpoint_dir). The ETA comes from the
        rate of steps since this attempt started."""
        now = self.clock()
        if step < self._step0:  # the run started over instead of resuming
            self._t0, self._step0 = now, step
        done, elapsed = step - self._step0, now - self._t0
        eta_s = (max(total - step, 0) * elapsed / done) if done > 0 and elapsed > 0 else None
        job_store.report(self.db, self.job["id"], step, total, loss=loss, eta_s=eta_s,
                         message=message, preview_path=preview_path,
                         checkpoint_path=checkpoint_path)

    def check_cancelled(self) -> None:
        """Raise JobCancelled when the job was cancelled (RunnerStopping when the app is shutting
        down). Call it between steps; whatever it raises should be left to propagate."""
        if job_store.is_cancel_requested(self.db, self.job["id"]):
            raise JobCancelled(f"job {self.job['id']} was cancelled")
        if self.stopping.is_set():
            raise RunnerStopping(f"job {self.job['id']} stopped: the app is shutting down")


@dataclass(frozen=True)
class JobKind:
    """A kind of job: its name, the function that does the work (returning a result dict or
    None), whether it can resume from a checkpoint after a restart, and `on_end(db, job)`,
    called when a job ends without its run having settled it (cancelled while queued, or failed
    or cancelled after a restart), so the kind can tidy what it had marked as in progress."""

    name: str
    run: Callable[[JobContext], dict | None]
    resumable: bool = False
    on_end: Callable[[Database, dict], None] | None = None


class JobRunner:
    """Runs queued jobs of the given kinds, one at a time, in one daemon worker thread."""

    def __init__(self, db_factory: Callable[[], Database], data_dir: Path, kinds: list[JobKind],
                 poll_s: float = POLL_S):
        names = [kind.name for kind in kinds]
        if len(set(names)) != len(names):
            raise ValueError(f"job kinds must have distinct names, got {names}")
        self._db_factory = db_factory
        self.data_dir = Path(data_dir)
        self.kinds = {kind.name: kind for kind in kinds}
        self.poll_s = poll_s
        self._local = threading.local()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # --- connections --------------------------------------------------------------------------

    @property
    def db(self) -> Database:
        """This thread's connection (SQLite connections stay in the thread that opened them)."""
        if getattr(self._local, "db", None) is None:
            self._local.db = self._db_factory()
        return self._local.db

    def checkpoint_dir(self, job_id: int) -> Path:
        """Where a job keeps its checkpoints: <data_dir>/jobs/<job id>/."""
        return self.data_dir / "jobs" / str(job_id)

    # --- lifecycle ----------------------------------------------------------------------------

    def recover(self) -> list[dict]:
        """Settle the jobs a dead process left 'running': requeue the resumable ones whose
        checkpoint is on disk, fail the others with the reason. Returns the settled jobs."""
        return [self._set_aside(self.db, job, "restart") for job in job_store.interrupted(self.db)]

    def start(self) -> None:
        """Recover abandoned jobs, then start the worker thread (once; later calls do nothing
        while it runs)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stopping.clear()
        self.recover()
        self._thread = threading.Thread(target=self._work, name="signature-jobs", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10) -> bool:
        """Ask the worker to stop (a running job is stopped at its next check_cancelled() and
        requeued or failed as after a restart) and wait up to `timeout` seconds. Returns True when
        the worker has stopped."""
        self._stopping.set()
        self._wake.set()
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def running(self) -> bool:
        """True while the worker thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    # --- requests -----------------------------------------------------------------------------

    def submit(self, kind: str, owner_id: int | None, target: str = "",
               payload: dict | None = None) -> dict:
        """Queue a job and wake the worker. Returns the queued job."""
        if kind not in self.kinds:
            raise ValueError(f"unknown job kind {kind!r}; register it with the runner "
                             f"(known: {', '.join(sorted(self.kinds)) or 'none'})")
        job = job_store.create(self.db, kind, owner_id, target, payload or {})
        self._wake.set()
        return job

    def cancel(self, job_id: int) -> dict:
        """Cancel a job: a queued one at once, a running one at its next check_cancelled().
        Returns the job as it stands now."""
        job = job_store.request_cancel(self.db, job_id)
        if job is None:
            raise LookupError(f"there is no job {job_id}; refresh the page to see current jobs")
        if job["status"] == "cancelled":
            self._ended_without_run(self.db, job)
        return job

    def _ended_without_run(self, db: Database, job: dict) -> dict:
        kind = self.kinds.get(job["kind"])
        if kind is not None and kind.on_end is not None:
            self._settle(lambda: kind.on_end(db, job))
        return job

    def get(self, job_id: int) -> dict | None:
        """The job as it stands in the database, or None."""
        return job_store.get(self.db, job_id)

    def wait(self, job_id: int, timeout: float = 30, poll_s: float = 0.05) -> dict:
        """Block until the job has ended (done, failed or cancelled) and return it; raise
        TimeoutError after `timeout` seconds. For tests and benchmarks."""
        deadline = time.monotonic() + timeout
        while True:
            job = job_store.get(self.db, job_id)
            if job is None:
                raise LookupError(f"there is no job {job_id}")
            if job["status"] in job_store.TERMINAL:
                return job
            if time.monotonic() >= deadline:
                raise TimeoutError(f"job {job_id} is still {job['status']} (step {job['step']} of "
                                   f"{job['total']}) after {timeout} s; is the runner started?")
            time.sleep(poll_s)

    # --- the worker ---------------------------------------------------------------------------

    def _work(self) -> None:
        db = self._db_factory()
        try:
            while not self._stopping.is_set():
                self._wake.clear()
                try:
                    job = job_store.claim_next(db, list(self.kinds))
                except Exception:
                    log.exception("could not claim the next job; trying again")
                    job = None
                if job is None:
                    self._wake.wait(self.poll_s)
                    continue
                try:
                    self._run(db, job)
                except Exception:  # _run records every job's outcome; this is a last guard
                    log.exception("job %s could not be run", job["id"])
        finally:
            db.close()

    def _run(self, db: Database, job: dict) -> None:
        """Run one claimed job to its end; nothing a job raises escapes."""
        kind = self.kinds[job["kind"]]
        try:
            ctx = JobContext(job=job, payload=job["payload"], checkpoint_dir=self.checkpoint_dir(
                job["id"]), db=db, stopping=self._stopping)
            result = kind.run(ctx)
            if result is not None and not isinstance(result, dict):
                raise TypeError(f"job kind {kind.name!r} returned {type(result).__name__}; "
                                "a run returns a dict or None")
            json.dumps(result)  # a result that cannot be stored fails the job, not the worker
        except RunnerStopping:
            self._settle(lambda: self._set_aside(db, job_store.get(db, job["id"]), "shutdown"))
        except JobCancelled:
            self._settle(lambda: self._cancelled(db, job["id"]))
        except BaseException as exc:  # even SystemExit from a run must not end the worker
            log.error("job %s (%s) failed:\n%s", job["id"], kind.name, traceback.format_exc())
            error = f"{type(exc).__name__}: {exc}"
            self._settle(lambda: job_store.finish(db, job["id"], "failed", error=error))
        else:
            self._settle(lambda: job_store.finish(db, job["id"], "done", result=result))

    @staticmethod
    def _settle(write: Callable[[], object]) -> None:
        """Record a job's outcome; a database error is logged (the job is then left running and
        recover() settles it at the next start) but never kills the worker."""
        try:
            write()
        except Exception:
            log.exception("could not record a job's outcome")

    @staticmethod
    def _cancelled(db: Database, job_id: int) -> dict:
        job = job_store.get(db, job_id)
        return job_store.finish(db, job_id, "cancelled",
                                message=f"cancelled at step {job['step']} of {job['total']}")

    def _set_aside(self, db: Database, job: dict, why: str) -> dict:
        """Requeue or fail a job whose run was cut short by a restart or shutdown."""
        where = f"step {job['step']} of {job['total']}"
        if job["cancel_requested"]:
            return self._ended_without_run(db, job_store.finish(
                db, job["id"], "cancelled", message=f"cancelled at {where}"))
        kind = self.kinds.get(job["kind"])
        checkpoint = job["checkpoint_path"]
        if kind is not None and kind.resumable and checkpoint and Path(checkpoint).exists():
            return job_store.requeue(db, job["id"],
                                     f"resuming from step {job['step']} after a {why}")
        return self._ended_without_run(db, job_store.finish(
            db, job["id"], "failed", error=f"interrupted by a {why} at {where}; start it again"))

"""Background jobs: progress in the database, cancellation, failures, and recovery after a restart."""

import json
import sqlite3
import threading
import time

import pytest

from engine.jobs import JobCancelled, JobContext, JobKind, JobRunner
from storage import jobs, open_db, users

WAIT_S = 10  # generous upper bound for one job on a busy 2-core machine; tests finish far sooner


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "data"


@pytest.fixture
def db(data_dir):
    return open_db(data_dir / "signature.db")


@pytest.fixture
def seller(db):
    return users.create_user(db, "mara", None, "seller")


@pytest.fixture
def make_runner(data_dir):
    """Build runners over the test database; every one is stopped at teardown."""
    made = []

    def make(*kinds: JobKind) -> JobRunner:
        runner = JobRunner(lambda: open_db(data_dir / "signature.db"), data_dir, list(kinds),
                           poll_s=0.05)
        made.append(runner)
        return runner

    yield make
    for runner in made:
        runner.stop(timeout=WAIT_S)


def counting(steps_seen: list, total: int = 3):
    """A run that reports `total` quick steps and returns a summary."""
    def run(ctx: JobContext):
        for step in range(1, total + 1):
            ctx.check_cancelled()
            steps_seen.append((ctx.job["id"], step))
            ctx.report(step, total, loss=1.0 / step)
        return {"steps": total}
    return run


def test_the_jobs_table_refuses_an_unknown_status(db):
    assert "jobs" in db.table_names()
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO jobs (kind, status, created_at, updated_at) "
                   "VALUES ('train_text', 'paused', 'now', 'now')")


def test_claim_next_takes_the_oldest_queued_job_of_the_given_kinds(db, seller):
    voice = jobs.create(db, "train_voice", seller["id"], "model:1", {"n": 1})
    first = jobs.create(db, "train_text", seller["id"], "model:2", {"n": 2})
    second = jobs.create(db, "train_text", seller["id"], "model:2", {"n": 3})
    claimed = jobs.claim_next(db, ["train_text"])
    assert claimed["id"] == first["id"] and claimed["payload"] == {"n": 2}
    assert claimed["status"] == "running" and claimed["attempts"] == 1 and claimed["started_at"]
    assert jobs.claim_next(db, ["train_text"])["id"] == second["id"]
    assert jobs.claim_next(db, ["train_text"]) is None
    assert jobs.get(db, voice["id"])["status"] == "queued"
    assert jobs.latest_for_target(db, "model:2")["id"] == second["id"]
    assert [j["id"] for j in jobs.for_owner(db, seller["id"], limit=2)] == [second["id"], first["id"]]


def test_eta_comes_from_the_rate_of_steps_in_this_attempt(db, seller, data_dir):
    job = jobs.claim_next(db, [jobs.create(db, "train_text", seller["id"])["kind"]])
    now = [100.0]
    ctx = JobContext(job=job, payload={}, checkpoint_dir=data_dir / "jobs" / str(job["id"]), db=db,
                     clock=lambda: now[0])
    now[0] = 110.0  # 2 steps in 10 s -> 5 s a step, 8 steps to go
    ctx.report(2, 10, loss=0.5, message="epoch 1")
    row = jobs.get(db, job["id"])
    assert (row["step"], row["total"], row["loss"], row["message"]) == (2, 10, 0.5, "epoch 1")
    assert row["eta_s"] == pytest.approx(40.0)
    assert ctx.checkpoint_dir.is_dir() and ctx.resume_from is None


def test_a_job_runs_to_done_with_its_progress_visible_while_it_runs(make_runner, db, seller):
    at_step_2, go_on = threading.Event(), threading.Event()

    def run(ctx):
        for step in range(1, 5):
            time.sleep(0.01)
            ctx.report(step, 4, loss=1.0 / step, message=f"step {step}")
            if step == 2:
                at_step_2.set()
                assert go_on.wait(WAIT_S)
        return {"artefact": "adapter.safetensors", "seen": ctx.payload["portfolio"]}

    runner = make_runner(JobKind("train_text", run, resumable=False))
    runner.start()
    job = runner.submit("train_text", seller["id"], "model:7", {"portfolio": 12})
    assert job["status"] == "queued" and job["payload"] == {"portfolio": 12}

    assert at_step_2.wait(WAIT_S)
    live = jobs.get(db, job["id"])  # what a page reload would read
    assert live["status"] == "running" and (live["step"], live["total"]) == (2, 4)
    assert live["loss"] == pytest.approx(0.5) and live["message"] == "step 2"
    assert 0 < live["eta_s"] < WAIT_S
    assert jobs.latest_for_target(db, "model:7")["id"] == job["id"]

    go_on.set()
    done = runner.wait(job["id"], WAIT_S)
    assert done["status"] == "done" and done["step"] == 4 and done["error"] is None
    assert done["result"] == {"artefact": "adapter.safetensors", "seen": 12}
    assert done["finished_at"] and done["eta_s"] is None


def test_cancelling_a_queued_job_ends_it_at_once_and_it_never_runs(make_runner, db, seller):
    seen = []
    runner = make_runner(JobKind("train_text", counting(seen), resumable=False))
    queued = runner.submit("train_text", seller["id"], "model:1", {})
    cancelled = runner.cancel(queued["id"])
    assert cancelled["status"] == "cancelled" and cancelled["finished_at"]

    runner.start()
    other = runner.submit("train_text", seller["id"], "model:2", {})
    assert runner.wait(other["id"], WAIT_S)["status"] == "done"
    assert {job_id for job_id, _ in seen} == {other["id"]}
    assert jobs.get(db, queued["id"])["status"] == "cancelled"


def test_cancelling_a_running_job_stops_it_at_its_next_check(make_runner, db, seller):
    started = threading.Event()

    def run(ctx):
        for step in range(1, 10_000):
            ctx.check_cancelled()
            ctx.report(step, 10_000)
            started.set()
            time.sleep(0.005)
        return {"finished": True}

    runner = make_runner(JobKind("train_voice", run, resumable=True))
    runner.start()
    job = runner.submit("train_voice", seller["id"], "model:4", {})
    assert started.wait(WAIT_S)
    assert runner.cancel(job["id"])["cancel_requested"] is True

    ended = runner.wait(job["id"], WAIT_S)
    assert ended["status"] == "cancelled" and ended["result"] is None
    assert 1 <= ended["step"] < 10_000
    assert ended["message"] == f"cancelled at step {ended['step']} of 10000"


def test_a_failing_job_is_recorded_and_the_worker_serves_the_next_one(make_runner, db, seller,
                                                                      caplog):
    def broken(ctx):
        ctx.report(1, 5)
        raise ValueError("portfolio has no held-out items; upload at least 4 more")

    seen = []
    runner = make_runner(JobKind("broken", broken, resumable=False),
                         JobKind("train_text", counting(seen), resumable=False))
    runner.start()
    bad = runner.submit("broken", seller["id"], "model:1", {})
    good = runner.submit("train_text", seller["id"], "model:2", {})

    failed = runner.wait(bad["id"], WAIT_S)
    assert failed["status"] == "failed"
    assert failed["error"] == "ValueError: portfolio has no held-out items; upload at least 4 more"
    assert runner.wait(good["id"], WAIT_S)["status"] == "done"
    assert runner.running
    assert "portfolio has no held-out items" in caplog.text  # the traceback is logged


def test_a_new_runner_resumes_an_interrupted_resumable_job_from_its_checkpoint(
        make_runner, db, seller, data_dir):
    # A previous process claimed the job, reached step 5 of 10, wrote a checkpoint and died.
    job = jobs.create(db, "train_image", seller["id"], "model:9", {"steps": 10})
    assert jobs.claim_next(db, ["train_image"])["id"] == job["id"]
    checkpoint = data_dir / "jobs" / str(job["id"]) / "step-5.json"
    checkpoint.parent.mkdir(parents=True)
    checkpoint.write_text(json.dumps({"step": 5}))
    jobs.report(db, job["id"], 5, 10, loss=0.3, checkpoint_path=str(checkpoint))

    def run(ctx):
        start = json.loads(ctx.resume_from.read_text())["step"] if ctx.resume_from else 0
        steps = list(range(start + 1, ctx.payload["steps"] + 1))
        for step in steps:
            ctx.check_cancelled()
            ctx.report(step, ctx.payload["steps"])
        return {"resumed_from": start, "steps_run": steps}

    runner = make_runner(JobKind("train_image", run, resumable=True))
    recovered = runner.recover()
    assert [(j["id"], j["status"]) for j in recovered] == [(job["id"], "queued")]
    assert jobs.get(db, job["id"])["message"] == "resuming from step 5 after a restart"

    runner.start()
    done = runner.wait(job["id"], WAIT_S)
    assert done["status"] == "done" and done["attempts"] == 2 and done["step"] == 10
    assert done["result"] == {"resumed_from": 5, "steps_run": [6, 7, 8, 9, 10]}


def test_stopping_the_app_mid_job_lets_the_next_start_resume_it(make_runner, db, seller):
    checkpointed = threading.Event()
    attempts = []

    def run(ctx):
        attempts.append(ctx.resume_from)
        start = int(ctx.resume_from.read_text()) if ctx.resume_from else 0
        for step in range(start + 1, 7):
            ctx.check_cancelled()
            path = ctx.checkpoint_dir / "last.txt"
            path.write_text(str(step))
            ctx.report(step, 6, checkpoint_path=path)
            if step == 3 and start == 0:  # the first attempt is slow: it is still at step 3
                checkpointed.set()            # when the app shuts down
                while True:
                    ctx.check_cancelled()
                    time.sleep(0.01)
        return {"from": start}

    kind = JobKind("train_voice", run, resumable=True)
    first = make_runner(kind)
    first.start()
    job = first.submit("train_voice", seller["id"], "model:5", {})
    assert checkpointed.wait(WAIT_S)
    assert first.stop(timeout=WAIT_S) and not first.running
    left = jobs.get(db, job["id"])
    assert left["status"] == "queued" and left["step"] == 3
    assert left["message"] == "resuming from step 3 after a shutdown"

    second = make_runner(kind)
    second.start()
    done = second.wait(job["id"], WAIT_S)
    assert done["status"] == "done" and done["result"] == {"from": 3} and done["step"] == 6
    assert attempts[0] is None and attempts[1].name == "last.txt"


def test_recover_fails_what_cannot_resume_and_leaves_nothing_running(make_runner, db, seller,
                                                                     data_dir):
    def claimed(kind, step, total, checkpoint=None, cancel=False):
        job = jobs.create(db, kind, seller["id"], f"model:{step}", {})
        assert jobs.claim_next(db, [kind])["id"] == job["id"]
        jobs.report(db, job["id"], step, total, checkpoint_path=checkpoint)
        if cancel:
            jobs.request_cancel(db, job["id"])
        return job["id"]

    plain = claimed("train_text", 2, 8)
    no_checkpoint = claimed("train_image", 3, 9)
    gone = claimed("train_image", 4, 9, checkpoint=str(data_dir / "jobs" / "missing.pt"))
    cancelled = claimed("train_image", 1, 9, cancel=True)
    unknown = claimed("retired_kind", 1, 2)

    ran = []
    never = JobKind("train_text", lambda ctx: ran.append(ctx.job["id"]))
    runner = make_runner(never, JobKind("train_image", never.run, resumable=True))
    runner.start()

    assert jobs.interrupted(db) == []
    assert jobs.get(db, plain)["error"] == "interrupted by a restart at step 2 of 8; start it again"
    assert jobs.get(db, no_checkpoint)["error"] == \
        "interrupted by a restart at step 3 of 9; start it again"
    assert jobs.get(db, gone)["status"] == "failed"
    assert jobs.get(db, unknown)["status"] == "failed"
    assert jobs.get(db, cancelled)["status"] == "cancelled"
    assert {jobs.get(db, j)["status"] for j in (plain, no_checkpoint)} == {"failed"}
    time.sleep(0.2)  # a few worker polls: nothing was requeued, so nothing runs again
    assert ran == [] and runner.running


def test_unknown_kinds_and_jobs_get_errors_that_say_what_to_do(make_runner, seller):
    runner = make_runner(JobKind("train_text", lambda ctx: None))
    with pytest.raises(ValueError, match="unknown job kind 'train_sculpture'.*train_text"):
        runner.submit("train_sculpture", seller["id"], "", {})
    with pytest.raises(LookupError, match="no job 999"):
        runner.cancel(999)
    with pytest.raises(TimeoutError, match="still queued.*is the runner started"):
        runner.wait(runner.submit("train_text", seller["id"], "", {})["id"], timeout=0.1)


def test_job_cancelled_is_an_exception_a_run_can_raise_itself(make_runner, seller):
    def run(ctx):
        raise JobCancelled("the creator removed the portfolio")

    runner = make_runner(JobKind("train_text", run))
    runner.start()
    job = runner.submit("train_text", seller["id"], "", {})
    assert runner.wait(job["id"], WAIT_S)["status"] == "cancelled"

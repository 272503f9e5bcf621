"""Runs a call through its stages under a lease, records progress and errors, and resumes where it stopped."""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import or_, select, update

from assistant import stages
from assistant.container import Container
from assistant.crm import outbox
from assistant.db.models import Call, CallStatus, Job, as_utc, utcnow
from assistant.db.session import session_scope
from assistant.errors import CallsightError, disk_full
from assistant.observability import observe_stage

log = logging.getLogger(__name__)
# Truncated so host:pid:thread fits Call.lease_owner (64 characters; PostgreSQL enforces the length).
_HOST = socket.gethostname()[:36]

Stage = tuple[str, str, Callable[[Container, str], None], Callable[[Container, str], bool]]


def _stage_list() -> list[Stage]:
    return [
        ("transcribe", CallStatus.TRANSCRIBING, stages.transcribe, _transcribed),
        ("analyse", CallStatus.ANALYSING, stages.analyse, stages.analysis_is_current),
        ("index", CallStatus.INDEXING, stages.index, _indexed),
    ]


def _transcribed(container: Container, call_id: str) -> bool:
    with session_scope(container.sessions) as session:
        return session.get_one(Call, call_id).transcribed_at is not None


def _indexed(container: Container, call_id: str) -> bool:
    with session_scope(container.sessions) as session:
        return session.get_one(Call, call_id).indexed_at is not None


class Pipeline:
    def __init__(self, container: Container) -> None:
        self.container = container

    def run(self, call_id: str) -> None:
        """Process one call; a failure is stored on the call and its job, never raised into the queue."""
        owner = f"{process_owner()}:{threading.get_ident()}"
        if not self._claim(call_id, owner):
            log.info("call %s is taken by another worker or gone", call_id)
            return
        with session_scope(self.container.sessions) as session:
            job = Job(call_id=call_id, status="running", started_at=utcnow())
            session.add(job)
            session.flush()
            job_id = job.id
        stage_name = "start"
        try:
            for stage_name, status, run, done in _stage_list():
                if done(self.container, call_id):
                    continue
                self._set(call_id, job_id, status=status, stage=stage_name, owner=owner)
                with observe_stage(stage_name):
                    run(self.container, call_id)
            self._finish(call_id, job_id, error=None, stage=None)
        except CallsightError as exc:
            self._finish(call_id, job_id, error=exc.message, stage=stage_name)
        except Exception as exc:
            log.exception("call %s failed in %s", call_id, stage_name)
            error = f"{type(exc).__name__}: {exc}"
            if disk_full(exc):
                error = (
                    f"The disk is full ({exc.strerror}); free space, then retry the call: it resumes at {stage_name}."
                )
            self._finish(call_id, job_id, error=error, stage=stage_name)

    def _claim(self, call_id: str, owner: str) -> bool:
        # One UPDATE decides who runs the call, so two workers never process it at once; a finished call is
        # not claimed again, so a task queued twice (two sweeps, a restart) runs the call once.
        now = utcnow()
        with session_scope(self.container.sessions) as session:
            claimed = session.execute(
                update(Call)
                .where(
                    Call.id == call_id,
                    Call.status.in_(CallStatus.ACTIVE),
                    or_(Call.lease_until.is_(None), Call.lease_until < now),
                )
                .values(lease_owner=owner, lease_until=now + lease(self.container), error=None, failed_stage=None)
            )
            return bool(claimed.rowcount)  # type: ignore[attr-defined]

    def _set(self, call_id: str, job_id: int, *, status: str, stage: str, owner: str) -> None:
        with session_scope(self.container.sessions) as session:
            until = utcnow() + lease(self.container)
            session.execute(update(Call).where(Call.id == call_id).values(status=status, lease_until=until))
            session.execute(update(Job).where(Job.id == job_id).values(stage=stage))

    def _finish(self, call_id: str, job_id: int, *, error: str | None, stage: str | None) -> None:
        with session_scope(self.container.sessions) as session:
            session.execute(
                update(Call)
                .where(Call.id == call_id)
                .values(
                    status=CallStatus.FAILED if error else CallStatus.DONE,
                    error=error,
                    failed_stage=stage,
                    lease_owner=None,
                    lease_until=None,
                )
            )
            session.execute(
                update(Job)
                .where(Job.id == job_id)
                .values(status="failed" if error else "done", error=error, finished_at=utcnow())
            )
            # In the same transaction as "done": a finished call always has its CRM write-back row.
            deliveries = [] if error else outbox.add_rows(session, self.container.settings, call_id)
        for item_id in deliveries:
            self.container.queue.enqueue_delivery(item_id)


def process_owner() -> str:
    """`host:pid`, the start of every lease this process holds."""
    return f"{_HOST}:{os.getpid()}"


def lease(container: Container) -> timedelta:
    """How long a claim holds a call without being renewed (`lease_s`)."""
    return timedelta(seconds=container.settings.lease_s)


def _lease_is_dead(owner: str | None, *, at_start: bool) -> bool:
    """True when the lease holder was a process on this machine that no longer runs (or this process
    itself when it is starting: an earlier consumer of it is gone)."""
    if not owner:
        return True
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != _HOST or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return at_start and int(pid) == os.getpid()


def resume_interrupted(container: Container, *, at_start: bool = True) -> list[str]:
    """Queue again every call left mid-pipeline by a process that died: its lease ran out, or its holder was
    a process on this machine that is gone (so a restart resumes at once, not after the lease). Calls still
    "queued" are left alone: their task waits in the durable queue (`lease_keeper.requeue_lost` handles a
    lost one). A call queued twice still runs once: the claim refuses a leased or finished call.
    Unsettled CRM write-backs are queued again too at start (their claim makes that safe). Job processes
    also call this every third of a lease (`assistant.lease_keeper`), so a worker that was killed on any
    machine has its call taken over."""
    now = utcnow()
    started = [status for status in CallStatus.ACTIVE if status != CallStatus.QUEUED]
    with session_scope(container.sessions) as session:
        rows = session.execute(
            select(Call.id, Call.lease_owner, Call.lease_until).where(Call.status.in_(started))
        ).all()
        ids = []
        for call_id, owner, until in rows:
            # A call with no lease at all was released and queued already; only a restart queues it again.
            released_before = until is None and at_start
            expired = until is not None and as_utc(until) < now
            if released_before or expired or (owner and _lease_is_dead(owner, at_start=at_start)):
                # Only if the same holder still has it: another worker may have claimed the call meanwhile.
                held = Call.lease_owner.is_(None) if owner is None else Call.lease_owner == owner
                released = session.execute(
                    update(Call).where(Call.id == call_id, held).values(lease_owner=None, lease_until=None)
                )
                if released.rowcount:  # type: ignore[attr-defined]
                    ids.append(call_id)
        if ids:
            # The dead holder's job row would stay "running" for ever; jobs started after `now` are new claims.
            session.execute(
                update(Job)
                .where(Job.call_id.in_(ids), Job.status == "running", Job.started_at <= now)
                .values(status="failed", error="interrupted: its worker stopped", finished_at=now)
            )
    for call_id in ids:
        container.queue.enqueue(call_id)
    if at_start:
        outbox.resume_deliveries(container)
    return ids

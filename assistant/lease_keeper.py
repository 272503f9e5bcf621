"""Lease upkeep beside a job consumer: keep this process's calls leased, take over calls whose holder stopped.

Every third of `lease_s` it renews the leases this process holds (so a stage longer than the lease keeps its
call) and runs `resume_interrupted` as a sweep: a call whose lease lapsed (its worker was killed, on any
machine) or whose holder was a process on this machine that is gone is queued again. The claim in
`Pipeline.run` makes a call queued twice run once. Calls still "queued" whose task the queue lost are
queued again too. With `retention_days` set, each round also deletes the calls older than that
(`assistant.retention`), so whichever processes run the job queue keep to it without a scheduler of their own.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from sqlalchemy import or_, select, update

from assistant.container import Container
from assistant.db.models import Call, CallStatus, utcnow
from assistant.db.session import session_scope
from assistant.pipeline import lease, process_owner, resume_interrupted
from assistant.retention import delete_expired

log = logging.getLogger(__name__)


def _set_own_leases(container: Container, until: datetime) -> int:
    with session_scope(container.sessions) as session:
        changed = session.execute(
            update(Call)
            .where(
                Call.lease_owner.startswith(f"{process_owner()}:", autoescape=True),
                Call.status.in_(CallStatus.ACTIVE),
            )
            .values(lease_until=until)
        )
        return int(changed.rowcount)  # type: ignore[attr-defined]


def renew_leases(container: Container) -> int:
    """Extend every lease this process holds by a full lease; returns how many calls that was."""
    return _set_own_leases(container, utcnow() + lease(container))


def expire_leases(container: Container) -> int:
    """On shutdown: let this process's calls lapse now, so the next sweep anywhere takes them over rather than
    waiting out the lease (a worker on another machine cannot see that this process is gone)."""
    return _set_own_leases(container, utcnow())


def requeue_lost(container: Container) -> list[str]:
    """Queue again calls left "queued" for over a lease while the queue is empty: their task was lost (a worker
    killed between taking it and claiming the call, a queue restarted without persistence). Only an empty
    queue shows that; a call queued twice would still run once."""
    if container.queue.pending():
        return []
    now = utcnow()
    with session_scope(container.sessions) as session:
        ids = list(
            session.scalars(
                select(Call.id).where(
                    Call.status == CallStatus.QUEUED,
                    Call.updated_at < now - lease(container),
                    or_(Call.lease_until.is_(None), Call.lease_until < now),
                )
            )
        )
    for call_id in ids:
        container.queue.enqueue(call_id)
    return ids


class LeaseKeeper:
    """A daemon thread doing the upkeep until `stop`; a failed round (database away) is logged and retried."""

    def __init__(self, container: Container) -> None:
        self._container = container
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def tick(self) -> list[str]:
        """One round: renew, sweep, apply retention; returns the ids of calls queued again."""
        renew_leases(self._container)
        taken = resume_interrupted(self._container, at_start=False) + requeue_lost(self._container)
        # One indexed query when nothing is due; several processes deleting at once is safe (delete_call).
        if expired := delete_expired(self._container):
            log.info("retention: deleted %d call(s): %s", len(expired), ", ".join(expired))
        return taken

    def _loop(self) -> None:
        interval = self._container.settings.lease_s / 3
        while not self._stop.wait(interval):
            try:
                if taken := self.tick():
                    log.info("took over %d call(s) whose worker stopped: %s", len(taken), ", ".join(taken))
            except Exception:
                log.exception("lease upkeep failed; trying again in %.0f s", interval)

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="callsight-leases", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

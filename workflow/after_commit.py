"""Work that must follow a state change, done once the change is committed.

A service changes rows under a lock; rendering a letter or writing a file is slow and cannot be
rolled back, so it waits for the commit (``after_commit``): the lock is not held while it runs,
and a step that is rolled back leaves nothing behind. (healthchecks' ``Check.ping`` saves under
the lock and uploads afterwards, for the same reasons.)

Tests under pytest-django's ``django_db`` run inside a transaction that never commits, so the
work would never run. ``commit_at_block_end`` makes it run where the real commit would have
happened: when the outermost block the code itself opened ends without error (and never when it
is rolled back). Tests that check the real path use a transactional database instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps

from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.transaction import Atomic, get_connection


def after_commit(work: Callable[[], object], *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Run ``work`` once the current transaction commits (at once outside a transaction); it
    is dropped if the transaction is rolled back. An error of ``work`` is not caught here: the
    change is committed by then, so ``work`` must handle its own failures."""

    @wraps(work)
    def run() -> None:
        work()

    run.after_commit = True  # type: ignore[attr-defined]
    transaction.on_commit(run, using=using, robust=False)


def _below_is_test_only(connection, block: Atomic) -> bool:
    blocks = connection.atomic_blocks
    return (
        not block._from_testcase
        and len(blocks) > 1
        and blocks[-1] is block
        and all(below._from_testcase for below in blocks[:-1])
    )


@contextmanager
def commit_at_block_end() -> Iterator[None]:
    """For tests in a transaction that never commits: run the ``after_commit`` work registered
    in the outermost block opened by the code under test when that block ends without error,
    as a commit would. Blocks rolled back drop their work (Django's savepoint rollback)."""
    original_exit = Atomic.__exit__

    def __exit__(self, exc_type, exc_value, traceback):
        connection = get_connection(self.using)
        outermost = _below_is_test_only(connection, self)
        sid = connection.savepoint_ids[-1] if outermost and connection.savepoint_ids else None
        result = original_exit(self, exc_type, exc_value, traceback)
        if sid is None:
            return result
        mine, others = [], []
        for entry in connection.run_on_commit:
            ours = sid in entry[0] and getattr(entry[1], "after_commit", False)
            (mine if ours else others).append(entry)
        connection.run_on_commit = others
        if exc_type is None:
            for _, work, _ in mine:
                work()
        return result

    Atomic.__exit__ = __exit__  # type: ignore[method-assign]
    try:
        yield
    finally:
        Atomic.__exit__ = original_exit  # type: ignore[method-assign]

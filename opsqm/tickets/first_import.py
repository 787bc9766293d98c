"""A project's first large import on PostgreSQL: its tickets go straight from the batches it reads
into the ticket table, in one COPY that runs while the next batch is read.

Every other import stages its rows in temporary tables, classifies them against the stored
tickets and moves the new ones with INSERT … SELECT (`opsqm.tickets.bulk`). A project that has
no tickets yet has nothing to classify against: every row of its first import — usually a
tool's whole history, up to millions of rows — is new. So each batch, once read, checked and its
SLA computed, is written as CSV into one `COPY tickets_ticket` that stays open for the whole
file; a thread of its own sends the CSV while this one reads and computes the next batch, so
the server stores a batch while the next is parsed (on 2 cores a million rows took 22.5 s
staged, 17.6 s here). The pauses follow by ticket number, then the audit event and the KPI
counters, all in the import's one transaction: nobody sees a row before it commits, and no
other writer waits for it (PostgreSQL's MVCC).

SQLite keeps the staged path: there the rows go in through the importer's own CPU, and its
windowed INSERT … SELECT in creation order is what keeps the indexes cheap.

All-or-nothing as every import: a problem the reader reports (at the latest at the file's end,
duplicates across batches included) aborts the COPY and rolls everything back. A ticket number
that clashes in the database while the file itself is clean can only come from another writer
at the same moment; the import then fails whole too.
"""

from __future__ import annotations

import datetime as dt
import io
import queue
import threading
from collections.abc import Callable, Iterable, Iterator

import polars as pl
from django.db import connection, transaction
from django.utils.translation import gettext as _
from psycopg import Copy

from opsqm.core.ticket_io import TicketBatch, TicketFileError
from opsqm.tickets import bulk, staging
from opsqm.tickets.row_hash import pause_texts
from opsqm.tickets.sla_columns import SlaColumns, nullable

SlaOf = Callable[[TicketBatch], SlaColumns]
_TARGETS = bulk.row_targets()
_TAIL = ("project_id", "source", "updated_at", "sla_computed_at", "sla_cutoff")
_PAUSES = "opsqm_first_pauses"


# Above this many rows (by the file's size) the staged path again: this path keeps every pause of
# the file for the end, and a 3 M-row import here went past 1 GB (1,061 MB, measured while the
# reader still kept every ticket number for its check of repeats; staged, 5 M rows then peaked at
# 915 MB, 849 MB since). 1.7 M rows here peaked at 869 MB.
MAX_ROWS = 2_000_000


def applies(project_id: int, expected_rows: int) -> bool:
    """PostgreSQL, an import as large as one SQLite would stage (up to `MAX_ROWS`), a project
    with no tickets."""
    if connection.vendor != "postgresql" or not staging.MIN_NEW_ROWS <= expected_rows <= MAX_ROWS:
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {bulk.TICKET} WHERE project_id = %s LIMIT 1", [project_id])  # nosec B608 (constant table name; values are bound)
        return cursor.fetchone() is None


def write(
    *,
    project_id: int,
    batches: Iterable[TicketBatch],
    sla_of: SlaOf,
    finish: Callable[[int], None],
    source: str,
    now_epoch: int,
    cutoff_epoch: int,
    progress: Callable[[int], None],
) -> int:
    """Write every batch's rows as new tickets with their pauses and SLA results, then
    `finish(rows)` (audit event, KPI counters), in one transaction. Returns the number of rows;
    raises the reader's TicketFileError, or one of its own for a clash, with nothing written."""
    tail = [pl.lit(project_id).alias("project_id"), pl.lit(source).alias("source")]
    tail += [pl.lit(_utc(epoch)).alias(name) for name, epoch in zip(_TAIL[2:], (now_epoch, now_epoch, cutoff_epoch))]
    columns = ", ".join([*(column for column, _instant in _TARGETS), *_TAIL])
    rows, pauses = 0, []
    with transaction.atomic(), connection.cursor() as cursor:
        reader_error: TicketFileError | None = None
        try:
            raw = cursor.cursor
            with raw.copy(f"COPY {bulk.TICKET} ({columns}) FROM STDIN WITH (FORMAT csv)") as copy:  # nosec B608 (constant names only)
                sender = _Sender(copy)
                try:
                    for batch in batches:
                        sla = sla_of(batch)
                        for piece in _ticket_csv(batch, sla, tail):
                            sender.send(piece)
                        pauses.append(_pause_frame(batch))
                        rows += len(batch)
                        _report_aside(progress, rows)
                except TicketFileError as exc:
                    reader_error = exc
                    raise
                finally:
                    sender.close()
        except connection.Database.IntegrityError as exc:
            # The server checks each row as it arrives, so a file's duplicate numbers abort the COPY
            # before the reader reports them at the file's end; the reader's report says it best.
            if reader_error is not None:
                raise reader_error from None
            if "unique" not in str(exc).lower():
                raise
            raise TicketFileError(_("导入期间有其他来源写入了相同工单号的工单，本次导入未写入任何数据，请重新导入。")) from exc
        _insert_pauses(cursor, project_id, pl.concat(pauses) if pauses else None)
        bulk.pause_for_kill_test()
        finish(rows)
    return rows


class _Sender:
    """Sends CSV pieces into the open COPY from one thread of its own while this one reads and
    computes what follows (waiting for the server releases the GIL). At most one piece waits
    while another is sent, so memory stays flat however slow the server gets."""

    def __init__(self, copy: Copy) -> None:
        self._copy = copy
        self._pieces: queue.Queue[memoryview | None] = queue.Queue(maxsize=1)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="import-copy")
        self._thread.start()

    def _run(self) -> None:
        while (piece := self._pieces.get()) is not None:
            if self._error is None:  # after an error, only drain so that send() never blocks
                try:
                    self._copy.write(piece)
                except BaseException as exc:  # handed to the reading thread by send() or close()
                    self._error = exc

    def send(self, piece: memoryview) -> None:
        if self._error is not None:
            raise self._error
        self._pieces.put(piece)

    def close(self) -> None:
        """Wait until everything sent is written; raise what went wrong meanwhile."""
        self._pieces.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error


def _report_aside(progress: Callable[[int], None], rows: int) -> None:
    """Progress goes out on a connection of its own: this one is in the middle of the COPY, and
    its transaction would hide the update from the job page until the end anyway."""

    def report() -> None:
        try:
            progress(rows)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=report, name="import-progress")
    thread.start()
    thread.join()


def _ticket_csv(batch: TicketBatch, sla: SlaColumns, tail: list[pl.Expr]) -> Iterator[memoryview]:
    """The batch's tickets as CSV, `bulk.BATCH` rows at a time: only that many rows of Python
    objects, and of CSV, live at once (as when staging)."""
    texts = pause_texts(batch)
    for lo in range(0, len(batch), bulk.BATCH):
        values = bulk.row_columns(batch, sla, slice(lo, min(lo + bulk.BATCH, len(batch))), texts)
        frame = pl.DataFrame(
            [
                _instant(column, name) if instant else pl.Series(name, column, strict=False)
                for (name, instant), column in zip(_TARGETS, values)
            ]
        )
        yield _csv(frame.with_columns(tail))


def _pause_frame(batch: TicketBatch) -> pl.DataFrame:
    owner, start, end = bulk.kept_pauses(batch)
    return pl.DataFrame(
        {
            "number": pl.Series(batch.ticket_no[owner].tolist(), dtype=pl.String),
            "p_start": pl.Series(start, dtype=pl.Int64),
            "p_end": pl.Series(nullable(end), dtype=pl.Int64),
        }
    )


def _insert_pauses(cursor, project_id: int, pauses: pl.DataFrame | None) -> None:
    """The pauses, by their ticket's number (the COPY gave the tickets their ids)."""
    if pauses is None or not pauses.height:
        return
    cursor.execute(f"DROP TABLE IF EXISTS {_PAUSES}")
    cursor.execute(f"CREATE TEMPORARY TABLE {_PAUSES} (number varchar(64), p_start bigint, p_end bigint)")
    with cursor.cursor.copy(f"COPY {_PAUSES} (number, p_start, p_end) FROM STDIN WITH (FORMAT csv)") as copy:  # nosec B608 (constant names only)
        copy.write(_csv(pauses))
    cursor.execute(
        f'INSERT INTO {bulk.PAUSE} (ticket_id, start, "end") SELECT t.id, to_timestamp(p.p_start), to_timestamp(p.p_end) '  # nosec B608 (constant names; values are bound)
        f"FROM {_PAUSES} p JOIN {bulk.TICKET} t ON t.project_id = %s AND t.number = p.number",
        [project_id],
    )
    cursor.execute(f"DROP TABLE {_PAUSES}")


def _utc(epoch: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).replace(tzinfo=None)


def _instant(values: list, name: str) -> pl.Series:
    """Epoch seconds (None for NULL) as a (naive, UTC) datetime column."""
    return pl.from_epoch(pl.Series(name, values, dtype=pl.Int64), time_unit="s")


def _csv(frame: pl.DataFrame) -> memoryview:
    """CSV as COPY reads it: polars writes NULL unquoted and empty, '' as a quoted empty string.
    A view of the buffer, not a copy: psycopg slices it into messages without copying either."""
    buffer = io.BytesIO()
    frame.write_csv(buffer, include_header=False, datetime_format="%Y-%m-%d %H:%M:%S+00")
    return buffer.getbuffer()

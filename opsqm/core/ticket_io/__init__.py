"""The one ticket-input layer: files (CSV / XLSX), header preview and matching, value
mapping, JSON pushes, ServiceNow Task SLA partial imports and SLA inputs.

Modules by concern: ``schema`` (fields, errors, value objects), ``encoding``,
``reader`` (bytes → cells, header preview, the one matching rule), ``parse``
(cells → batch), ``values`` (priority case rule, value mapping, target lookup),
``files``, ``push``, ``task_sla``. Pure Python: never imports Django.
"""

from opsqm.core.ticket_io.encoding import ENCODINGS, detect_encoding
from opsqm.core.ticket_io.files import canonical_mapping, iter_ticket_batches, priority_values, read_ticket_file
from opsqm.core.ticket_io.parse import DEFAULT_DATETIME_FORMATS
from opsqm.core.ticket_io.push import items_to_batch
from opsqm.core.ticket_io.reader import MAX_CELL_CHARS, match_columns, preview_headers, proposed_columns
from opsqm.core.ticket_io.schema import (
    CANONICAL_FIELDS,
    CANONICAL_HEADERS,
    FIELD_LABELS,
    MAX_LISTED_ERRORS,
    REQUIRED_FIELDS,
    ColumnMapping,
    RowError,
    TicketBatch,
    TicketFileError,
)
from opsqm.core.ticket_io.task_sla import FirstResponses, read_task_sla
from opsqm.core.ticket_io.values import priority_key, priority_lookup, target_arrays, value_counts

__all__ = [
    "CANONICAL_FIELDS",
    "CANONICAL_HEADERS",
    "DEFAULT_DATETIME_FORMATS",
    "ENCODINGS",
    "FIELD_LABELS",
    "MAX_CELL_CHARS",
    "MAX_LISTED_ERRORS",
    "REQUIRED_FIELDS",
    "ColumnMapping",
    "FirstResponses",
    "RowError",
    "TicketBatch",
    "TicketFileError",
    "canonical_mapping",
    "detect_encoding",
    "items_to_batch",
    "match_columns",
    "iter_ticket_batches",
    "preview_headers",
    "priority_key",
    "priority_lookup",
    "priority_values",
    "proposed_columns",
    "read_task_sla",
    "read_ticket_file",
    "target_arrays",
    "value_counts",
]

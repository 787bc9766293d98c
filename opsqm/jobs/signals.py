"""Signals of the jobs area."""

from django.dispatch import Signal

# Sent with `job` when a job that was "running" is found abandoned (its worker died, e.g. `kill -9`)
# and marked failed. An area that keeps its own status next to the job (ticket imports) listens to it.
job_abandoned = Signal()

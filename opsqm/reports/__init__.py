"""User-replaceable .docx report templates, rendered only in a sandbox (ENGINEERING.md).

Every report kind that accepts a user template (audit report today; quarterly review, management
review, … later) calls these two functions and nothing else:

    from opsqm.reports import render_docx_template, validate_docx_template, TemplateRejected

    render_docx_template(template: bytes, context: dict) -> bytes
        Render `template` (.docx with docxtpl tags) with `context` in a sandboxed Jinja
        environment and return the .docx bytes. Raises `TemplateRejected` if the template
        tries anything the sandbox refuses (also for templates stored before validation existed).

    validate_docx_template(template: bytes, sample_context: dict) -> None
        Used on upload, after `opsqm.records.uploads.upload_check(..., allowed_extensions=[".docx"])`.
        Checks every tag statically (no `_` attributes, only the context's top-level names, only
        allowlisted filters and methods) and renders against `sample_context` in the sandbox.
        Raises `TemplateRejected` (a ValidationError) with a Chinese message naming the bad tag.

The context must hold plain data only (str, int, float, bool, None, lists and dicts of those):
no model instances, no callables. Nothing else is in scope: no globals (`range`, `cycler`,
`joiner`, `namespace`, `lipsum`, `dict`), no `self`/`config`/`request`. Output is XML-escaped.
"""

from opsqm.reports.sandbox import TemplateRejected, render_docx_template, validate_docx_template

__all__ = ["TemplateRejected", "render_docx_template", "validate_docx_template"]

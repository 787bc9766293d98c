"""User .docx templates: classic template-injection payloads are refused on upload and cannot run later."""

from __future__ import annotations

import io
import zipfile

import pytest
from docx import Document

from opsqm.reports import TemplateRejected, render_docx_template, validate_docx_template

CONTEXT = {
    "company": "示例公司",
    "audit": {"code": "IA-2026-01", "title": "示例审核", "items": "数据键"},
    "results": [{"ref_id": "1.1", "text": "检查点"}, {"ref_id": "1.2", "text": "第二条"}],
}

PAYLOADS = [
    ("{{ cycler.__init__.__globals__.os.popen('id').read() }}", "cycler"),
    ("{{ joiner.__init__.__globals__ }}", "joiner"),
    ("{{ namespace.__init__.__globals__ }}", "namespace"),
    ("{{ lipsum.__globals__['os'].popen('id').read() }}", "lipsum"),
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "__class__"),
    ("{{ company.__class__.__mro__ }}", "__class__"),
    ("{{ audit['__class__'] }}", "__class__"),
    ("{{ self.__init__.__globals__ }}", "__init__"),
    ("{{ self }}", "self"),
    ("{{ config.items() }}", "config"),
    ("{{ request.application.__globals__ }}", "__globals__"),
    ("{% for i in range(10**10) %}x{% endfor %}", "range"),
    ("{{ company|attr('__class__') }}", "attr"),
    ("{{ '%s'|format(company) }}", "format"),
    ("{{ company|center(1000000000) }}", "center"),
    ("{% include 'x.docx' %}", "include"),
    ("{% import 'os' as os %}", "import"),
    ("{{ get_flashed_messages.__globals__ }}", "get_flashed_messages"),
    ("{{ url_for.__globals__ }}", "url_for"),
    ("{{ results|map(attribute='__class__')|list }}", "__class__"),
    ("{{ results|sort(attribute='__init__') }}", "__init__"),
    ("{% for r in results recursive %}{{ loop(results) }}{% endfor %}", "recursive"),
    ("{% for a in results %}{% for b in results %}{% for c in results %}{% endfor %}{% endfor %}{% endfor %}", "for"),
]


def _docx(*paragraphs: str) -> bytes:
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _text(docx: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)


@pytest.mark.parametrize("payload, named", PAYLOADS)
def test_it_refuses_an_injection_payload_on_upload_naming_the_tag(payload, named):
    with pytest.raises(TemplateRejected) as exc:
        validate_docx_template(_docx("报告：", payload), CONTEXT)
    message = exc.value.messages[0]
    assert "模板中的标记" in message and named in message


@pytest.mark.parametrize("payload, named", PAYLOADS)
def test_a_stored_payload_cannot_run_at_render_time(payload, named, tmp_path, monkeypatch):
    import os

    marker = tmp_path / "pwned"
    monkeypatch.setattr(os, "popen", lambda *a, **k: marker.write_text("ran") or io.StringIO("uid=0"))
    monkeypatch.setattr(os, "system", lambda *a, **k: marker.write_text("ran") or 0)
    try:
        out = render_docx_template(_docx(payload), CONTEXT)
    except TemplateRejected as exc:
        assert exc.messages[0]  # a Chinese message, not a traceback
    else:
        text = _text(out)
        assert "uid=" not in text and "<class" not in text and "function" not in text and "os" not in text.split()
    assert not marker.exists()


def test_the_exact_issue_payload_does_not_reach_os_popen(monkeypatch):
    import os

    calls = []
    monkeypatch.setattr(os, "popen", lambda *a, **k: calls.append(a))
    template = _docx("{{ cycler.__init__.__globals__.os.popen('id').read() }}")
    with pytest.raises(TemplateRejected):
        validate_docx_template(template, CONTEXT)
    try:
        render_docx_template(template, CONTEXT)
    except TemplateRejected:
        pass
    assert calls == []


def test_operators_cannot_allocate_huge_strings():
    for payload in (
        "{{ 'a' * 1000000000 }}",
        "{{ company * 100000000 }}",
        "{{ 9 ** 999999999 }}",
        "{{ 2 ** 64 ** 64 ** 64 }}",
        "{{ '%999999999s' % company }}",
    ):
        with pytest.raises(TemplateRejected):
            render_docx_template(_docx(payload), CONTEXT)


def test_exponential_macros_are_refused():
    macros = "{% macro m0() %}xxxxxxxxxx{% endmacro %}" + "".join(
        f"{{% macro m{i}() %}}{{{{ m{i - 1}() }}}}{{{{ m{i - 1}() }}}}{{% endmacro %}}" for i in range(1, 40)
    )
    with pytest.raises(TemplateRejected) as exc:
        render_docx_template(_docx(macros + "{{ m39() }}"), CONTEXT)
    assert "宏" in exc.value.messages[0]


def test_the_output_of_one_part_is_capped():
    from opsqm.reports import sandbox

    with pytest.raises(sandbox.SecurityError):
        sandbox._capped_concat(iter(["x" * 1024] * (sandbox.MAX_PART_CHARS // 1024 + 1)))


def test_an_unknown_field_is_refused_by_name():
    with pytest.raises(TemplateRejected) as exc:
        validate_docx_template(_docx("{{ audit.code }} {{ auditt.code }}"), CONTEXT)
    assert "“auditt”" in exc.value.messages[0] and "{{ auditt.code }}" in exc.value.messages[0]


def test_a_valid_template_renders_loops_filters_and_escapes_xml():
    template = _docx(
        "{{ company }} {{ audit.code|lower }} {{ audit.items }}",
        "{% for r in results %}{{ loop.index }}:{{ r.ref_id }} {% endfor %}",
        "{{ results|length }} {{ audit.title|default('—') }}",
    )
    validate_docx_template(template, CONTEXT)
    hostile = dict(CONTEXT, company="<w:t>&amp;</w:t> {{7*7}} <script>alert(1)</script>")
    text = _text(render_docx_template(template, hostile))
    assert text.splitlines() == ["<w:t>&amp;</w:t> {{7*7}} <script>alert(1)</script> ia-2026-01 数据键", "1:1.1 2:1.2 ", "2 示例审核"]


def test_user_text_cannot_inject_xml_into_the_document():
    template = _docx("{{ company }}")
    out = render_docx_template(template, {"company": "</w:t></w:r><w:r><w:t>注入"})
    with zipfile.ZipFile(io.BytesIO(out)) as zf:
        xml = zf.read("word/document.xml").decode()
    assert "&lt;/w:t&gt;&lt;/w:r&gt;" in xml and _text(out) == "</w:t></w:r><w:r><w:t>注入"


def test_a_broken_docx_is_rejected_with_a_message():
    with pytest.raises(TemplateRejected) as exc:
        render_docx_template(b"PK\x03\x04 not a docx", CONTEXT)
    assert "模板无法生成报告" in exc.value.messages[0]

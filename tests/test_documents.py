"""The official documents (.docx and PDF per step, blank forms, the office's templates) and the case file
(PDF and ZIP), read back with the tools the receiver would use: python-docx, pdftotext, pdffonts, unzip
and sha256sum."""
import csv
import hashlib
import io
import json
import re
import subprocess
import zipfile

import pytest
from docx import Document
from sqlalchemy import func, select

from inspect_app.domain.documents import word
from inspect_app.domain.documents.forms import FORMS
from inspect_app.domain.field.photos import photo_file
from inspect_app.extensions import db
from inspect_app.models import AdminEvent, CaseEvent, DocumentTemplate, GeneratedDocument, Photo, Violation, Ward

from . import documents_scenario as scenario
from .conftest import csrf_token_from
from .test_cases_web import login
from .test_weekly_web import nfc, pdf_text

SIGNER = "Phạm Văn Dũng"
# The step whose document each kind is, in the scenario.
STEP_OF_KIND = {
    "bb_vphc": "record_violation", "stop_work_notice": "start_stop_work", "bb_continuation": "record_continuation",
    "qd_xu_phat": "penalty_decision", "self_demolition_notice": "self_demolition_notice",
    "qd_cuong_che": "enforcement_decision", "bb_thi_hanh": "enforcement_record", "referral": "refer_to_competent_level",
}
LEFT_OVER = re.compile(r"\{\{|\}\}|\{%|%\}|\{#")


def docx_text(content):
    """Every paragraph of the body, its tables, headers and footers."""
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                parts.extend(p.text for p in cell.paragraphs)
    for section in document.sections:
        parts.extend(p.text for p in section.footer.paragraphs)
        parts.extend(p.text for p in section.header.paragraphs)
    return nfc("\n".join(parts))


def pdf_fonts(content, tmp_path):
    """[(font name, embedded)] of a PDF, from pdffonts."""
    path = tmp_path / "fonts.pdf"
    path.write_bytes(content)
    lines = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout.splitlines()[2:]
    fonts = []
    for line in lines:
        fields = line.split()
        # name type... emb sub uni object ID: emb is the 5th field from the end
        fonts.append((fields[0], fields[-5] == "yes"))
    return fonts


def _with_signer(session):
    session.add(Ward(name="Phường Thới Long", code_prefix="TL", document_settings=json.dumps({"signer_name": SIGNER})))


@pytest.fixture
def full_case(app, people):
    """{step: (case id, event id)} of the scenario, with the ward's signer set."""
    with app.app_context():
        _with_signer(db.session)
        events, case, referred = scenario.build(db.session, people, app.config["PHOTO_DIR"])
        db.session.commit()
        return {key: (event.violation_id, event.id) for key, event in events.items()}


def _url(ids, step, file_format, **query):
    case_id, event_id = ids[step]
    suffix = "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
    return f"/cases/{case_id}/documents/{event_id}.{file_format}{suffix}"


def _logged(app):
    with app.app_context():
        return db.session.scalars(select(GeneratedDocument).order_by(GeneratedDocument.id)).all()


def test_every_form_the_workflow_writes_has_a_default_template_that_passes_the_upload_checks():
    kinds_written = {"bb_vphc", "bb_continuation", "stop_work_notice", "qd_xu_phat", "self_demolition_notice",
                     "qd_cuong_che", "bb_thi_hanh", "referral"}
    assert set(FORMS) == kinds_written == set(STEP_OF_KIND)
    for kind in FORMS:
        word.check_template(kind, word.default_template(kind).content)  # raises if it would be refused


def test_each_document_downloads_as_word_filled_from_the_case(app, full_case):
    client = login(app, "chutich")
    with app.app_context():
        numbers = {key: db.session.get(CaseEvent, event_id).document_number for key, (_c, event_id) in full_case.items()}
    for kind, step in STEP_OF_KIND.items():
        response = client.get(_url(full_case, step, "docx"))
        assert response.status_code == 200, (kind, response.status_code)
        assert response.mimetype == word.DOCX_MIMETYPE
        text = docx_text(response.data)
        code = "TL-2026-0043" if kind == "referral" else "TL-2026-0042"
        owner = "Trần Thị Bảo" if kind == "referral" else "Nguyễn Văn Ánh"
        assert code in text and owner in text, kind
        assert ("Đường số 3" if kind != "referral" else "1 Lộ Vòng Cung") in text, kind
        assert f"Số: {numbers[step]}" in text, kind
        assert re.search(r"ngày \d{2} tháng (0[12]|[3-9]|1[0-2]) năm 2026", text), kind
        assert "ỦY BAN NHÂN DÂN" in text and "PHƯỜNG THỚI LONG" in text and "Độc lập - Tự do - Hạnh phúc" in text
        assert not LEFT_OVER.search(text), (kind, LEFT_OVER.search(text))
        document = Document(io.BytesIO(response.data))
        fonts = {run.font.name for p in document.paragraphs for run in p.runs} | {document.styles["Normal"].font.name}
        assert fonts == {"Times New Roman"}, (kind, fonts)  # Nghị định 30/2020: Times New Roman
        assert text == nfc(text), kind  # Vietnamese letters precomposed, as Word and search expect
        if FORMS[kind].signer == "chairman":  # the chairman who signed it; the ward's signer for a notice he did not
            assert (SIGNER if kind == "stop_work_notice" else "Trần Chủ Tịch") in text, kind
    penalty = docx_text(client.get(_url(full_case, "penalty_decision", "docx")).data)
    assert "60.000.000 đồng (bằng chữ: Sáu mươi triệu đồng)" in penalty
    assert "Buộc phá dỡ phần xây thêm" in penalty and "thời hạn thực hiện 10 ngày" in penalty
    assert "Số: 01/QĐ-XPHC" in penalty and "ngày 08 tháng 9 năm 2026" in penalty
    # The decision names the record it rests on by number and date (Luật XLVPHC Điều 68), and the act in the
    # document's own words (never the UI's catalogue: a missing translation cannot turn it into English).
    assert "Căn cứ Biên bản vi phạm hành chính số 07/BB-VPHC lập ngày 01/09/2026;" in penalty
    assert "Đã thực hiện hành vi vi phạm hành chính: Tổ chức thi công xây dựng công trình không có giấy phép" in penalty
    assert "tình trạng: đang thi công" in penalty and "Đường số 3, khu vực Thới Xương 2 (thửa" in penalty
    assert "\nCHỦ TỊCH\n" in penalty and "TM. ỦY BAN NHÂN DÂN" not in penalty  # the chairman's own competence
    record = docx_text(client.get(_url(full_case, "record_violation", "docx")).data)
    assert "NGƯỜI CHỨNG KIẾN" in record and "ĐẠI DIỆN CHÍNH QUYỀN" in record
    assert "NGƯỜI VI PHẠM\n(Ký, ghi rõ họ tên)\n\nNGƯỜI LẬP BIÊN BẢN" not in record
    assert record.count("Nguyễn Văn Ánh") == 1  # named once, as the violator; never printed under his signature
    enforcement = docx_text(client.get(_url(full_case, "enforcement_decision", "docx")).data)
    assert "Quyết định xử phạt vi phạm hành chính số 01/QĐ-XPHC ngày 08/09/2026" in enforcement
    assert "phải thực hiện: Buộc phá dỡ phần xây thêm, theo Quyết định xử phạt số 01/QĐ-XPHC" in enforcement
    notice = docx_text(client.get(_url(full_case, "self_demolition_notice", "docx")).data)
    assert "đến hết ngày 27/10/2026 (NĐ 16/2022 Điều 81)" in notice  # the deadline with its citation


def test_each_document_as_pdf_prints_the_same_facts_in_an_embedded_serif(app, full_case, tmp_path):
    client = login(app, "chutich")
    for kind, step in STEP_OF_KIND.items():
        response = client.get(_url(full_case, step, "pdf"))
        assert response.status_code == 200 and response.mimetype == "application/pdf", kind
        text = pdf_text(response.data, tmp_path)
        word_text = docx_text(client.get(_url(full_case, step, "docx")).data)
        for line in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"):
            assert line in text, (kind, line)
        for fact in re.findall(r"TL-2026-004\d|Nguyễn Văn Ánh|Trần Thị Bảo|Số: \S+", word_text):
            assert fact in text, (kind, fact)
        fonts = pdf_fonts(response.data, tmp_path)
        assert fonts and all(embedded for _name, embedded in fonts), (kind, fonts)
        # Every glyph from the Times New Roman substitute: Vietnamese letters do not fall back to another face.
        assert all("LiberationSerif" in name for name, _e in fonts), (kind, fonts)
    assert {(d.kind, d.file_format) for d in _logged(app)} >= {(kind, "pdf") for kind in FORMS}


def test_missing_facts_are_listed_before_download_and_blanks_are_a_clear_choice(app, people, tmp_path):
    with app.app_context():  # no ward settings: the stop-work notice has no signer's name
        events, case, _referred = scenario.build(db.session, people, app.config["PHOTO_DIR"], owner_id_number="")
        db.session.commit()
        ids = {key: (event.violation_id, event.id) for key, event in events.items()}
    client = login(app, "kiemtra")
    page = client.get(_url(ids, "start_stop_work", "docx"))
    assert page.status_code == 409
    html = page.get_data(as_text=True)
    assert "thiếu: tên người ký" in html
    assert _logged(app) == []
    # The case page says so before anyone clicks.
    case_page = client.get(f"/cases/{ids['start_stop_work'][0]}").get_data(as_text=True)
    assert case_page.count("thiếu:") >= 1 and "tên người ký" in case_page
    blank_link = re.search(r'id="print-with-blanks" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    printed = client.get(blank_link)
    assert printed.status_code == 200
    text = docx_text(printed.data)
    assert "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH" in text and "\n…………\n" in text  # the signer's name left to write
    [entry] = _logged(app)
    assert entry.with_blanks and entry.kind == "stop_work_notice" and entry.event_id == ids["start_stop_work"][1]


def test_a_missing_id_number_is_named_in_the_users_language(app, people):
    with app.app_context():
        _with_signer(db.session)
        events, case, _referred = scenario.build(db.session, people, app.config["PHOTO_DIR"])
        case.owner_id_number = ""
        db.session.commit()
        url = _url({"x": (case.id, events["penalty_decision"].id)}, "x", "pdf")
    response = login(app, "chutich").get(url)
    assert response.status_code == 409
    assert "thiếu: số định danh (CCCD) của người vi phạm" in response.get_data(as_text=True)


def test_a_blank_form_prints_with_the_wards_header_and_nothing_of_a_case(app, full_case, tmp_path):
    client = login(app, "kiemtra")
    page = client.get("/documents").get_data(as_text=True)
    for kind in FORMS:
        assert f"/documents/blank/{kind}.docx" in page and f"/documents/blank/{kind}.pdf" in page
    assert "/admin/documents" not in page  # the templates are the administrator's
    text = docx_text(client.get("/documents/blank/bb_vphc.docx").data)
    assert "BIÊN BẢN VI PHẠM HÀNH CHÍNH" in text and "PHƯỜNG THỚI LONG" in text
    assert "Thới Long, ngày ………… tháng ………… năm …………" in text
    assert "TL-2026" not in text and "Nguyễn Văn Ánh" not in text and not LEFT_OVER.search(text)
    pdf = client.get("/documents/blank/qd_xu_phat.pdf")
    assert pdf.status_code == 200 and "QUYẾT ĐỊNH" in pdf_text(pdf.data, tmp_path)
    assert [(d.kind, d.violation_id, d.with_blanks) for d in _logged(app)] == [("bb_vphc", None, True),
                                                                                ("qd_xu_phat", None, True)]
    assert client.get("/documents/blank/nothing.docx").status_code == 404


TEMPLATE_PAYLOAD = "{{7*191}} {% if true %}INJECTED{% endif %} {{ config }} <script>alert(1)</script> & ]]>"


def test_template_and_script_payloads_in_every_case_field_stay_literal(app, people, tmp_path):
    payload = TEMPLATE_PAYLOAD
    with app.app_context():
        db.session.add(Ward(name="Phường " + payload, code_prefix="TL"))
        fields = {"owner_name": payload[:200], "owner_address": payload, "address": payload, "description": payload,
                  "khu_vuc": payload[:100], "works_kind": payload[:100], "plot_number": payload[:20],
                  "map_sheet": payload[:20], "permit_number": payload[:60], "owner_phone": payload[:20],
                  "owner_id_number": payload[:20]}
        events, case, _referred = scenario.build(db.session, people, app.config["PHOTO_DIR"], **fields)
        for event in events.values():
            event.remedy, event.note = payload, payload
            event.document_number = payload[:60]
            event.actor.full_name = payload[:120]
        db.session.commit()
        ids = {key: (event.violation_id, event.id) for key, event in events.items()}
    client = login(app, "kiemtra")
    for kind, step in STEP_OF_KIND.items():
        text = docx_text(client.get(_url(ids, step, "docx", blanks=1)).data)
        # Each field printed as typed: the payload's own braces are there, nothing of it was evaluated.
        assert text.count(payload[:20]) >= 4 and "1337" not in text and "<Config" not in text, kind
        assert "INJECTED" not in text.upper().replace("{% IF TRUE %}INJECTED{% ENDIF %}", ""), kind
    assert payload in docx_text(client.get(_url(ids, "penalty_decision", "docx")).data)
    pdf = "".join(pdf_text(client.get(_url(ids, "penalty_decision", "pdf")).data, tmp_path).split())
    assert "".join(payload.split()) in pdf and "1337" not in pdf
    case_id = ids["penalty_decision"][0]
    dossier = "".join(pdf_text(client.get(f"/cases/{case_id}/dossier.pdf").data, tmp_path).split())
    assert dossier.count("".join(payload.split())) >= 3 and "1337" not in dossier
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/cases/{case_id}/dossier.zip").data))
    assert "1337" not in archive.read("vu-viec.geojson").decode("utf-8")
    assert json.loads(archive.read("vu-viec.geojson"))["properties"]["owner_name"] == payload[:200]


def _docx_with(kind, extra_text):
    """The default template of the kind with one more paragraph."""
    document = Document(io.BytesIO(word.default_template(kind).content))
    document.add_paragraph(extra_text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _without_placeholder(kind, name):
    document = Document(io.BytesIO(word.default_template(kind).content))
    for paragraph in list(document.paragraphs) + [p for t in document.tables for r in t.rows for c in r.cells
                                                  for p in c.paragraphs] + list(document.sections[0].footer.paragraphs):
        for run in paragraph.runs:
            run.text = run.text.replace("{{ %s }}" % name, "")  # noqa: UP031
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


_IMAGE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"
_ATTACHED = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate"


def _with_relationship(part, kind, target):
    """The default BB template with one more relationship pointing outside the file."""
    source = zipfile.ZipFile(io.BytesIO(word.default_template("bb_vphc").content))
    relation = f'<Relationship Id="rIdX" Type="{kind}" Target="{target}" TargetMode="External"/>'.encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target_zip:
        names = source.namelist()
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == part:
                data = data.replace(b"</Relationships>", relation + b"</Relationships>")
            target_zip.writestr(item, data)
        if part not in names:
            target_zip.writestr(part, b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                                      b'package/2006/relationships">' + relation + b"</Relationships>")
    return out.getvalue()


def _damaged(kind):
    """A .docx whose compressed [Content_Types].xml is corrupt (zlib fails on it)."""
    content = bytearray(word.default_template(kind).content)
    start = content.index(b"[Content_Types].xml") + len(b"[Content_Types].xml")
    for offset in range(start + 2, start + 40):
        content[offset] ^= 0xFF
    return bytes(content)


def _macro_enabled(kind):
    source = zipfile.ZipFile(io.BytesIO(word.default_template(kind).content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml")
            target.writestr(item, data)
        target.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro")
    return out.getvalue()


BAD_TEMPLATES = {
    "syntax error": (lambda: _docx_with("bb_vphc", "Số: {{ document_number "), "mistake in a placeholder"),
    "unclosed block": (lambda: _docx_with("bb_vphc", "{% if violator_name %} chưa đóng"), "mistake in a placeholder"),
    "unknown placeholder": (lambda: _docx_with("bb_vphc", "{{ chu_dau_tu }}"), "{{ chu_dau_tu }}"),
    "missing placeholder": (lambda: _without_placeholder("bb_vphc", "case_code"), "{{ case_code }}"),
    "macro-enabled": (lambda: _macro_enabled("bb_vphc"), "macros"),
    "not a Word file": (lambda: b"%PDF-1.4 not a docx", "not a Word document"),
    "sandbox escape": (lambda: _docx_with("bb_vphc", "{{ case_code.__class__.__mro__ }}"), "it uses Getattr"),
    "unescaped value": (lambda: _docx_with("bb_vphc", "{{ violator_name|safe }}"), "does not allow: safe"),
    "autoescape off": (lambda: _docx_with("bb_vphc", "{% autoescape false %}{{ violator_name }}{% endautoescape %}"),
                       "conditions and simple filters only"),
    "endless loop": (lambda: _docx_with("bb_vphc", "{% for a in range(100000) %}{% for b in range(100000) %}"
                                                   "{% endfor %}{% endfor %}"), "it uses For"),
    "huge text": (lambda: _docx_with("bb_vphc", "{{ ward_name * 3000000 }}"), "it uses Mul"),
    "linked picture": (lambda: _with_relationship("word/_rels/document.xml.rels", _IMAGE, "http://127.0.0.1:9/leak.png"),
                       "links to files outside it"),
    "remote template": (lambda: _with_relationship("word/_rels/settings.xml.rels", _ATTACHED, "http://x.example/t.dotm"),
                        "links to files outside it"),
    "damaged archive": (lambda: _damaged("bb_vphc"), "not a Word document"),
}


@pytest.mark.parametrize("problem", BAD_TEMPLATES)
def test_a_bad_template_is_refused_with_what_is_wrong_and_nothing_changes(app, people, db_snapshot, problem):
    make, expected = BAD_TEMPLATES[problem]
    client = login(app, "quantri")
    client.post("/language", data={"lang": "en", "csrf_token": csrf_token_from(client.get("/documents").get_data(as_text=True))})
    before = db_snapshot()
    token = csrf_token_from(client.get("/documents").get_data(as_text=True))
    response = client.post("/admin/documents/bb_vphc", data={"csrf_token": token,
                                                             "template": (io.BytesIO(make()), "mau.docx")},
                           content_type="multipart/form-data")
    assert response.status_code == 400, problem
    assert expected in response.get_data(as_text=True).replace("&#34;", '"').replace("&#39;", "'"), problem
    assert db_snapshot() == before


def test_an_uploaded_template_is_used_recorded_and_can_be_undone(app, full_case):
    admin = login(app, "quantri")
    token = csrf_token_from(admin.get("/documents").get_data(as_text=True))
    content = _docx_with("qd_xu_phat", "MẪU RIÊNG CỦA PHƯỜNG cho hồ sơ {{ case_code }}")
    response = admin.post("/admin/documents/qd_xu_phat", data={"csrf_token": token,
                                                               "template": (io.BytesIO(content), "qd-rieng.docx")},
                          content_type="multipart/form-data")
    assert response.status_code == 302
    version = hashlib.sha256(content).hexdigest()
    assert version[:12] in admin.get("/documents").get_data(as_text=True)
    assert admin.get("/admin/documents/qd_xu_phat/template.docx").data == content
    chairman = login(app, "chutich")
    text = docx_text(chairman.get(_url(full_case, "penalty_decision", "docx")).data)
    assert "MẪU RIÊNG CỦA PHƯỜNG cho hồ sơ TL-2026-0042" in text and f"mẫu {version[:12]}" in text
    document = Document(io.BytesIO(chairman.get(_url(full_case, "penalty_decision", "docx")).data))
    assert document.core_properties.version == version
    assert [d.template_version for d in _logged(app)] == [version, version]
    # Other kinds keep the default.
    default_bb = word.default_template("bb_vphc").version
    chairman.get(_url(full_case, "record_violation", "docx"))
    assert _logged(app)[-1].template_version == default_bb
    # Back to the default: the upload is kept (a generated document names it) but no longer used.
    admin.post("/admin/documents/qd_xu_phat", data={"csrf_token": token, "use_default": "1"})
    text = docx_text(chairman.get(_url(full_case, "penalty_decision", "docx")).data)
    assert "MẪU RIÊNG" not in text and _logged(app)[-1].template_version == word.default_template("qd_xu_phat").version
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DocumentTemplate)) == 1
        actions = db.session.scalars(select(AdminEvent.action).order_by(AdminEvent.id)).all()
    assert actions[-2:] == ["document_template.upload", "document_template.default"]


def _upload(client, kind, content, filename):
    """Post a template file through the admin's form (CSRF included)."""
    token = csrf_token_from(client.get("/documents").get_data(as_text=True))
    return client.post(f"/admin/documents/{kind}", data={"csrf_token": token, "template": (io.BytesIO(content), filename)},
                       content_type="multipart/form-data")


def test_only_the_administrator_changes_templates(app, full_case):
    client = login(app, "chutich")
    assert _upload(client, "bb_vphc", _docx_with("bb_vphc", "x"), "x.docx").status_code == 403
    assert client.get("/admin/documents/bb_vphc/template.docx").status_code == 403


def test_documents_and_case_files_are_for_logged_in_users_only(app, full_case):
    anonymous = app.test_client()
    case_id = full_case["record_violation"][0]
    for url in (_url(full_case, "record_violation", "docx"), _url(full_case, "record_violation", "pdf"),
                f"/cases/{case_id}/dossier.pdf", f"/cases/{case_id}/dossier.zip", "/documents/blank/bb_vphc.docx"):
        response = anonymous.get(url)
        assert response.status_code in (302, 401) and not response.data.startswith((b"PK", b"%PDF")), url
    assert _logged(app) == []


def test_a_step_of_another_case_or_without_a_document_is_not_found(app, full_case):
    client = login(app, "chutich")
    case_id, _event = full_case["record_violation"]
    other_case, referral = full_case["refer_to_competent_level"]
    assert client.get(f"/cases/{case_id}/documents/{referral}.docx").status_code == 404
    assert client.get(f"/cases/{case_id}/documents/{full_case['deliver_decision'][1]}.docx").status_code == 404
    assert client.get(f"/cases/{case_id}/documents/999999.docx").status_code == 404
    assert client.get(f"/cases/{other_case}/documents/{referral}.doc").status_code == 404


def test_the_case_file_pdf_has_cover_history_photos_and_chain_head(app, full_case, tmp_path):
    case_id = full_case["record_violation"][0]
    response = login(app, "kiemtra").get(f"/cases/{case_id}/dossier.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data, tmp_path)
    flat = " ".join(text.split())
    with app.app_context():
        case = db.session.get(Violation, case_id)
        head = case.events[-1].content_hash
        photo_hashes = [p.sha256 for p in case.photos]
        event_count = len(case.events)
    for fact in ("HỒ SƠ VỤ VIỆC VI PHẠM TRẬT TỰ XÂY DỰNG", "TL-2026-0042", "Đường số 3, khu vực Thới Xương 2",
                 "Nguyễn Văn Ánh", "Xử phạt / cưỡng chế", "Nguyễn Văn Kiểm", "ỦY BAN NHÂN DÂN", "PHƯỜNG THỚI LONG"):
        assert fact in flat, fact
    assert head in "".join(text.split())
    for digest in photo_hashes:
        assert digest in "".join(text.split())
    assert f"Diễn biến xử lý ({event_count} mục)" in flat
    assert "Vị trí (vĩ độ, kinh độ) 10.177500, 105.597500 – ghim trên bản đồ khi báo cáo" in flat
    assert "Diện tích vi phạm (m²) 45,5" in flat
    assert "01/QĐ-XPHC" in flat and "Phạt tiền: 60.000.000 đồng" in flat and "(Luật XLVPHC Điều 66 khoản 1)" in flat
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", "-"], input=response.data, capture_output=True,
                                                             check=True).stdout.decode()).group(1))
    assert f"Trang 1/{pages}" in flat and f"Trang {pages}/{pages}" in flat
    assert flat.count("UBND PHƯỜNG THỚI LONG · HỒ SƠ TL-2026-0042") == pages  # the ward's header on every page
    assert all(embedded for _name, embedded in pdf_fonts(response.data, tmp_path))
    [entry] = _logged(app)
    assert (entry.kind, entry.file_format, entry.violation_id) == ("dossier", "pdf", case_id)
    assert entry.sha256 == hashlib.sha256(response.data).hexdigest()


def test_the_case_file_zip_holds_the_originals_and_a_manifest_that_detects_a_change(app, full_case, tmp_path):
    case_id = full_case["record_violation"][0]
    response = login(app, "chutich").get(f"/cases/{case_id}/dossier.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    folder = tmp_path / "ho-so"
    zipfile.ZipFile(io.BytesIO(response.data)).extractall(folder)
    rows = list(csv.DictReader((folder / "MANIFEST.csv").open(encoding="utf-8")))
    listed = {row["file"] for row in rows}
    on_disk = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
    assert on_disk - listed == {"MANIFEST.csv", "SHA256SUMS", "README.txt"}
    for row in rows:
        data = (folder / row["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == row["sha256"] and len(data) == int(row["size_bytes"])
    with app.app_context():
        case = db.session.get(Violation, case_id)
        originals = {p.sha256: photo_file(app.config["PHOTO_DIR"], p.stored_name).read_bytes() for p in case.photos}
        documented = [e for e in case.events if e.kind in ("action", "approval") and e.document_kind in FORMS]
    photos = sorted(folder.glob("anh/*"))
    assert len(photos) == len(originals)
    for path in photos:  # the files as uploaded, byte for byte
        assert path.read_bytes() == originals[hashlib.sha256(path.read_bytes()).hexdigest()]
    assert len(list(folder.glob("van-ban/*.docx"))) == len(documented)
    assert json.loads((folder / "vu-viec.geojson").read_text(encoding="utf-8"))["properties"]["code"] == "TL-2026-0042"
    assert pdf_text((folder / "ho-so.pdf").read_bytes(), tmp_path).count("TL-2026-0042") >= 1
    # The documented one-line check: every file OK; then one photo changed is caught.
    readme = (folder / "README.txt").read_text(encoding="utf-8")
    assert "sha256sum -c SHA256SUMS" in readme
    checked = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=folder, capture_output=True, text=True)
    assert checked.returncode == 0 and checked.stdout.count(": OK") == len(rows)
    with photos[0].open("r+b") as handle:
        handle.seek(200)
        handle.write(b"\x00\x01")
    checked = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=folder, capture_output=True, text=True)
    assert checked.returncode != 0 and f"{photos[0].relative_to(folder)}: FAILED" in checked.stdout
    assert [(d.kind, d.file_format) for d in _logged(app)] == [("dossier", "zip")]


def test_the_command_line_writes_the_same_case_file(app, full_case, tmp_path):
    out = tmp_path / "TL-2026-0042.zip"
    result = app.test_cli_runner().invoke(args=["cases", "dossier", "TL-2026-0042", str(out)])
    assert result.exit_code == 0, result.output
    names = zipfile.ZipFile(out).namelist()
    assert {"ho-so.pdf", "SHA256SUMS", "MANIFEST.csv", "vu-viec.geojson"} <= set(names)
    assert sum(name.startswith("anh/") for name in names) == 2
    [entry] = _logged(app)
    assert entry.user_id is None and entry.sha256 == hashlib.sha256(out.read_bytes()).hexdigest()
    missing = app.test_cli_runner().invoke(args=["cases", "dossier", "TL-2026-9999", str(tmp_path / "x.zip")])
    assert missing.exit_code != 0 and "TL-2026-9999" in missing.output and not (tmp_path / "x.zip").exists()


def test_a_photo_file_gone_from_the_disk_is_said_in_the_case_file_not_hidden(app, full_case, tmp_path):
    case_id = full_case["record_violation"][0]
    with app.app_context():
        photo = db.session.scalars(select(Photo).where(Photo.violation_id == case_id)).first()
        photo_file(app.config["PHOTO_DIR"], photo.stored_name).unlink()
    client = login(app, "chutich")
    text = pdf_text(client.get(f"/cases/{case_id}/dossier.pdf").data, tmp_path)
    assert "Không đọc được tệp ảnh" in text
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/cases/{case_id}/dossier.zip").data))
    assert sum(name.startswith("anh/") for name in archive.namelist()) == 1
    readme = archive.read("README.txt").decode("utf-8")
    assert f"THIẾU / MISSING: anh/001-{photo.sha256[:12]}.jpg (SHA-256 {photo.sha256})" in readme
    # The check fails for it too: its line is in SHA256SUMS with the hash recorded at upload.
    assert f"{photo.sha256}  anh/001-{photo.sha256[:12]}.jpg" in archive.read("SHA256SUMS").decode()


def test_the_case_file_sketch_draws_the_ward_and_the_nearest_route_from_the_apps_data(app, people, tmp_path):
    from geoalchemy2.shape import to_shape
    from shapely.geometry import Point

    from inspect_app.documents import case_file
    from inspect_app.domain.field.coverage import to_local_metres
    from inspect_app.models import Route
    from inspect_app.operations import demo

    with app.app_context():
        demo.seed_demo(db.session, "Phường Thới Long", "TL")  # the ward's boundary and three routes
        _events, case, _referred = scenario.build(db.session, people, app.config["PHOTO_DIR"])
        db.session.commit()
        distances = {route.name: to_local_metres(to_shape(route.geom), scenario.CASE_LON, scenario.CASE_LAT)
                     .distance(Point(0, 0)) for route in db.session.scalars(select(Route))}
        nearest = min(distances, key=distances.get)
        with app.test_request_context():
            sketch = case_file.build(db.session.get(Violation, case.id)).sketch
        case_id = case.id
    assert sketch.has_position and sketch.boundary and len(sketch.routes) == len(distances) == 3
    assert sketch.nearest_route == nearest and abs(sketch.nearest_m - distances[nearest]) < 0.01
    text = " ".join(pdf_text(login(app, "chutich").get(f"/cases/{case_id}/dossier.pdf").data, tmp_path).split())
    assert f"tuyến gần nhất – {nearest}, cách {round(distances[nearest])} m" in text
    assert "gần đúng, chưa xác minh ngoài thực địa" in text


def test_a_case_without_a_position_says_so_in_its_case_file(app, people, tmp_path):
    with app.app_context():
        _events, case, _referred = scenario.build(db.session, people, app.config["PHOTO_DIR"], position=None)
        db.session.commit()
        case_id = case.id
    text = " ".join(pdf_text(login(app, "chutich").get(f"/cases/{case_id}/dossier.pdf").data, tmp_path).split())
    assert "Vị trí chưa xác định" in text


def test_a_photo_changed_on_the_server_fails_the_check_and_is_flagged_in_the_case_file(app, full_case, tmp_path):
    case_id = full_case["record_violation"][0]
    with app.app_context():
        photo = db.session.scalars(select(Photo).where(Photo.violation_id == case_id).order_by(Photo.id)).first()
        path = photo_file(app.config["PHOTO_DIR"], photo.stored_name)
        data = bytearray(path.read_bytes())
        data[300] ^= 0x01  # one bit of the image, as a careless edit would
        path.write_bytes(bytes(data))
    client = login(app, "chutich")
    text = " ".join(pdf_text(client.get(f"/cases/{case_id}/dossier.pdf").data, tmp_path).split())
    assert "TỆP ẢNH ĐÃ KHÁC VỚI LÚC TẢI LÊN" in text
    folder = tmp_path / "ho-so"
    zipfile.ZipFile(io.BytesIO(client.get(f"/cases/{case_id}/dossier.zip").data)).extractall(folder)
    checked = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=folder, capture_output=True, text=True)
    assert checked.returncode != 0 and f"anh/001-{photo.sha256[:12]}.jpg: FAILED" in checked.stdout
    assert "KHÁC / CHANGED: anh/001-" in (folder / "README.txt").read_text(encoding="utf-8")


def test_the_zip_shows_one_state_of_the_case_even_if_it_changes_while_the_pdf_prints(app, full_case, monkeypatch):
    from inspect_app.reports import pdf

    case_id = full_case["record_violation"][0]
    real = pdf.html_to_pdf

    def printing_while_someone_edits(html, chromium, **kwargs):
        with app.app_context():  # another request changes the owner while Chromium prints
            db.session.get(Violation, case_id).owner_name = "Người Khác"
            db.session.commit()
        return real(html, chromium, **kwargs)

    monkeypatch.setattr(pdf, "html_to_pdf", printing_while_someone_edits)
    archive = zipfile.ZipFile(io.BytesIO(login(app, "chutich").get(f"/cases/{case_id}/dossier.zip").data))
    assert json.loads(archive.read("vu-viec.geojson"))["properties"]["owner_name"] == "Nguyễn Văn Ánh"
    first_document = next(name for name in archive.namelist() if name.startswith("van-ban/"))
    assert "Nguyễn Văn Ánh" in docx_text(archive.read(first_document))
    assert "Người Khác" not in docx_text(archive.read(first_document))


@pytest.mark.parametrize("value", ["Công ty A & B <x>", "A{_{ x }_}B", "tên_có_gạch {_% y %_}", 'trích "dẫn" ]]>'])
def test_a_value_prints_exactly_as_typed(value):
    from inspect_app.domain.documents import content

    filled = content.sample_document("bb_vphc")
    filled.values["violator_name"] = value
    text = docx_text(word.render_docx(word.default_template("bb_vphc"), filled))
    assert f"Họ và tên (tên tổ chức): {value}" in text


def test_text_no_document_can_hold_is_refused_at_input():
    from inspect_app.domain.inputs import FieldReader

    for bad in ("A\uffffB", "A\ufffeB", "A\ud800B", "A\ufdd0B"):
        reader = FieldReader({"owner_name": bad})
        assert reader.text("owner_name", 200) in ("", None) or reader.errors, repr(bad)
        assert "owner_name" in reader.errors, repr(bad)
    assert not FieldReader({"owner_name": "Nguyễn Văn Ánh"}).errors


def test_a_renderer_that_hangs_is_stopped_with_everything_it_started(tmp_path):
    import os
    import time

    from inspect_app.reports import pdf

    pid_file = tmp_path / "child.pid"
    script = tmp_path / "fake-office"
    # Like LibreOffice's launcher: it starts a second process, which would go on after the launcher is killed.
    script.write_text(f"#!/bin/sh\nsh -c 'echo $$ > {pid_file}; exec sleep 60' &\nsleep 60\n")
    script.chmod(0o755)
    with pytest.raises(pdf.PdfUnavailable):
        pdf.docx_to_pdf(b"PK", str(script), timeout_s=1)
    child = int(pid_file.read_text())
    for _ in range(50):
        if not os.path.exists(f"/proc/{child}") or "Z" in open(f"/proc/{child}/stat").read().split()[2]:
            break
        time.sleep(0.05)
    else:
        os.kill(child, 9)
        pytest.fail("the renderer's child process outlived the request")


def test_an_uploaded_file_name_keeps_printable_characters_only(app, people):
    response = _upload(login(app, "quantri"), "bb_vphc", _docx_with("bb_vphc", "x"), "mẫu\x00\x1b[31m.docx")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(DocumentTemplate.filename)) == "mẫu[31m.docx"


def test_the_running_header_reaches_css_only_as_escapes():
    from inspect_app.documents.case_file import css_string

    escaped = css_string('Phường "A"; } </style><script>x</script> \\ {{ 7*191 }}')
    assert re.fullmatch(r"(?:[A-Za-z0-9]|\\[0-9a-f]{6})*", escaped)

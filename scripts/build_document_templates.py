"""Build the default Word templates of the official documents (inspect_app/data/document_templates/).

    .venv/bin/python scripts/build_document_templates.py

The .docx files are committed: they are what the admin page offers for download and what the app
fills until the office uploads its own. Rerun after changing the wording here; tests check that every
default renders with a sample case and names every fact it must (tests/test_documents.py).

Layout (Nghị định 30/2020/NĐ-CP, Phụ lục I): A4, margins 20/20/30/15 mm, Times New Roman 13-14 pt; at the
top the issuing body on the left (with the document's number under it) and the national title and
motto on the right (with place and date); title; body; signature; "Nơi nhận". The content follows the
forms of Nghị định 118/2021/NĐ-CP (to confirm: docs/DOCUMENTS.md).
"""
import sys
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from inspect_app.domain.documents.forms import FORMS, SUBTITLES  # noqa: E402

OUT = ROOT / "inspect_app" / "data" / "document_templates"
FONT = "Times New Roman"

CAN_CU = [
    "Căn cứ Luật Xử lý vi phạm hành chính ngày 20 tháng 6 năm 2012; Luật sửa đổi, bổ sung một số điều "
    "của Luật Xử lý vi phạm hành chính;",
    "Căn cứ Nghị định số 16/2022/NĐ-CP ngày 28 tháng 01 năm 2022 của Chính phủ quy định xử phạt vi phạm "
    "hành chính về xây dựng;",
    "Căn cứ Nghị định số 118/2021/NĐ-CP ngày 23 tháng 12 năm 2021 của Chính phủ quy định chi tiết một số "
    "điều và biện pháp thi hành Luật Xử lý vi phạm hành chính;",
]
VIOLATOR = [
    "Họ và tên (tên tổ chức): {{ violator_name }}",
    "Số định danh cá nhân/CCCD/hộ chiếu (mã số doanh nghiệp): {{ violator_id_number }}",
    "Địa chỉ: {{ violator_address }}; điện thoại: {{ violator_phone }}",
]
WORKS = [
    "Công trình: {{ works_kind }}, tại {{ works_address }} (thửa đất số {{ plot_number }}, tờ bản đồ số "
    "{{ map_sheet }}); diện tích vi phạm {{ area_m2 }} m², {{ floors }} tầng; tình trạng: {{ works_state }}; "
    "giấy phép: {{ permit }}.",
]
ON_SITE = [
    "Hôm nay, hồi ….. giờ ….. phút, ngày {{ date_day }} tháng {{ date_month }} năm {{ date_year }}, "
    "tại {{ works_address }}.",
]
# Who was there is written on paper: the app knows only who made the record.
PRESENT = [
    "Chúng tôi gồm: 1. Ông (bà) {{ recorder_name }}, chức vụ: ………………, Ủy ban nhân dân {{ ward_name }} "
    "(người lập biên bản); 2. Ông (bà) ……………………………, chức vụ: ………………;",
    "Với sự chứng kiến của: 1. Ông (bà) ……………………………, người chứng kiến; 2. Ông (bà) ……………………………, "
    "đại diện chính quyền địa phương.",
]
STATEMENTS = [
    "Ý kiến trình bày của người vi phạm: ……………………………………………………………………",
    "Ý kiến trình bày của người chứng kiến, đại diện chính quyền địa phương: ………………………………………",
]
RECORD_END = [
    "Biên bản lập xong hồi ….. giờ ….. phút cùng ngày, gồm ….. trang, được lập thành ….. bản có nội dung và "
    "giá trị như nhau, đã đọc lại cho những người có tên trên cùng nghe, công nhận là đúng và cùng ký tên; "
    "một bản giao cho người vi phạm.",
    "Lý do người vi phạm không ký biên bản (nếu có): ……………………………………………",
    "Ghi chú: {{ note }}",
]

BODIES = {
    "bb_vphc": [
        *ON_SITE, *CAN_CU[:1], CAN_CU[1][:-1] + ".", *PRESENT,
        "Tiến hành lập biên bản vi phạm hành chính đối với:", *VIOLATOR,
        "Đã có hành vi vi phạm hành chính: {{ violation }}.", *WORKS,
        "Quy định tại: {{ legal_basis }}.",
        "Yêu cầu người vi phạm dừng ngay hành vi vi phạm, dừng thi công xây dựng công trình vi phạm.",
        *STATEMENTS,
        # To confirm (Luật XLVPHC Điều 61): whether and in how many working days the violator may explain in writing.
        "Người vi phạm có quyền giải trình bằng văn bản với người có thẩm quyền xử phạt trong thời hạn ….. ngày "
        "làm việc kể từ ngày lập biên bản này (Điều 61 Luật Xử lý vi phạm hành chính).",
        *RECORD_END,
    ],
    "bb_continuation": [
        *ON_SITE, *CAN_CU[:1], CAN_CU[1][:-1] + ".", *PRESENT,
        "Tiến hành lập biên bản vi phạm hành chính đối với:", *VIOLATOR,
        "Đã có hành vi: tiếp tục thực hiện hành vi vi phạm sau khi đã bị lập Biên bản vi phạm hành chính số "
        "{{ record_number }} ngày {{ record_date }} và bị yêu cầu dừng thi công.", *WORKS,
        "Quy định tại: khoản 12 Điều 16 Nghị định số 16/2022/NĐ-CP.",
        *STATEMENTS, *RECORD_END,
    ],
    "stop_work_notice": [
        "Căn cứ Biên bản vi phạm hành chính số {{ record_number }} lập ngày {{ record_date }}.",
        "Ủy ban nhân dân {{ ward_name }} thông báo: công trình {{ works_kind }} tại {{ works_address }} "
        "(thửa đất số {{ plot_number }}, tờ bản đồ số {{ map_sheet }}) do ông (bà) {{ violator_name }}, địa chỉ "
        "{{ violator_address }}, làm chủ đầu tư, đã bị lập biên bản vi phạm hành chính về trật tự xây dựng.",
        "Yêu cầu chủ đầu tư, nhà thầu dừng ngay việc thi công xây dựng công trình vi phạm; Ủy ban nhân dân "
        "phường tổ chức theo dõi việc dừng thi công. Trường hợp tiếp tục thi công sẽ bị xử lý theo khoản 12 "
        "Điều 16 Nghị định số 16/2022/NĐ-CP.",
    ],
    "qd_xu_phat": [
        "CHỦ TỊCH ỦY BAN NHÂN DÂN {{ ward_upper }}",
        *CAN_CU,
        "Căn cứ Biên bản vi phạm hành chính số {{ record_number }} lập ngày {{ record_date }};",
        "Căn cứ kết quả xác minh, giải trình (nếu có): ……………………………………………………….",
        "QUYẾT ĐỊNH:",
        "Điều 1. Xử phạt vi phạm hành chính đối với:", *VIOLATOR,
        "Đã thực hiện hành vi vi phạm hành chính: {{ violation }}.", *WORKS,
        "Quy định tại: {{ legal_basis }}.",
        "Tình tiết tăng nặng: ………………………; tình tiết giảm nhẹ: ……………………….",
        "Hình thức xử phạt chính: phạt tiền {{ fine }} đồng (bằng chữ: {{ fine_in_words }}).",
        "Biện pháp khắc phục hậu quả: {{ remedy }}; thời hạn thực hiện {{ compliance_days }} ngày kể từ ngày "
        "nhận Quyết định này. Mọi chi phí tổ chức thực hiện biện pháp khắc phục hậu quả do người vi phạm chi trả.",
        "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
        "Ông (bà) {{ violator_name }} phải nghiêm chỉnh chấp hành Quyết định này và nộp tiền phạt tại "
        "……………………………… (số tài khoản ………………………) trong thời hạn 10 ngày kể từ ngày nhận được "
        "Quyết định này. Quá thời hạn trên mà không tự nguyện chấp hành thì bị cưỡng chế thi hành. Người bị xử "
        "phạt có quyền khiếu nại, khởi kiện hành chính đối với Quyết định này theo quy định của pháp luật.",
        "Điều 3. Quyết định này được: 1. Giao cho ông (bà) {{ violator_name }} để chấp hành; 2. Gửi cho "
        "……………………………… để thu tiền phạt; 3. Gửi cho ……………………………… để tổ chức thực hiện.",
    ],
    "self_demolition_notice": [
        "Căn cứ Quyết định xử phạt vi phạm hành chính số {{ decision_number }} ngày {{ decision_date }}.",
        "Ủy ban nhân dân {{ ward_name }} thông báo ông (bà) {{ violator_name }}, địa chỉ {{ violator_address }}, "
        "tự phá dỡ công trình, phần công trình vi phạm: {{ works_kind }} tại {{ works_address }}.",
        "Thời hạn tự phá dỡ: đến hết ngày {{ deadline }} ({{ deadline_citation }}). Quá thời hạn trên mà không tự "
        "phá dỡ, Ủy ban nhân dân phường sẽ tổ chức cưỡng chế phá dỡ theo quy định.",
    ],
    "qd_cuong_che": [
        "CHỦ TỊCH ỦY BAN NHÂN DÂN {{ ward_upper }}",
        *CAN_CU,
        "Căn cứ Nghị định số 166/2013/NĐ-CP ngày 12 tháng 11 năm 2013 của Chính phủ quy định về cưỡng chế thi "
        "hành quyết định xử phạt vi phạm hành chính;",
        "Căn cứ Quyết định xử phạt vi phạm hành chính số {{ decision_number }} ngày {{ decision_date }} và việc "
        "không tự nguyện chấp hành trong thời hạn.",
        "QUYẾT ĐỊNH:",
        "Điều 1. Cưỡng chế buộc thực hiện biện pháp khắc phục hậu quả đối với:", *VIOLATOR,
        "Hành vi vi phạm: {{ violation }}.", *WORKS,
        "Biện pháp cưỡng chế: buộc thực hiện biện pháp khắc phục hậu quả (Điều 86 Luật Xử lý vi phạm hành chính).",
        "Biện pháp khắc phục hậu quả phải thực hiện: {{ remedy }}, theo Quyết định xử phạt số {{ decision_number }} "
        "ngày {{ decision_date }}.",
        "Thời gian, địa điểm cưỡng chế: ………………………………………… Mọi chi phí tổ chức cưỡng chế do cá nhân, "
        "tổ chức bị cưỡng chế chi trả.",
        "Điều 2. Quyết định này có hiệu lực kể từ ngày ký. Người bị cưỡng chế có quyền khiếu nại, khởi kiện hành "
        "chính theo quy định của pháp luật.",
        "Điều 3. Quyết định này được giao cho ông (bà) {{ violator_name }} để chấp hành và gửi cho "
        "……………………………… để tổ chức thực hiện.",
    ],
    "bb_thi_hanh": [
        *ON_SITE,
        "Thi hành Quyết định cưỡng chế số {{ enforcement_number }} ngày {{ enforcement_date }},",
        *PRESENT,
        "Lực lượng tham gia cưỡng chế: ……………………………………………………………………",
        "Tiến hành cưỡng chế thi hành quyết định đối với:", *VIOLATOR, *WORKS,
        "Kết quả cưỡng chế: {{ note }}",
        *STATEMENTS, *RECORD_END[:2],
    ],
    "referral": [
        "Kính gửi: ………………………………………………",
        "Ngày {{ record_date }}, Ủy ban nhân dân {{ ward_name }} đã lập Biên bản vi phạm hành chính số "
        "{{ record_number }} đối với ông (bà) {{ violator_name }}, địa chỉ {{ violator_address }}, về hành vi: "
        "{{ violation }} ({{ legal_basis }}), tại {{ works_address }}.",
        "Mức phạt dự kiến vượt thẩm quyền xử phạt của Chủ tịch Ủy ban nhân dân phường. Ủy ban nhân dân "
        "{{ ward_name }} chuyển hồ sơ vụ vi phạm (hồ sơ {{ case_code }}) đến quý cơ quan để xem xét, xử phạt theo "
        "thẩm quyền.",
        "Ghi chú: {{ note }}",
    ],
}
# Lines set apart: centred and bold (the signer's title in a decision, "QUYẾT ĐỊNH:").
CENTRED = ("CHỦ TỊCH ỦY BAN NHÂN DÂN {{ ward_upper }}", "QUYẾT ĐỊNH:")
# Decisions are the chairman's own (his competence): signed "CHỦ TỊCH"; notices and letters on behalf of
# the committee: "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH".
PERSONAL_DECISIONS = ("qd_xu_phat", "qd_cuong_che")
RECEIVERS = {
    "qd_xu_phat": ["- Như Điều 3;", "- Lưu: VT, hồ sơ {{ case_code }}."],
    "qd_cuong_che": ["- Như Điều 3;", "- Lưu: VT, hồ sơ {{ case_code }}."],
    "referral": ["- Như trên;", "- Lưu: VT, hồ sơ {{ case_code }}."],
}
DEFAULT_RECEIVERS = ["- Ông (bà) {{ violator_name }};", "- Lưu: VT, hồ sơ {{ case_code }}."]


def _font(run, size=13, bold=False, italic=False):
    run.font.name = FONT
    run.font.size = Pt(size)
    run.bold, run.italic = bold, italic
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for script in ("w:eastAsia", "w:cs"):
        fonts.set(qn(script), FONT)


def _paragraph(container, text, size=13, bold=False, italic=False, align=None, after=3, indent=False):
    paragraph = container.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(after)
    paragraph.paragraph_format.space_before = Pt(0)
    if indent:
        paragraph.paragraph_format.first_line_indent = Mm(10)
    _font(paragraph.add_run(text), size, bold, italic)
    return paragraph


def _rule(cell, width_mm):
    """The short line under the issuing body and under the motto (a bottom border on an empty paragraph)."""
    paragraph = cell.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_after = Pt(4)
    side = Mm(0)
    paragraph.paragraph_format.left_indent = side
    properties = paragraph._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    border.append(bottom)
    properties.append(border)
    paragraph.paragraph_format.left_indent = Mm(width_mm)
    paragraph.paragraph_format.right_indent = Mm(width_mm)
    _font(paragraph.add_run(""), 4)


def _columns(table, *widths_mm):
    """Fixed column widths (Word and LibreOffice both read the grid and the cells)."""
    table.autofit = False
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)


def _no_borders(table):
    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    properties.append(borders)


def _header(document, form):
    if form.form_code:
        _paragraph(document, form.form_code, size=11, italic=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(table)
    _columns(table, 68, 97)
    left, right = table.rows[0].cells
    left.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(left.paragraphs[0].add_run("ỦY BAN NHÂN DÂN"), 12, bold=True)
    _paragraph(left, "{{ ward_upper }}", 12, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _rule(left, 18)
    _paragraph(left, "Số: {{ document_number }}", 13, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    if form.kind == "referral":
        _paragraph(left, SUBTITLES["referral"], 12, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(right.paragraphs[0].add_run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), 12, bold=True)
    _paragraph(right, "Độc lập - Tự do - Hạnh phúc", 13, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _rule(right, 25)
    _paragraph(right, "{{ date_line }}", 13, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)


def _block(cell, title, note, name="", first=False):
    """A signature block in a cell: title, (how to sign), room to sign, the printed name."""
    paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in title.split("\n"):
        if paragraph.runs:
            paragraph = _paragraph(cell, "", align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
        _font(paragraph.add_run(line), 13, bold=True)
    if note:
        _paragraph(cell, note, 12, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _paragraph(cell, "", after=54)
    _paragraph(cell, name, 13, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=6)


def _signatures(document, form):
    if form.signer != "chairman":
        # A record: the violator, the officer, the witness and the local government's representative sign.
        # The violator's name is not printed under his block: if he refuses, the page must not say he signed.
        table = document.add_table(rows=2, cols=2)
        _no_borders(table)
        _columns(table, 82, 83)
        violator = "NGƯỜI BỊ CƯỠNG CHẾ" if form.kind == "bb_thi_hanh" else "NGƯỜI VI PHẠM"
        _block(table.rows[0].cells[0], violator, "(Ký, ghi rõ họ tên)", first=True)
        _block(table.rows[0].cells[1], "NGƯỜI LẬP BIÊN BẢN", "(Ký, ghi rõ họ tên)", "{{ recorder_name }}", first=True)
        _block(table.rows[1].cells[0], "NGƯỜI CHỨNG KIẾN", "(Ký, ghi rõ họ tên)", first=True)
        _block(table.rows[1].cells[1], "ĐẠI DIỆN CHÍNH QUYỀN", "(Ký, ghi rõ họ tên)", first=True)
        _keep_rows_whole(table)
        return
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    _columns(table, 75, 90)
    left, right = table.rows[0].cells
    _font(left.paragraphs[0].add_run("Nơi nhận:"), 12, bold=True, italic=True)
    for line in RECEIVERS.get(form.kind, DEFAULT_RECEIVERS):
        _paragraph(left, line, 11, after=0)
    title = "CHỦ TỊCH" if form.kind in PERSONAL_DECISIONS else "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"
    _block(right, title, "", "{{ signer_name }}", first=True)
    _keep_rows_whole(table)


def _keep_rows_whole(table):
    for row in table.rows:
        properties = row._tr.get_or_add_trPr()
        cant_split = OxmlElement("w:cantSplit")
        properties.append(cant_split)


def _footer(document):
    footer = document.sections[0].footer
    paragraph = footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _font(paragraph.add_run("Hồ sơ {{ case_code }} · mẫu {{ template_version }}"), 9, italic=True)


def build(form):
    """The default template of one kind of document."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    style = document.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(13)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for script in ("w:eastAsia", "w:cs"):
        fonts.set(qn(script), FONT)
    style.paragraph_format.space_after = Pt(0)
    style.paragraph_format.line_spacing = 1.1
    _header(document, form)
    if form.kind != "referral":
        _paragraph(document, "", after=6)
        _paragraph(document, form.title, 14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
        _paragraph(document, SUBTITLES[form.kind], 14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=12)
    else:
        _paragraph(document, "", after=12)
    lines = BODIES[form.kind]
    for index, line in enumerate(lines):
        if line in CENTRED:
            paragraph = _paragraph(document, line, 14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=6)
        else:
            # Justified, but for lines with dots to fill by hand (justifying them spreads the words apart).
            align = WD_ALIGN_PARAGRAPH.LEFT if "……" in line else WD_ALIGN_PARAGRAPH.JUSTIFY
            paragraph = _paragraph(document, line, 13, italic=line.startswith("Căn cứ"), align=align, indent=True)
        # The last lines stay on the page of the signatures: a signature never stands alone on a page.
        paragraph.paragraph_format.keep_with_next = index >= len(lines) - 2
    _paragraph(document, "", after=6).paragraph_format.keep_with_next = True
    _signatures(document, form)
    _footer(document)
    core = document.core_properties
    core.author, core.title = "", form.title
    return document


def main():
    """Write every default template."""
    OUT.mkdir(parents=True, exist_ok=True)
    for form in FORMS.values():
        build(form).save(OUT / f"{form.kind}.docx")
        print(OUT / f"{form.kind}.docx")


if __name__ == "__main__":
    main()

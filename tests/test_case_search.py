"""Finding a case as people type on a phone (no diacritics, đ as d, a code's number alone), through the
full-text index on both databases, kept in step with every change; and case lists that page instead of
stopping silently at 1,000 rows."""
import pytest
from sqlalchemy import func, select, text, update

from inspect_app.domain.cases import case_queries, case_search
from inspect_app.domain.geo import spatial
from inspect_app.extensions import db
from inspect_app.models import User, Violation

from .factories import make_case
from .test_cases_web import login
from .weekly_scenario import _act, local

TODAY = local(__import__("datetime").date(2026, 11, 30)).date()


def test_folding_removes_diacritics_and_dd():
    assert case_search.fold("Nguyễn Văn Ánh") == "nguyen van anh"
    assert case_search.fold("ĐƯỜNG số 3, Đ/c: Thới Xương 2") == "duong so 3 d c thoi xuong 2"
    assert case_search.fold("Nguyễn Văn Ánh") == case_search.fold("Nguyễn Văn Ánh")  # NFD as some phones send
    assert case_search.read_query("  Nguyen   VAN a ").words == ("nguyen", "van", "a")
    assert case_search.read_query("42").number == 42 and case_search.read_query("TL-2026-0042").number == 42
    assert case_search.read_query("duong so 3").number is None  # a house number is not a case code


@pytest.fixture
def ward_cases(app, people):
    """A few cases with Vietnamese names and addresses, and 30 others that must not match."""
    with app.app_context():
        officer = people["inspector"]
        make_case(db.session, officer, code="TL-2026-0042", owner_name="Nguyễn Văn A", address="Đường số 3",
                  khu_vuc="Thới Xương 2", owner_phone="0909 123 456", description="Xây thêm tầng hai")
        make_case(db.session, officer, code="TL-2026-0043", owner_name="Trần Thị Bảo", address="Số 42 Lộ Vòng Cung",
                  khu_vuc="Bắc Vàng")
        make_case(db.session, officer, code="TL-2026-0044", owner_name="Nguyễn Văn Ánh Dương", address="Hẻm 5",
                  khu_vuc="Thới Mỹ")
        for n in range(30):
            make_case(db.session, officer, code=f"TL-2025-{n + 100:04d}", owner_name=f"Lê Văn Khác {n}",
                      address=f"Ấp {n}", khu_vuc="Thới Hòa")
        db.session.commit()


def _codes(app, q, **filters):
    with app.app_context():
        page = case_queries.find_cases(db.session, case_queries.CaseFilters(q=q, **filters), TODAY)
        return [case.code for case in page.cases]


def test_people_find_a_case_by_what_they_remember_typed_without_diacritics(app, ward_cases):
    assert _codes(app, "nguyen van a") == ["TL-2026-0042"]  # one letter is a word, not the start of "anh"
    assert _codes(app, "nguyen van an") == ["TL-2026-0044"]  # "an", being typed, starts "anh"
    assert _codes(app, "Nguyễn Văn Ánh") == ["TL-2026-0044"]
    assert _codes(app, "duong so 3") == ["TL-2026-0042"]
    assert _codes(app, "thoi xuong") == ["TL-2026-0042"]
    assert _codes(app, "0909") == ["TL-2026-0042"]           # the owner's phone
    assert _codes(app, "tang hai") == ["TL-2026-0042"]       # the description
    assert _codes(app, "nguyen van anh duo") == ["TL-2026-0044"]  # the last word as it is being typed
    assert _codes(app, "nguy van") == []  # earlier words are whole words
    assert _codes(app, "khong co ai") == []
    assert _codes(app, "bao", khu_vuc="Bắc Vàng") == ["TL-2026-0043"]  # with the other filters
    assert _codes(app, "bao", khu_vuc="Thới Mỹ") == []


def test_a_case_code_is_found_by_its_number_alone_first(app, ward_cases):
    codes = _codes(app, "42")
    assert codes[0] == "TL-2026-0042" and "TL-2026-0043" in codes  # "Số 42 Lộ Vòng Cung" matches too, after
    assert _codes(app, "tl-2026-0042")[0] == "TL-2026-0042"
    assert _codes(app, "0042") == ["TL-2026-0042"]


def test_the_index_follows_every_change_of_a_case(app, people, ward_cases):
    with app.app_context():
        case = db.session.scalar(select(Violation).where(Violation.code == "TL-2026-0042"))
        inspector = db.session.get(User, people["inspector"])
        _act(db.session, None, case, inspector, "edit_facts", local(TODAY), owner_name="Phạm Thị Đào",
             note="Đổi chủ đầu tư theo giấy tờ")
        db.session.commit()
    assert _codes(app, "pham thi dao") == ["TL-2026-0042"]
    assert "TL-2026-0042" not in _codes(app, "nguyen van a")
    with app.app_context():  # a case removed (a test database only: the app never deletes cases) leaves the index
        old = "SELECT id FROM violations WHERE code LIKE 'TL-2025-%'"
        db.session.execute(text(f"DELETE FROM case_anchors WHERE violation_id IN ({old})"))
        db.session.execute(text("DELETE FROM violations WHERE code LIKE 'TL-2025-%'"))
        db.session.commit()
    assert _codes(app, "le van khac") == []


def test_the_search_goes_through_the_full_text_index(app, ward_cases):
    with app.app_context():
        statement = select(Violation.id).where(case_search.matches(db.session, case_search.read_query("nguyen van")))
        plan = spatial.explain(db.session, statement).lower()
        if spatial.database_kind(db.session) == spatial.SPATIALITE:
            assert "violations_search vtab" in plan or "virtual table index" in plan, plan
        else:
            db.session.execute(text("SET LOCAL enable_seqscan = off"))  # a handful of rows: ask what it can use
            plan = spatial.explain(db.session, statement).lower()
            assert "ix_violations_search" in plan, plan


def test_a_search_with_odd_characters_is_only_words(app, ward_cases):
    assert _codes(app, "\" OR 1=1 --") == _codes(app, "or 1 1")
    assert _codes(app, "nguyen* AND") == []
    assert _codes(app, "'); DROP TABLE violations; --") == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Violation)) == 33


def test_case_lists_page_through_every_case_and_the_home_counts_them_all(app, people):
    with app.app_context():
        officer = people["inspector"]
        rows = [dict(code=f"TL-2026-{n:04d}", owner_name=f"Chủ {n}") for n in range(1, 1051)]
        for row in rows:
            make_case(db.session, officer, due=TODAY.replace(day=1), **row)  # all overdue
        db.session.commit()
        first = case_queries.find_cases(db.session, case_queries.CaseFilters(), TODAY)
        last = case_queries.find_cases(db.session, case_queries.CaseFilters(), TODAY, page=999)
        assert (first.total, first.pages, len(first.cases)) == (1050, 21, 50)
        assert (last.page, len(last.cases)) == (21, 50)
        seen = set()
        for number in range(1, 22):
            seen |= {c.code for c in case_queries.find_cases(db.session, case_queries.CaseFilters(), TODAY, page=number).cases}
        assert len(seen) == 1050
    client = login(app, "chutich")
    home = client.get("/").get_data(as_text=True)
    assert "1050" in home  # overdue on the chairman's home: every one, not the first 1,000
    page = client.get("/cases/?page=21&overdue=1").get_data(as_text=True)
    assert "Trang 21/21" in page and "1001–1050" in page and 'rel="prev"' in page and 'rel="next"' not in page
    assert client.get("/cases/?page=abc").status_code == 200
    assert client.get("/cases/?q=chu+1049").get_data(as_text=True).count('data-case="TL-2026-1049"') == 1


def test_the_header_search_box_finds_a_case_for_every_role(app, ward_cases):
    for username in ("kiemtra", "chutich", "quantri"):
        page = login(app, username).get("/cases/?q=duong+so+3").get_data(as_text=True)
        assert 'data-case="TL-2026-0042"' in page and 'data-case="TL-2026-0043"' not in page, username
        assert 'name="q"' in page


def test_the_migrations_frozen_fold_is_todays_fold(app, people):
    """Migration 0022 folds the cases stored before it with its own copy of the rule: the same text as today's."""
    with app.app_context():
        make_case(db.session, people["inspector"], code="TL-2026-0077", owner_name="Đỗ Thị Hồng")
        db.session.commit()
        db.session.execute(update(Violation).values(search_text=""))
        db.session.commit()
        import importlib.util
        from pathlib import Path
        path = Path(__file__).resolve().parent.parent / "migrations" / "versions" / "0022_d4e5f6a7b8ca_case_search.py"
        spec = importlib.util.spec_from_file_location("migration_0022", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        row = db.session.execute(text("SELECT id, code, owner_name, owner_phone, address, khu_vuc, description "
                                      "FROM violations")).one()
        case = db.session.get(Violation, row.id)
        assert migration._search_text(row) == case_search.search_text_of(case)  # the frozen rule is today's rule


def test_a_search_that_cannot_be_searched_says_so_instead_of_listing_everything(app, ward_cases):
    client = login(app, "chutich")
    for q, message in (("!!!", "chữ hoặc số"), ("a" * 41, "40 ký tự"), (" ".join(["tu"] * 13), "12 từ")):
        response = client.get("/cases/", query_string={"q": q})
        html = response.get_data(as_text=True)
        assert response.status_code == 400 and message in html, q
    assert _codes(app, "٤٢")[0] == "TL-2026-0042"  # Arabic-Indic digits are digits
    assert client.get("/cases/?page=²").status_code == 200 and client.get("/cases/?page=-3").status_code == 200


def test_a_phone_is_found_however_it_is_typed(app, people):
    with app.app_context():
        make_case(db.session, people["inspector"], code="TL-2026-0050", owner_phone="0909 123 456")
        make_case(db.session, people["inspector"], code="TL-2026-0051", owner_phone="+84 912 345 678")
        db.session.commit()
    for typed in ("0909 123 456", "0909.123.456", "0909123456", "0909"):
        assert _codes(app, typed) == ["TL-2026-0050"], typed
    for typed in ("0912345678", "0912 345 678", "+84 912 345 678", "84912345678"):
        assert _codes(app, typed) == ["TL-2026-0051"], typed


def test_the_map_and_the_gis_api_filter_by_the_search_too(app, ward_cases):
    client = login(app, "chutich")
    features = client.get("/api/violations.geojson?q=duong+so+3").get_json()["features"]
    assert [f["properties"]["code"] for f in features] == ["TL-2026-0042"]

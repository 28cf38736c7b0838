"""Every user-facing string has a Vietnamese translation; pages default to Vietnamese."""
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "inspect_app" / "translations" / "vi" / "LC_MESSAGES" / "messages.po"


def test_every_extracted_string_is_translated_to_vietnamese(tmp_path):
    pot = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run(
        [str(pybabel), "extract", "-F", "babel.cfg", "-k", "_l", "-k", "N_", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    extracted = {m.id for m in read_po(pot.open("rb")) if m.id}
    catalogue = read_po(CATALOGUE.open("rb"), locale="vi")
    translated = {m.id for m in catalogue if m.id and m.string and not m.fuzzy}
    assert len(extracted) > 50
    assert sorted(extracted - translated) == [], "run `make messages` and translate the new strings"


def test_translations_keep_the_placeholders():
    catalogue = read_po(CATALOGUE.open("rb"), locale="vi")
    import re

    for message in catalogue:
        if message.id:
            assert sorted(re.findall(r"%\(\w+\)[sdr]", message.id)) == sorted(re.findall(r"%\(\w+\)[sdr]", message.string)), message.id


def test_pages_are_vietnamese_by_default_and_english_on_request(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="vi"' in page and "Đăng nhập" in page and "Tên đăng nhập" in page
    from .conftest import csrf_token_from

    client.post("/language", data={"lang": "en", "next": "/login", "csrf_token": csrf_token_from(page)})
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en"' in page and "User name" in page


def test_unknown_language_is_refused_with_a_message_and_kept_as_it_was(client):
    from .conftest import csrf_token_from

    page = client.get("/login").get_data(as_text=True)
    response = client.post("/language", data={"lang": "xx", "csrf_token": csrf_token_from(page)})
    assert response.status_code == 400 and "Chọn tiếng Việt hoặc tiếng Anh." in response.get_data(as_text=True)
    assert '<html lang="vi"' in client.get("/login").get_data(as_text=True)


FORBIDDEN_VI = ("lượt tuần tra", "cuộc tuần tra", "Ngày của tôi", "chiều dài vết")


def test_one_word_for_a_patrol_and_for_my_day_in_the_catalogue_and_the_offline_page():
    """DOMAIN.md's words: a patrol is "chuyến tuần tra" ("lượt" is a visit), "Hôm nay của tôi", "quãng đường đã đi"."""
    with open(CATALOGUE, "rb") as handle:
        catalogue = read_po(handle)
    found = [(m.id, m.string) for m in catalogue if m.id and any(w in m.string for w in FORBIDDEN_VI)]
    assert found == []
    assert catalogue["My day"].string == "Hôm nay của tôi"
    assert catalogue["Distance walked"].string == "Quãng đường đã đi"
    assert catalogue["Patrol"].string == "Chuyến tuần tra" and catalogue["End patrol"].string == "Kết thúc chuyến tuần tra"
    worker = (Path(__file__).parents[1] / "inspect_app" / "static" / "js" / "sw.js").read_text(encoding="utf-8")
    assert "Hôm nay của tôi" in worker and "No network" not in worker


def test_field_and_route_pages_carry_no_english_notes(client, auth, demo_ward):
    """Route source notes and messages on Vietnamese pages are Vietnamese (the demo ward's too)."""
    auth.login("kiemtra", "kiemtra-demo")
    for url in ("/", "/routes", "/field/report", "/field/visit", "/field/today"):
        page = client.get(url).get_data(as_text=True)
        for english in ("Placeholder", "Approximate outline", "Imported from", "No network", "Zoom in"):
            assert english not in page, (url, english)

"""Legacy leads imported from a CSV with the command a person runs, then moved on gradually."""
import csv
import os
import subprocess
import uuid

import yaml

from tests.support.system import ROOT, runner

BIN = ROOT / ".venv" / "bin"
MAPPING = {
    "columns": {"legacy_id": "ID", "name": "Имя", "phone": "Телефон", "stage": "Статус",
                "request_type": "Тип заявки", "created_at": "Создан"},
    "stages": {"Новая": "new", "Отказ - дорого": "lost_expensive", "Квалифицирована": "qualified"},
    "legacy_stages": ["Думает"],
    "migrate": {"Думает": "in_work"},
}


def run(command: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / command), *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **runner("env")})


def test_import_maps_old_stages_skips_what_exists_and_reports_bad_rows(system, tmp_path):
    tag = uuid.uuid4().hex[:6]
    rows = [{"ID": f"{tag}-{i}", "Имя": f"Клиент {i}", "Телефон": f"+7916{tag_digits(tag)}{i:03d}",
             "Статус": ["Новая", "Думает", "Отказ - дорого"][i % 3], "Тип заявки": "", "Создан": "01.03.2024 10:00"}
            for i in range(60)]
    rows += [
        {"ID": f"{tag}-bad-stage", "Имя": "Нет этапа", "Телефон": "", "Статус": "Неизвестный", "Тип заявки": "",
         "Создан": ""},
        {"ID": f"{tag}-gate", "Имя": "Без типа", "Телефон": "", "Статус": "Квалифицирована", "Тип заявки": "",
         "Создан": ""},
        {"ID": "", "Имя": "Без номера", "Телефон": "", "Статус": "Новая", "Тип заявки": "", "Создан": ""},
    ]
    source = tmp_path / "leads.csv"
    with open(source, "w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(yaml.safe_dump(MAPPING, allow_unicode=True), encoding="utf-8")

    first = run("crm-import-leads", str(source), "--mapping", str(mapping), "--batch", "25")
    assert first.stdout.strip() == "imported 60, already there 0, rejected 3", first.stderr
    assert first.returncode == 1
    assert f"{source}:62: rejected: no mapping for stage «Неизвестный»" in first.stderr
    assert f"{source}:63: rejected: stage qualified needs: request_type" in first.stderr
    assert f"{source}:64: rejected:" in first.stderr and "legacy_id" in first.stderr

    again = run("crm-import-leads", str(source), "--mapping", str(mapping))
    assert again.stdout.strip() == "imported 0, already there 60, rejected 3"

    thinking = system.admin.get("/leads", params={"stage": "legacy:Думает", "source": "import", "limit": 500}).json()
    ours = [lead for lead in thinking["items"] if lead["title"].startswith("Заявка: Клиент")]
    assert len(ours) >= 20 and ours[0]["legacy_stage"] == "Думает"
    assert ours[0]["created_at"].startswith("2024-03-01T07:00:00")  # 10:00 in Moscow

    moved = run("crm-migrate-stages", "--mapping", str(mapping), "--batch", "7", "--batches", "1")
    assert moved.stdout.startswith("moved 7, refused 0"), moved.stderr
    rest = run("crm-migrate-stages", "--mapping", str(mapping), "--batch", "50")
    assert rest.stdout.strip().endswith("left 0"), rest.stderr
    assert system.admin.get("/leads", params={"stage": "legacy:Думает"}).json()["total"] == 0


def tag_digits(tag: str) -> str:
    return f"{int(tag, 16) % 10000:04d}"

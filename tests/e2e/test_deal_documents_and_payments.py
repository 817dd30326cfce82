"""Documents in a deal's folder behind stage gates, and payment schedules with numbered invoices."""
import uuid

import requests

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def upload(system, client, deal_id: int, kind: str, name: str, content: bytes, content_type: str):
    return client.post(f"/deals/{deal_id}/documents", data={"kind": kind},
                       files={"file": (name, content, content_type)})


def test_a_stage_that_demands_a_contract_waits_for_the_uploaded_document(system):
    code = f"factory-{uuid.uuid4().hex[:6]}"
    assert system.admin.post("/pipelines", json={"code": code, "name": "Производство", "stages": [
        {"code": "new", "name": "Новая"}, {"code": "production", "name": "В производстве"}]}).status_code == 201
    gate = system.admin.post(f"/pipelines/{code}/stages/production/gate", json={"required_documents": ["contract"]})
    assert gate.status_code == 200
    manager = system.user("manager")
    deal = manager.post("/deals", json={"pipeline": code, "title": "Станок", "amount": "100000"}).json()
    refused = manager.post(f"/deals/{deal['id']}/move", json={"stage": "production"})
    assert refused.status_code == 422 and refused.json()["details"]["missing_documents"] == ["contract"]

    fake = upload(system, manager, deal["id"], "contract", "договор.pdf", b"not a pdf", "application/pdf")
    exe = upload(system, manager, deal["id"], "contract", "virus.exe", b"MZ", "application/x-msdownload")
    assert fake.status_code == 400 and "file" in fake.json()["details"]
    assert exe.status_code == 400 and "content_type" in exe.json()["details"]
    big = upload(system, manager, deal["id"], "contract", "big.pdf", PDF + b"0" * (10 * 1024 * 1024), "application/pdf")
    assert big.status_code == 413
    stored = upload(system, manager, deal["id"], "contract", "../../договор №1.pdf", PDF, "application/pdf")
    assert stored.status_code == 201, stored.text
    assert stored.json()["filename"] == "договор №1.pdf" and stored.json()["size"] == len(PDF)

    assert manager.post(f"/deals/{deal['id']}/move", json={"stage": "production"}).json()["stage"] == "production"
    card = manager.get(f"/deals/{deal['id']}").json()
    assert [d["kind"] for d in card["documents"]] == ["contract"]
    download = manager.get(f"/deals/{deal['id']}/documents/{stored.json()['id']}")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert requests.get(f"{system.base_url}/api/v1/deals/{deal['id']}/documents/{stored.json()['id']}",
                        timeout=30).status_code == 401


def test_a_payment_schedule_creates_invoices_tasks_and_tracks_payments(system):
    code = f"supply-{uuid.uuid4().hex[:6]}"
    system.admin.post("/pipelines", json={"code": code, "name": "Поставка", "stages": [{"code": "new", "name": "Новая"}]})
    manager = system.user("manager")
    deal = manager.post("/deals", json={"pipeline": code, "title": "Оборудование", "amount": "150000.00"}).json()
    plan = [{"due_date": "2027-01-15", "amount": "50000.00"}, {"due_date": "2027-02-15", "amount": "50000.00"},
            {"due_date": "2027-03-15", "amount": "40000.00"}]
    mismatch = manager.post(f"/deals/{deal['id']}/payment-schedule", json={"payments": plan})
    assert mismatch.status_code == 422 and mismatch.json()["details"]["difference"] == "10000.00"

    created = manager.post(f"/deals/{deal['id']}/payment-schedule", json={"payments": plan, "accept_difference": True})
    assert created.status_code == 201, created.text
    invoices = created.json()["invoices"]
    assert [i["amount"] for i in invoices] == ["50000.00", "50000.00", "40000.00"]
    numbers = [i["number"] for i in invoices]
    assert all(n.startswith("2027-") for n in numbers) and len(set(numbers)) == 3
    tasks = manager.get(f"/deals/{deal['id']}").json()["tasks"]
    assert {t["title"] for t in tasks} == {f"Отправить счёт № {n}" for n in numbers} | {
        f"Проверить оплату счёта № {n}" for n in numbers}
    assert manager.post(f"/deals/{deal['id']}/payment-schedule", json={"payments": plan}).status_code == 409

    first = invoices[0]["id"]
    partly = manager.post(f"/invoices/{first}/payments", json={"amount": "20000.00"}).json()
    assert (partly["status"], partly["paid_amount"]) == ("partially_paid", "20000.00")
    too_much = manager.post(f"/invoices/{first}/payments", json={"amount": "40000.00"})
    assert too_much.status_code == 422
    paid = manager.post(f"/invoices/{first}/payments", json={"amount": "30000.00"}).json()
    assert (paid["status"], paid["paid_amount"]) == ("paid", "50000.00")
    assert manager.post(f"/invoices/{first}/payments", json={"amount": "abc"}).status_code == 400

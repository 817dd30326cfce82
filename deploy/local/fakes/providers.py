"""Local stand-ins for the message providers, for `make run` and the tests: they answer the
REAL client libraries (twilio, smtplib, the Telegram Bot API over HTTP) and record what they
were sent.

    python deploy/local/fakes/providers.py --http-port 8111 --smtp-port 8112 [--deliver]

HTTP (one port):
  POST /2010-04-01/Accounts/{sid}/Messages.json   Twilio's Messages API (form: To, From, Body,
                                                  StatusCallback); basic auth must be the
                                                  account SID and TWILIO_AUTH_TOKEN
  POST /bot{token}/getMe|sendMessage              the Telegram Bot API (token: TELEGRAM_BOT_TOKEN)
  GET  /records[?provider=twilio|smtp|telegram&to=...]   what was sent, oldest first
  POST /faults {"to", "status", "code", "message", "times"}   make sends to `to` fail (a
       WhatsApp recipient is `whatsapp:+7...`, as Twilio gets it):
       Twilio/Telegram answer `status` (e.g. 400 + code 21211 for a bad number, 503 for an
       outage), SMTP answers `status` to RCPT TO; `times` failures, then success (null: always)
  POST /outcomes {"to", "statuses": ["sent", "delivered"]}   after accepting a message to `to`,
       post these statuses to its StatusCallback URL, signed like Twilio (X-Twilio-Signature
       with TWILIO_AUTH_TOKEN); `--deliver` makes ["sent", "delivered"] the default for all
SMTP (the other port): accepts any message and records From, To, Subject and the text body.

It lives here, beside the runner that starts it in every local profile, because it is part of
the local system (like the databases the runner creates), not a package that ships: only
`deploy/local/crm_local.py` starts it, and tests reach it over HTTP at the address the
runner gives (`fake_providers_url`).
"""
import argparse
import asyncio
import base64
import email
import email.policy
import itertools
import json
import os
import secrets
from datetime import UTC, datetime
from email.utils import format_datetime

from aiohttp import ClientError, ClientSession, web
from aiosmtpd.controller import Controller
from twilio.request_validator import RequestValidator

RECORDS: list[dict] = []
FAULTS: dict[str, dict] = {}
OUTCOMES: dict[str, list[str]] = {}
DEFAULT_OUTCOME: list[str] = []
CALLBACK_ATTEMPTS = 5
CALLBACK_PAUSE_SECONDS = 0.3
_tasks: set[asyncio.Task] = set()
_numbers = itertools.count(1)


def record(provider: str, **fields) -> dict:
    entry = {"n": next(_numbers), "provider": provider, "at": datetime.now(UTC).isoformat(), **fields}
    RECORDS.append(entry)
    return entry


def fault_for(address: str) -> dict | None:
    """The scripted failure for this address, if any is left; consumes one."""
    fault = FAULTS.get(address)
    if fault is None:
        return None
    if fault["times"] is not None:
        fault["times"] -= 1
        if fault["times"] <= 0:
            del FAULTS[address]
    return fault


# -- Twilio ----------------------------------------------------------------------------------

def twilio_error(status: int, code: int, message: str) -> web.Response:
    return web.json_response({"code": code, "message": message, "status": status,
                              "more_info": f"https://www.twilio.com/docs/errors/{code}"}, status=status)


async def twilio_create_message(request: web.Request) -> web.Response:
    account = request.match_info["account"]
    expected = "Basic " + base64.b64encode(f"{account}:{os.environ.get('TWILIO_AUTH_TOKEN', '')}".encode()).decode()
    if request.headers.get("Authorization") != expected:
        return twilio_error(401, 20003, "Authenticate")
    form = await request.post()
    to, sender, body = form.get("To", ""), form.get("From", ""), form.get("Body", "")
    if not to or not body:
        return twilio_error(400, 21604, "A 'To' phone number and a 'Body' are required.")
    fault = fault_for(to)
    if fault:
        return twilio_error(fault["status"], fault.get("code") or 20500, fault.get("message") or "Fault")
    sid = "SM" + secrets.token_hex(16)
    now = format_datetime(datetime.now(UTC), usegmt=True)
    callback = form.get("StatusCallback")
    record("twilio", sid=sid, to=to, sender=sender, body=body, status_callback=callback,
           channel="whatsapp" if to.startswith("whatsapp:") else "sms")
    statuses = OUTCOMES.get(to, DEFAULT_OUTCOME)
    if callback and statuses:
        task = asyncio.create_task(call_back(callback, account, sid, to, sender, statuses))
        _tasks.add(task)
        task.add_done_callback(_tasks.discard)
    return web.json_response({
        "sid": sid, "account_sid": account, "to": to, "from": sender, "body": body, "status": "queued",
        "num_segments": "1", "direction": "outbound-api", "api_version": "2010-04-01",
        "date_created": now, "date_updated": now, "date_sent": None, "price": None, "error_code": None,
        "error_message": None, "uri": f"/2010-04-01/Accounts/{account}/Messages/{sid}.json",
    }, status=201)


async def call_back(url: str, account: str, sid: str, to: str, sender: str, statuses: list[str]) -> None:
    """Twilio's status callbacks: one POST per status, signed over the URL and the form."""
    validator = RequestValidator(os.environ.get("TWILIO_AUTH_TOKEN", ""))
    async with ClientSession() as http:
        for status in statuses:
            form = {"MessageSid": sid, "SmsSid": sid, "AccountSid": account, "From": sender, "To": to,
                    "MessageStatus": status, "SmsStatus": status, "ApiVersion": "2010-04-01"}
            if status in ("failed", "undelivered"):
                form["ErrorCode"] = "30003"  # Twilio: unreachable destination handset
            answer = None
            for _ in range(CALLBACK_ATTEMPTS):  # the sender may not have stored the SID yet
                await asyncio.sleep(CALLBACK_PAUSE_SECONDS)
                try:
                    async with http.post(url, data=form, headers={
                            "X-Twilio-Signature": validator.compute_signature(url, form)}) as response:
                        answer = response.status
                except ClientError as exc:
                    answer = str(exc)
                if answer == 200:
                    break
            record("twilio-callback", to=to, sid=sid, status=status, answer=answer)


# -- Telegram --------------------------------------------------------------------------------

async def telegram_method(request: web.Request) -> web.Response:
    if request.match_info["token"] != os.environ.get("TELEGRAM_BOT_TOKEN", ""):
        return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
    method = request.match_info["method"]
    payload = await request.json() if request.can_read_body else {}
    if method == "getMe":
        return web.json_response({"ok": True, "result": {"id": 1, "is_bot": True, "first_name": "CRM",
                                                         "username": "crm_fake_bot"}})
    if method != "sendMessage":
        return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
    chat = str(payload.get("chat_id", ""))
    fault = fault_for(chat)
    if fault:
        return web.json_response({"ok": False, "error_code": fault["status"],
                                  "description": fault.get("message") or "Bad Request"}, status=fault["status"])
    entry = record("telegram", to=chat, body=payload.get("text", ""))
    return web.json_response({"ok": True, "result": {"message_id": entry["n"], "chat": {"id": int(chat)},
                                                     "text": payload.get("text", "")}})


# -- SMTP ------------------------------------------------------------------------------------

class SmtpRecorder:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        fault = fault_for(address)
        if fault:
            return f"{fault['status']} {fault.get('message') or 'Mailbox unavailable'}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        for to in envelope.rcpt_tos:
            record("smtp", to=to, sender=envelope.mail_from, subject=str(message["Subject"] or ""),
                   body=body.get_content().strip() if body else "", message_id=message["Message-ID"])
        return "250 Message accepted for delivery"


# -- control ---------------------------------------------------------------------------------

async def list_records(request: web.Request) -> web.Response:
    found = [entry for entry in RECORDS
             if all(entry.get(key) == value for key, value in request.query.items() if key in ("provider", "to"))]
    return web.json_response(found, dumps=lambda value: json.dumps(value, ensure_ascii=False))


async def add_outcome(request: web.Request) -> web.Response:
    outcome = await request.json()
    OUTCOMES[outcome["to"]] = [str(status) for status in outcome["statuses"]]
    return web.json_response(outcome, status=201)


async def add_fault(request: web.Request) -> web.Response:
    fault = await request.json()
    FAULTS[fault["to"]] = {"status": int(fault["status"]), "code": fault.get("code"),
                           "message": fault.get("message"), "times": fault.get("times")}
    return web.json_response(FAULTS[fault["to"]], status=201)


def app() -> web.Application:
    application = web.Application()
    application.add_routes([
        web.post("/2010-04-01/Accounts/{account}/Messages.json", twilio_create_message),
        web.post("/bot{token}/{method}", telegram_method),
        web.get("/records", list_records),
        web.post("/faults", add_fault),
        web.post("/outcomes", add_outcome),
        web.get("/health", lambda request: web.json_response({"status": "ok"})),
    ])
    return application


async def serve(http_port: int, smtp_port: int) -> None:
    smtp = Controller(SmtpRecorder(), hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    runner = web.AppRunner(app())
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", http_port).start()
    print(f"fake providers: HTTP on 127.0.0.1:{http_port}, SMTP on 127.0.0.1:{smtp_port}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        smtp.stop()
        await runner.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--http-port", type=int, required=True)
    parser.add_argument("--smtp-port", type=int, required=True)
    parser.add_argument("--deliver", action="store_true",
                        help="report every Twilio message sent, then delivered, to its StatusCallback")
    arguments = parser.parse_args()
    DEFAULT_OUTCOME.extend(["sent", "delivered"] if arguments.deliver else [])
    asyncio.run(serve(arguments.http_port, arguments.smtp_port))

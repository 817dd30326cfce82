"""The channels, through the providers' real client libraries: SMS and WhatsApp with `twilio`,
e-mail with `smtplib`, Telegram through the Bot API over HTTP. Settings come from config.yml
(the environment); in development and tests every provider URL points at a local fake.
"""
import smtplib
import time
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import urlsplit

import requests
from nameko.extensions import DependencyProvider
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from crm_notify.domain.messages import SendError, http_error_is_transient
from crm_notify.domain.quiet_hours import QuietHours
from crm_notify.domain.ratelimit import RateLimits

TIMEOUT_SECONDS = 10  # a hung provider must not pin a worker forever
DEFAULT_SUBJECT = "Уведомление"


class BaseUrlTwilioHttpClient(TwilioHttpClient):
    """twilio's documented extension point (a custom HttpClient), sending every request to
    `base_url` instead of https://*.twilio.com: a local fake, or a proxy in front of Twilio."""

    def __init__(self, base_url: str, **kwargs):
        super().__init__(timeout=TIMEOUT_SECONDS, **kwargs)
        self.base_url = base_url.rstrip("/")

    def request(self, method, url, *args, **kwargs):
        parts = urlsplit(url)
        local = self.base_url + parts.path + (f"?{parts.query}" if parts.query else "")
        return super().request(method, local, *args, **kwargs)


class Channels(DependencyProvider):
    """One per service container: provider clients, the rate limits and the quiet hours."""

    def setup(self):
        config = self.container.config
        api_url = config.get("TWILIO_API_URL") or ""
        http_client = (BaseUrlTwilioHttpClient(api_url) if api_url else TwilioHttpClient(timeout=TIMEOUT_SECONDS))
        self.twilio = Client(config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"], http_client=http_client)
        self.sms_from = config["TWILIO_SMS_FROM"]
        self.whatsapp_from = config["TWILIO_WHATSAPP_FROM"]
        public_url = (config.get("GATEWAY_PUBLIC_URL") or "").rstrip("/")
        self.status_callback = f"{public_url}/api/v1/webhooks/twilio/status" if public_url else None
        self.smtp = dict(host=config["SMTP_HOST"], port=int(config["SMTP_PORT"]), sender=config["SMTP_FROM"],
                         user=config.get("SMTP_USER") or "", password=config.get("SMTP_PASSWORD") or "")
        self.telegram = f"{config['TELEGRAM_API_URL'].rstrip('/')}/bot{config['TELEGRAM_BOT_TOKEN']}"
        self.http = requests.Session()
        self.limits = RateLimits(RateLimits.parse(str(config.get("NOTIFY_RATE_LIMITS") or "")), time.monotonic)
        self.quiet = QuietHours.parse(str(config.get("NOTIFY_QUIET_HOURS") or ""))
        self.timezone = config["COMPANY_TIMEZONE"]

    def get_dependency(self, worker_ctx):
        return self

    def send(self, message: dict) -> tuple[str, str | None]:
        """Hand one message to its provider: (provider status, provider id); raises SendError."""
        return getattr(self, f"_send_{message['channel']}")(message)

    def _send_sms(self, message: dict, prefix: str = "") -> tuple[str, str | None]:
        sender = self.whatsapp_from if prefix else self.sms_from
        extra = {"status_callback": self.status_callback} if self.status_callback else {}
        try:
            sent = self.twilio.messages.create(to=prefix + message["recipient"], from_=prefix + sender,
                                               body=message["body"], **extra)
        except TwilioRestException as exc:
            raise SendError(f"{exc.code or exc.status}: {exc.msg}", http_error_is_transient(exc.status)) from None
        except (TwilioException, requests.RequestException) as exc:
            raise SendError(f"twilio unreachable: {exc}", transient=True) from None
        return sent.status, sent.sid

    def _send_whatsapp(self, message: dict) -> tuple[str, str | None]:
        return self._send_sms(message, prefix="whatsapp:")

    def _send_email(self, message: dict) -> tuple[str, str | None]:
        email = EmailMessage()
        email["From"], email["To"] = self.smtp["sender"], message["recipient"]
        email["Subject"] = message["subject"] or DEFAULT_SUBJECT
        email["Message-ID"] = make_msgid(domain=self.smtp["sender"].rpartition("@")[2] or None)
        email.set_content(message["body"])
        try:
            with smtplib.SMTP(self.smtp["host"], self.smtp["port"], timeout=TIMEOUT_SECONDS) as smtp:
                if self.smtp["user"]:
                    smtp.starttls()
                    smtp.login(self.smtp["user"], self.smtp["password"])
                smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as exc:
            code, reason = next(iter(exc.recipients.values()))
            raise SendError(f"{code}: {reason.decode(errors='replace')}", transient=code < 500) from None
        except smtplib.SMTPResponseException as exc:
            raise SendError(f"{exc.smtp_code}: {exc.smtp_error.decode(errors='replace')}",
                            transient=exc.smtp_code < 500) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise SendError(f"smtp unreachable: {exc}", transient=True) from None
        return "sent", email["Message-ID"]

    def _send_telegram(self, message: dict) -> tuple[str, str | None]:
        try:
            answer = self.http.post(f"{self.telegram}/sendMessage", timeout=TIMEOUT_SECONDS,
                                    json={"chat_id": message["recipient"], "text": message["body"]})
        except requests.RequestException as exc:
            raise SendError(f"telegram unreachable: {exc}", transient=True) from None
        if answer.status_code != 200:
            try:
                reason = answer.json().get("description", answer.text)
            except ValueError:
                reason = answer.text
            raise SendError(f"{answer.status_code}: {reason}", http_error_is_transient(answer.status_code))
        return "delivered", f"tg:{message['recipient']}:{answer.json()['result']['message_id']}"

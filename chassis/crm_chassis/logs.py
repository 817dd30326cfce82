"""JSON log lines carrying the service name and the request/correlation ids of the worker."""
import logging
import os

from pythonjsonlogger.json import JsonFormatter

from crm_chassis import context


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.service = os.environ.get("CRM_SERVICE_NAME", "")
        record.request_id = context.current_request_id()
        record.correlation_id = context.current_correlation_id()
        return True


class ServiceJsonFormatter(JsonFormatter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "fmt",
            "%(asctime)s %(levelname)s %(name)s %(message)s %(service)s %(request_id)s %(correlation_id)s",
        )
        kwargs.setdefault("rename_fields", {"asctime": "time", "levelname": "level", "name": "logger"})
        super().__init__(*args, **kwargs)


"""Every report table as CSV or XLSX, and the charts as SVG; files travel over RPC as base64."""
import base64
import csv
import io

from openpyxl import Workbook

from crm_reports.domain import charts

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "svg": "image/svg+xml",
}

def cell(value):
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, list):
        return "; ".join(map(str, value))
    return "" if value is None else value

def table(report: dict) -> tuple[list[str], list[list]]:
    keys = [column["key"] for column in report["columns"]]
    return [column["label"] for column in report["columns"]], [[cell(row.get(k)) for k in keys] for row in report["rows"]]

def to_csv(report: dict) -> bytes:
    header, rows = table(report)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")  # what a Russian-locale spreadsheet opens as columns
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM tells Excel it is UTF-8

def to_xlsx(report: dict, title: str) -> bytes:
    header, rows = table(report)
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

def file(report: dict, name: str, title: str, fmt: str) -> dict:
    body = to_csv(report) if fmt == "csv" else to_xlsx(report, title)
    return {"filename": f"{name}.{fmt}", "content_type": CONTENT_TYPES[fmt],
            "content_base64": base64.b64encode(body).decode()}

def svg(body: str, name: str) -> dict:
    return {"filename": f"{name}.svg", "content_type": CONTENT_TYPES["svg"],
            "content_base64": base64.b64encode(body.encode()).decode()}

def abc_chart(report: dict) -> str:
    return charts.bars("Доля просроченных компаний по сотрудникам", [
        (f"Сотрудник {row['responsible_id'] or '—'}", row["overdue_share"],
         f"{row['overdue_share']}% ({row['overdue']} из {row['companies']})") for row in report["per_employee"]],
        maximum=100)

def funnel_chart(report: dict) -> str:
    return charts.bars(f"Воронка {report['pipeline']}", [
        (row["stage"], row["deals"], f"{row['deals']}" + (f" ({row['conversion']}%)" if row["conversion"] is not None
                                                          else "")) for row in report["rows"]])

def kpi_chart(report: dict) -> str:
    """Each indicator summed over the managers in the report, day by day."""
    days = sorted({row["day"] for row in report["rows"]})
    series = {}
    for item in report["indicators"]:
        totals = {day: 0.0 for day in days}
        for row in report["rows"]:
            if row[item["code"]] is not None:
                totals[row["day"]] += float(row[item["code"]])
        series[item["label"]] = [totals[day] for day in days]
    return charts.lines("Динамика показателей", days, series)

"""What a deal's document may be: a known type, a sane name, a bounded size."""
import re
import unicodedata

MAX_BYTES = 10 * 1024 * 1024
ALLOWED_TYPES = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "text/plain": (".txt",),
    "application/msword": (".doc",),
    "application/vnd.ms-excel": (".xls",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
}
# Content that must start with these bytes, whatever the client claims.
SIGNATURES = {"application/pdf": (b"%PDF",), "image/png": (b"\x89PNG",), "image/jpeg": (b"\xff\xd8\xff",)}


def problems(filename: str, content_type: str, content: bytes) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    extensions = ALLOWED_TYPES.get(content_type)
    if extensions is None:
        found["content_type"] = [f"allowed: {', '.join(sorted(ALLOWED_TYPES))}"]
    elif not filename.lower().endswith(extensions):
        found["filename"] = [f"a {content_type} file ends with {' or '.join(extensions)}"]
    elif content_type in SIGNATURES and not content.startswith(SIGNATURES[content_type]):
        found["file"] = [f"the content is not {content_type}"]
    if not content:
        found["file"] = ["empty"]
    if len(content) > MAX_BYTES:
        found["file"] = [f"larger than {MAX_BYTES // (1024 * 1024)} MiB"]
    return found


def safe_filename(filename: str) -> str:
    """The name as stored on disk: no directories, no control characters, at most 120 characters."""
    name = unicodedata.normalize("NFC", filename).replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[\x00-\x1f<>:\"|?*]", "_", name).strip(" .") or "document"
    return name[-120:]

"""The access log never holds a token.

Tokens belong in the Authorization header, but a client may put one in a query string by mistake
(`?token=bct_...`), and the first-run set-up link carries its one-time token there by design. The
server's access log writes every request line, so both are replaced by `[redacted]` before a line
is written: by the tokens' known prefixes wherever they appear, and as the value of a `token`
parameter whatever it holds.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"
# Participants' (bcp_) and facilitators' (bct_) tokens, as `credentials.new_token` makes them.
_PREFIXED = re.compile(r"\bbc[pt]_[A-Za-z0-9_\-%]+")
_PARAMETER = re.compile(r"(?i)([?&;](?:access_)?token=)[^&;\s\"]*")


def redact(text: str) -> str:
    return _PARAMETER.sub(lambda m: m.group(1) + REDACTED, _PREFIXED.sub(REDACTED, text))


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        return True


def install(logger_name: str = "uvicorn.access") -> None:
    """Adds the filter to the access logger once, however many apps a process creates."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(existing, RedactTokens) for existing in logger.filters):
        logger.addFilter(RedactTokens())

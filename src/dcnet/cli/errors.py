"""The one exception commands raise for expected failures: the root command turns it into
`error: ...` on stderr and exit status 1, never a traceback."""

from __future__ import annotations


class CliError(Exception):
    """A failure the user can act on; `hint` (optional) says how."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class NotLoggedIn(CliError):
    """No usable session: every command but `login` needs one."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "run 'dcnet login --url URL --user USER' first")


LOGIN_HINT = "run 'dcnet login' to sign in again"

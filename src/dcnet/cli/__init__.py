"""`dcnet`: the command-line client. It speaks only the engine's REST API (over HTTP), so it works
against any engine a user can reach, and never needs the engine's code or database."""

"""The host agent: reports the host's networking and changes it transactionally (never cutting the host
off). Shares only `dcnet.rpc` and `dcnet.domain` with the engine."""

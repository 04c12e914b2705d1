"""The engine<->agent contract: JSON-RPC 2.0 over HTTPS, VDSM's verb names, typed models, error codes,
and the engine's async client."""

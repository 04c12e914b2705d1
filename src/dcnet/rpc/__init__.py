"""The engine<->agent contract (verbs, models, error codes); filled by the agent issue."""

"""Setup networks on one host, engine side (pure): the request, its validation and the agent call it becomes."""

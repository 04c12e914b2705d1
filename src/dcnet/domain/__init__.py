"""Pure domain logic: entities and every rule, no I/O."""

"""Host networking, pure: the setupNetworks request and running config (VDSM's shapes), canonicalization,
validation, the kernel state model, planning, verification and the capabilities report."""

"""A simulated fleet: thousands of sim hosts served by one `dcnet-agent serve --fleet N` process.

Each host is a whole agent (its own SimBackend, NetworkService, state directory and enrollment) behind
its own loopback address, reached over the same HTTPS/JSON-RPC transport as a real agent, so an engine
can be tested and measured against a data center's worth of hosts on one machine.

    topology.py  the hosts' devices from a YAML/JSON description
    host.py      one sim host: backend, service, identity, TLS context, connections
    faults.py    what Test.hook can do to a host (latency, failures, hangs, lost connectivity, crashes)
    app.py       the per-host JSON-RPC app with those faults and the fleet's Test.hook
    server.py    one listener per host, TLS chosen per host, uvicorn's HTTP protocol, the ASGI dispatcher
    serve.py     the process: limits, logging, event loop, ready file
"""

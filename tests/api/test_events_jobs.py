"""Events and jobs: correlation ids, polling with from=, severity filter, steps."""

from __future__ import annotations

import uuid

import httpx

from tests.api.helpers import add_network, fault


def test_every_event_of_a_request_carries_its_correlation_id(api: httpx.Client, name: str) -> None:
    correlation = f"test-{uuid.uuid4().hex[:8]}"
    answer = api.post(
        "/networks", json={"name": name, "data_center": {"name": "Default"}}, headers={"Correlation-Id": correlation}
    )
    assert answer.headers["Correlation-Id"] == correlation
    events = api.get("/events", params={"search": f"correlation_id={correlation}"}).json()["event"]
    assert [e["code"] for e in events] == [1122, 942]
    assert events[1]["description"] == f"Finished adding Network {name} to Data Center: Default"
    assert all(e["correlation_id"] == correlation for e in events)
    assert events[1]["network"]["id"] == answer.json()["id"] and "data_center" in events[1]
    jobs = api.get("/jobs", params={"search": f"correlation_id={correlation}"}).json()["job"]
    assert len(jobs) == 1 and jobs[0]["status"] == "finished"
    assert jobs[0]["description"] == f"Adding Network {name} to Data Center Default"
    steps = api.get(f"/jobs/{jobs[0]['id']}/steps").json()["step"]
    assert [s["type"] for s in steps] == ["validating", "executing"]
    assert api.get(steps[0]["href"].removeprefix("/ovirt-engine/api")).json()["id"] == steps[0]["id"]


def test_generated_correlation_id_when_none_is_sent(api: httpx.Client, name: str) -> None:
    answer = api.post("/networks", json={"name": name, "data_center": {"name": "Default"}})
    correlation = answer.headers["Correlation-Id"]
    events = api.get("/events", params={"search": f"correlation_id={correlation}"}).json()["event"]
    assert {e["code"] for e in events} == {942, 1122}


def test_bad_correlation_id_is_400(api: httpx.Client, name: str) -> None:
    answer = api.post(
        "/networks", json={"name": name, "data_center": {"name": "Default"}}, headers={"Correlation-Id": "x" * 200}
    )
    assert answer.status_code == 400 and "Correlation-Id" in fault(answer)["detail"]


def test_events_newest_first_and_from_index_polling(api: httpx.Client, name: str) -> None:
    newest = api.get("/events", params={"max": 1}).json()["event"][0]["index"]
    add_network(api, name)
    add_network(api, name + "b")
    fresh = api.get("/events", params={"from": newest}).json()["event"]
    indexes = [e["index"] for e in fresh]
    assert indexes == sorted(indexes, reverse=True) and all(i > newest for i in indexes)
    assert [e["code"] for e in fresh] == [1122, 942, 1122, 942]
    one = api.get(f"/events/{fresh[0]['index']}").json()
    assert one == fresh[0]
    assert api.get("/events/999999999").status_code == 404


def test_severity_filter(api: httpx.Client) -> None:
    warnings = api.get("/events", params={"search": "severity>=warning"}).json()["event"]
    assert all(e["severity"] in ("warning", "error", "alert") for e in warnings)
    normal = api.get("/events", params={"search": "severity=normal", "max": 5}).json()["event"]
    assert normal and all(e["severity"] == "normal" for e in normal)


def test_unknown_severity_is_400(api: httpx.Client) -> None:
    answer = api.get("/events", params={"search": "severity>=bogus"})
    assert answer.status_code == 400 and "severity" in fault(answer)["detail"]

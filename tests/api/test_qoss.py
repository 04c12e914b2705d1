"""Host network QoS over HTTP: /datacenters/{id}/qoss CRUD (type hostnetwork), the rules, and networks
referring to a QoS with `"qos": {"id": ...}`."""

from __future__ import annotations

import httpx

from tests.api.helpers import add_network, fault


def _qos(api: httpx.Client, dc: dict, name: str, **values: int) -> httpx.Response:
    return api.post(f"/datacenters/{dc['id']}/qoss", json={"name": name, "type": "hostnetwork", **values})


def test_qos_crud(api: httpx.Client, default_dc: dict, name: str) -> None:
    answer = _qos(
        api,
        default_dc,
        name,
        outbound_average_linkshare=50,
        outbound_average_upperlimit=100,
        outbound_average_realtime=40,
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert (
        answer.headers["Location"]
        == body["href"]
        == f"/ovirt-engine/api/datacenters/{default_dc['id']}/qoss/{body['id']}"
    )
    assert body["type"] == "hostnetwork" and body["data_center"]["id"] == default_dc["id"]
    assert (body["outbound_average_linkshare"], body["outbound_average_upperlimit"]) == (50, 100)
    assert body["outbound_average_realtime"] == 40
    listed = api.get(f"/datacenters/{default_dc['id']}/qoss").json()["qos"]
    assert body in listed
    assert api.get(body["href"].removeprefix("/ovirt-engine/api")).json() == body
    updated = api.put(f"/datacenters/{default_dc['id']}/qoss/{body['id']}", json={"outbound_average_realtime": None})
    assert updated.status_code == 200, updated.text
    assert "outbound_average_realtime" not in updated.json() and updated.json()["outbound_average_linkshare"] == 50
    assert api.delete(f"/datacenters/{default_dc['id']}/qoss/{body['id']}").status_code == 200
    assert api.get(f"/datacenters/{default_dc['id']}/qoss/{body['id']}").status_code == 404


def test_duplicate_qos_name_in_a_data_center_is_409(api: httpx.Client, default_dc: dict, name: str) -> None:
    assert _qos(api, default_dc, name, outbound_average_linkshare=10).status_code == 201
    answer = _qos(api, default_dc, name, outbound_average_linkshare=20)
    assert answer.status_code == 409
    assert fault(answer)["detail"] == "[Cannot add QoS. QoS element name already exists.]"


def test_real_time_above_upper_limit_is_409(api: httpx.Client, default_dc: dict, name: str) -> None:
    answer = _qos(
        api, default_dc, name, outbound_average_linkshare=10, outbound_average_upperlimit=50,
        outbound_average_realtime=60,
    )  # fmt: skip
    assert answer.status_code == 409
    assert "upper limit rate must be greater than or equal to the real time rate" in fault(answer)["detail"]
    assert all(q["name"] != name for q in api.get(f"/datacenters/{default_dc['id']}/qoss").json()["qos"])


def test_link_share_is_required_when_a_rate_is_set(api: httpx.Client, default_dc: dict, name: str) -> None:
    answer = _qos(api, default_dc, name, outbound_average_upperlimit=50)
    assert answer.status_code == 409
    assert "weighted share (link share) must be provided" in fault(answer)["detail"]


def test_other_qos_types_are_400(api: httpx.Client, default_dc: dict, name: str) -> None:
    answer = api.post(f"/datacenters/{default_dc['id']}/qoss", json={"name": name, "type": "storage"})
    assert answer.status_code == 400
    assert fault(answer)["detail"].startswith("type: 'storage' is not supported")


def test_a_network_refers_to_a_qos_and_clears_it(api: httpx.Client, default_dc: dict, name: str) -> None:
    qos = _qos(api, default_dc, name, outbound_average_linkshare=10).json()
    network = add_network(api, name, qos={"id": qos["id"]})
    assert network["qos"]["id"] == qos["id"]
    cleared = api.put(f"/networks/{network['id']}", json={"qos": None})
    assert cleared.status_code == 200 and "qos" not in cleared.json()
    again = api.put(f"/networks/{network['id']}", json={"qos": {"id": qos["id"]}})
    assert again.json()["qos"]["id"] == qos["id"]
    # removing the QoS leaves the network without one
    assert api.delete(f"/datacenters/{default_dc['id']}/qoss/{qos['id']}").status_code == 200
    assert "qos" not in api.get(f"/networks/{network['id']}").json()


def test_a_network_cannot_refer_to_an_unknown_qos(api: httpx.Client, name: str) -> None:
    answer = api.post(
        "/networks",
        json={"name": name, "data_center": {"name": "Default"}, "qos": {"id": "00000000-0000-0000-0000-000000000001"}},
    )
    assert answer.status_code == 400
    assert fault(answer)["detail"].startswith("qos.id: no host network QoS")

"""People across platforms: who drives on both, how their records disagree, the ground truth."""

from __future__ import annotations

from datetime import timedelta

import pytest

from simulator import SimulatorSettings, create_app
from simulator.bolt_world import BoltDriver, BoltWorld
from simulator.people import folded
from simulator.platforms import PHONE_FORMS, e164, written_phone
from simulator.truth import Truth, ground_truth
from simulator.world import UberWorld
from tests.simulator.conftest import NOW

KINDS = {"phone_format", "other_phone", "other_email", "name_accents", "name_typo"}


def worlds(seed: int = 42, drivers: int = 300, share: float = 0.4) -> tuple[UberWorld, BoltWorld]:
    """Both providers' worlds with ``drivers`` drivers each."""
    return UberWorld(seed, drivers, 1, share), BoltWorld(seed, drivers, 1, share)


def truth_of(uber: UberWorld, bolt: BoltWorld) -> Truth:
    return ground_truth(uber.all_drivers(), bolt.all_drivers())


def people_count(uber: UberWorld, bolt: BoltWorld) -> int:
    persons = {d.person_index for d in uber.all_drivers()}
    return len(persons | {d.person_index for d in bolt.all_drivers()})


def shape(phone: str) -> str:
    """How a number is written, digits aside (``06 12 ...`` -> ``09 99 ...``)."""
    return "".join("9" if c.isdigit() else c for c in phone)


def test_the_share_setting_is_the_share_of_people_on_both_platforms():
    uber, bolt = worlds(share=0.4)
    assert len(truth_of(uber, bolt).pairs) / people_count(uber, bolt) == pytest.approx(
        0.4, abs=0.07
    )


@pytest.mark.parametrize(("share", "pairs"), [(0.0, 0), (1.0, 300)])
def test_no_one_or_everyone_drives_on_both_platforms_at_the_ends_of_the_setting(share, pairs):
    assert len(truth_of(*worlds(share=share)).pairs) == pairs


def test_the_same_phone_or_email_on_both_platforms_is_always_the_same_person():
    uber, bolt = worlds()
    pairs = {(p.uber_driver_id, p.bolt_driver_uuid) for p in truth_of(uber, bolt).pairs}
    bolt_by_phone = {e164(b.phone): b for b in bolt.all_drivers()}
    bolt_by_email = {b.email.lower(): b for b in bolt.all_drivers()}
    for u in uber.all_drivers():
        for b in (bolt_by_phone.get(f"+33{u.phone_number}"), bolt_by_email.get(u.email.lower())):
            assert b is None or (u.driver_id, b.driver_uuid) in pairs


def test_every_inconsistency_kind_appears_among_the_pairs():
    truth = truth_of(*worlds())
    assert {kind for p in truth.pairs for kind in p.kinds} == KINDS
    assert any(not p.kinds for p in truth.pairs)


def test_pairs_without_a_shared_phone_or_email_keep_their_name_and_plate():
    uber, bolt = worlds()
    found = [p for p in truth_of(uber, bolt).pairs if not p.auto_linkable]
    assert 0 < len(found) <= 0.06 * len(truth_of(uber, bolt).pairs)
    for pair in found:
        u, b = uber.driver(pair.uber_driver_id), bolt_driver(bolt, pair.bolt_driver_uuid)
        assert u is not None
        assert folded(u.first_name + u.last_name) == folded(b.first_name + b.last_name)
        u_vehicle, b_vehicle = uber.vehicle(u.vehicle_ids[0]), bolt.vehicle(b.vehicle_id)
        assert u_vehicle is not None and b_vehicle is not None
        assert u_vehicle.license_plate == b_vehicle.reg_number


def test_bolt_writes_phones_in_every_form_and_all_normalise_alike():
    written = [written_phone("612345678", form) for form in (*PHONE_FORMS, "e164")]
    _, bolt = worlds()
    assert {shape(b.phone) for b in bolt.all_drivers()} == {shape(w) for w in written}
    assert {e164(w) for w in written} == {"+33612345678"}


def test_homonyms_are_on_both_platforms_and_are_different_people():
    uber, bolt = worlds()
    homonyms = truth_of(uber, bolt).homonyms
    assert homonyms
    for h in homonyms:
        u, b = uber.driver(h.uber_driver_id), bolt_driver(bolt, h.bolt_driver_uuid)
        assert u is not None and h.uber_person != h.bolt_person
        assert folded(u.first_name + u.last_name) == folded(b.first_name + b.last_name)
        assert (f"+33{u.phone_number}", u.email) != (e164(b.phone), b.email)


def test_the_world_is_the_same_for_a_seed_and_another_for_another_seed():
    first, again, other = truth_of(*worlds(7)), truth_of(*worlds(7)), truth_of(*worlds(8))
    assert first == again
    assert first != other
    assert worlds(7)[1].all_drivers() == worlds(7)[1].all_drivers()


def test_a_phone_changed_at_run_time_leaves_the_pair_a_pair():
    uber, bolt = worlds(drivers=40)
    before = truth_of(uber, bolt).pairs
    bolt.mutate_drivers(40)
    after = truth_of(uber, bolt).pairs
    assert [(p.uber_driver_id, p.bolt_driver_uuid) for p in after] == [
        (p.uber_driver_id, p.bolt_driver_uuid) for p in before
    ]
    assert all({"other_phone", "other_email"} <= set(p.kinds) for p in after)


def test_a_driver_leaving_one_platform_ends_their_pair():
    uber, bolt = worlds(drivers=40)
    removed = {d.driver_uuid for d in bolt.remove_drivers(20)}
    pairs = truth_of(uber, bolt).pairs
    assert pairs and not removed & {p.bolt_driver_uuid for p in pairs}


async def test_the_truth_is_served_on_the_control_api(client):
    body = (await client.get("/_sim/truth/people")).json()
    assert body["ids"] == {"uber": "driverId", "bolt": "driver_uuid"}
    assert body["pairs"] and set(body["pairs"][0]) == {
        "uber_driver_id", "bolt_driver_uuid", "person", "kinds", "auto_linkable",
    }  # fmt: skip
    assert set(body["homonyms"][0]) >= {"uber_driver_id", "bolt_driver_uuid", "name"}


async def test_the_truth_follows_drivers_who_joined_and_left_with_the_clock(open_bolt, clock):
    bolt = await open_bolt(SimulatorSettings(churn_per_hour=6, seed=3))
    clock.advance(timedelta(hours=6))
    truth = (await bolt.client.get("/_sim/truth/people")).json()
    await bolt.login()  # the token of six hours ago has expired
    now = int(clock.now().timestamp())
    window = {"company_id": 70001, "start_ts": now - 3600, "end_ts": now, "offset": 0}
    served = (await bolt.ok("getDrivers", {**window, "limit": 1000}))["drivers"]
    stats = (await bolt.client.get("/_sim/stats")).json()
    assert stats["churn"]["joined"] > 0 and stats["churn"]["left"] > 0
    assert {p["bolt_driver_uuid"] for p in truth["pairs"]} <= {d["driver_uuid"] for d in served}
    assert any(p["person"] >= 50 for p in truth["pairs"])  # slots past the 25 first joined


def test_no_provider_route_serves_the_truth():
    app = create_app(SimulatorSettings())
    paths = [getattr(route, "path", "") for route in app.routes]
    truths = [p for p in paths if "truth" in p]
    assert "/_sim/truth/people" in truths
    assert all(p.startswith("/_sim/truth/") for p in truths)  # control routes only


async def test_provider_records_do_not_carry_the_person(uber, bolt):
    org_id = await uber.org_id()
    uber_body = await uber.get("/v1/vehicle-suppliers/drivers", org_id=org_id, page_size=100)
    now = int(NOW.timestamp())
    window = {
        "company_id": 70001,
        "start_ts": now - 3600,
        "end_ts": now,
        "offset": 0,
        "limit": 1000,
    }
    bolt_body = await bolt.call("getDrivers", window)
    assert (uber_body.status_code, bolt_body.json()["code"]) == (200, 0)
    for text in (uber_body.text, bolt_body.text):
        assert "person" not in text and "kinds" not in text


def bolt_driver(world: BoltWorld, driver_uuid: str) -> BoltDriver:
    return next(d for d in world.all_drivers() if d.driver_uuid == driver_uuid)

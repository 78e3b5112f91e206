"""What the dwell rules take for a parked vehicle, and what they do not: people, pieces of one vehicle, vehicles that
arrived while the analyzer was still learning the street."""

from cameras.pipeline import load_zones

from .scenes import STREET, Car, Scene, analyse, drive


def test_a_person_standing_in_the_zone_is_not_a_parked_vehicle():
    # 10 x 40 pixels: a person's shape, far taller than wide.
    stands = Car(drive([(5.0, (-0.05, 0.5)), (0.5, 0.5)], speed=0.25), size=(0.03, 0.22))

    assert analyse(Scene(cars=[stands]), load_zones(STREET), duration=20) == []


def test_a_car_that_drove_in_while_the_street_was_being_learnt_is_detected():
    # Creeps to a stop 1.5 s into the clip, before the warm-up ends: the median of the warm-up would take it for
    # the street.
    early = Car(drive([(0.0, (0.45, 0.56)), (0.45, 0.5)], speed=0.04))

    found = analyse(Scene(cars=[early]), load_zones(STREET), duration=14)

    assert [(d.rule, d.zone) for d in found] == [("no_parking", "np1")]
    assert found[0].start_s < 4.0


def test_a_car_seen_in_two_pieces_is_one_detection():
    # The same car body drawn as a roof and a lower body with road between them, as a dark body matching the road
    # leaves them; they arrive and stand together.
    path = drive([(5.0, (-0.12, 0.5)), (0.45, 0.5)], speed=0.25)
    roof = Car(path, size=(0.12, 0.05))
    body = Car(lambda t: None if path(t) is None else (path(t)[0], path(t)[1] + 0.065), size=(0.12, 0.06))

    found = analyse(Scene(cars=[roof, body]), load_zones(STREET), duration=20)

    assert [(d.rule, d.zone) for d in found] == [("no_parking", "np1")]

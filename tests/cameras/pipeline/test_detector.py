"""The detector plug-in: the Analyzer tracks the plug-in's boxes, and tells it where to look."""

from cameras.pipeline import Box, Detector, load_zones

from .scenes import HEIGHT, STREET, WIDTH, Car, Scene, analyse, drive

PATH = drive([(5.0, (-0.12, 0.5)), (0.45, 0.5)], speed=0.25)
SIZE = (0.12, 0.12)


class PathDetector:
    """Sees the scene's car exactly where it is drawn (clipped to the picture), labelled car."""

    def __init__(self):
        self.calls = []

    def detect(self, frame, regions):
        self.calls.append((frame.t, regions))
        place = PATH(frame.t)
        if place is None or place[0] + SIZE[0] <= 0:
            return []
        return [Box(max(0.0, place[0]), place[1], place[0] + SIZE[0], place[1] + SIZE[1], "car", 0.9)]


class BlindDetector:
    def detect(self, frame, regions):
        return []


def test_the_analyzer_tracks_the_detectors_boxes_and_passes_regions_to_look_in():
    detector = PathDetector()
    assert isinstance(detector, Detector)
    from cameras.pipeline import Analyzer

    analyzer = Analyzer(load_zones(STREET), WIDTH, HEIGHT, fps=5, detector=detector)
    found = [d for frame in Scene(cars=[Car(PATH, size=SIZE)]).frames(18) for d in analyzer.feed(frame)]

    assert [(d.rule, d.zone) for d in found] == [("no_parking", "np1")]
    x0, y0, x1, y1 = found[0].box
    assert (round(x0, 3), round(y0, 3), round(x1, 3), round(y1, 3)) == (0.45, 0.5, 0.57, 0.62)
    # While the car drives in, the plug-in is asked to look around where the picture changed.
    t, regions = next(call for call in detector.calls if call[0] == 6.0)
    assert regions and any(r[0] <= 0.2 <= r[2] and r[1] <= 0.56 <= r[3] for r in regions)


def test_a_detector_that_sees_nothing_means_no_detections():
    scene = Scene(cars=[Car(PATH, size=SIZE)])

    assert analyse_with(scene, BlindDetector()) == []


def analyse_with(scene, detector):
    from cameras.pipeline import Analyzer

    analyzer = Analyzer(load_zones(STREET), WIDTH, HEIGHT, fps=5, detector=detector)
    return [d for frame in scene.frames(18) for d in analyzer.feed(frame)] + analyzer.flush()


def test_without_a_detector_the_background_finds_the_same_car():
    assert [(d.rule, d.zone) for d in analyse(Scene(cars=[Car(PATH, size=SIZE)]), load_zones(STREET), 18)] == [
        ("no_parking", "np1")
    ]

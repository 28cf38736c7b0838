"""A patrol's GPS fixes made into a track that tells the truth (plain Python, no database).

A fix is left out when its accuracy is poor, or when reaching it from the last good fix would
need a speed no one on foot or on a motorbike reaches (a GPS jump). Where no good fix came for
longer than a set time, or the next good fix is farther than a set distance, the track is split:
a gap is never drawn as walked and never counts toward route coverage.
"""
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise

_EARTH_RADIUS_M = 6_371_008.8
# After this many fixes in a row left out as jumps that agree with each other, the phone really
# is there (the jump was the last good fix, or the inspector moved fast): a new segment starts.
CONSISTENT_FIXES_TO_ACCEPT = 3


@dataclass(frozen=True)
class TrackRules:
    """How fixes are judged: accuracy limit, fastest plausible speed, what counts as a gap."""

    accuracy_limit_m: float = 50.0
    max_speed_mps: float = 20.0
    gap_s: float = 60.0
    gap_m: float = 250.0


@dataclass(frozen=True)
class Fix:
    """One GPS fix as stored: time, position, accuracy in metres."""

    recorded_at: datetime
    lon: float
    lat: float
    accuracy_m: float


@dataclass(frozen=True)
class Gap:
    """A stretch with no good fix: the last fix before and the first after, and how far apart."""

    started_at: datetime
    ended_at: datetime
    distance_m: float

    @property
    def seconds(self) -> float:
        """How long the gap lasted."""
        return (self.ended_at - self.started_at).total_seconds()


@dataclass
class Track:
    """The usable fixes split into segments, with what was left out and where the gaps are."""

    segments: list[list[Fix]] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    poor_accuracy: int = 0
    jumps: int = 0

    @property
    def used(self) -> int:
        """How many fixes the track is made of."""
        return sum(len(s) for s in self.segments)

    @property
    def left_out(self) -> int:
        """Fixes not used: poor accuracy or impossible jumps."""
        return self.poor_accuracy + self.jumps

    def lines(self) -> list[list[tuple[float, float]]]:
        """The segments as lists of (lon, lat), repeats removed; segments of one place dropped."""
        return [[(fix.lon, fix.lat) for fix in segment] for segment in self.timed_lines()]

    def timed_lines(self) -> list[list[Fix]]:
        """The fixes `lines()` draws, each with its time: a repeat of the same place keeps its first fix."""
        out = []
        for segment in self.segments:
            kept: list[Fix] = []
            for fix in segment:
                if not kept or (kept[-1].lon, kept[-1].lat) != (fix.lon, fix.lat):
                    kept.append(fix)
            if len(kept) >= 2:
                out.append(kept)
        return out

    def length_m(self) -> float:
        """Length walked in metres: the segments only, never across a gap."""
        return sum(
            distance_m(a, b) for line in self.lines() for a, b in pairwise(line)
        )


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in metres between two (lon, lat) points."""
    lon1, lat1, lon2, lat2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * _EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _speed_mps(a: Fix, b: Fix) -> float:
    seconds = (b.recorded_at - a.recorded_at).total_seconds()
    metres = distance_m((a.lon, a.lat), (b.lon, b.lat))
    if seconds <= 0:
        return math.inf if metres > 1 else 0.0
    return metres / seconds


def _is_gap(a: Fix, b: Fix, rules: TrackRules) -> bool:
    return ((b.recorded_at - a.recorded_at).total_seconds() > rules.gap_s
            or distance_m((a.lon, a.lat), (b.lon, b.lat)) > rules.gap_m)


def build_track(fixes: Iterable[Fix], rules: TrackRules) -> Track:
    """Split time-ordered fixes into segments, leaving out poor and impossible ones."""
    track = Track()
    current: list[Fix] = []
    suspects: list[Fix] = []  # fixes left out as jumps, in a row, in case they agree with each other

    def close_segment():
        if current:
            track.segments.append(list(current))
            current.clear()

    def start_after_gap(last: Fix, first: Fix):
        close_segment()
        track.gaps.append(Gap(last.recorded_at, first.recorded_at, distance_m((last.lon, last.lat), (first.lon, first.lat))))

    for fix in fixes:
        if fix.accuracy_m > rules.accuracy_limit_m:
            track.poor_accuracy += 1
            continue
        last = current[-1] if current else (track.segments[-1][-1] if track.segments else None)
        if last is None:
            current.append(fix)
            continue
        if _speed_mps(last, fix) <= rules.max_speed_mps:
            suspects.clear()
            if _is_gap(last, fix, rules):
                start_after_gap(last, fix)
            current.append(fix)
            continue
        if (fix.recorded_at - last.recorded_at).total_seconds() > rules.gap_s and not suspects:
            # Long after the last good fix, a far position is not a jump: the inspector moved meanwhile.
            start_after_gap(last, fix)
            current.append(fix)
            continue
        if suspects and _speed_mps(suspects[-1], fix) > rules.max_speed_mps:
            suspects.clear()
        suspects.append(fix)
        track.jumps += 1
        if len(suspects) >= CONSISTENT_FIXES_TO_ACCEPT:
            track.jumps -= len(suspects)
            start_after_gap(last, suspects[0])
            current.extend(suspects)
            suspects.clear()
    close_segment()
    return track

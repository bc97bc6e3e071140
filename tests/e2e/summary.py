"""Read a JSON summary as a reader of schema 2 does (README, "JSON summary"):
a track's milestone entries leave out the keys whose value is null, false
or []; load() puts them back, so that the checks can index every key."""
import json

# the keys of a track's milestone entry, with the value a left-out one has
TRACK_MILESTONE_KEYS = {
    "milestone": None, "status": None, "how": None, "date": None, "day": None,
    "day_album": None, "low": None, "high": None, "high_open": False,
    "range_low": None, "range_high": None, "day_low": None, "day_high": None,
    "model": None, "needed_pace": None, "needed_by": None, "reason": None,
    "flags": [],
}


def expand(js):
    """js with every track milestone entry's keys present, in order."""
    for t in js.get("tracks", []):
        t["milestones"] = [{k: x.get(k, list(v) if isinstance(v, list) else v)
                            for k, v in TRACK_MILESTONE_KEYS.items()}
                           for x in t["milestones"]]
    return js


def load(path_or_file):
    if hasattr(path_or_file, "read"):
        return expand(json.load(path_or_file))
    with open(path_or_file) as f:
        return expand(json.load(f))

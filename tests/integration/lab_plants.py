"""What the tamper tests need to know of a lab folder's own plants.

Since the lab guests carry anti-forensics plants of their own (tests/lab/README.md),
an "intact" lab dump already has findings: the ones about planted processes. The
tests that tamper with copies of lab dumps take those as their baseline and pick
their victims among the other processes.
"""
import json
import os

# plant kinds that are ordinary processes of the lab, not anomalies
ORDINARY = {"many_vmas", "threads", "la57_probe", "benign"}


def planted_pids(lab):
    """The pids of the lab's anomalous plants (empty when the folder has no truth.json)."""
    path = os.path.join(lab, "truth.json")
    if not os.path.exists(path):
        return set()
    with open(path) as f:
        plants = json.load(f).get("plants", [])
    return {p["pid"] for p in plants if p["kind"] not in ORDINARY}


def finding_key(f):
    """A finding's identity, to tell a tampered copy's new findings from the baseline's."""
    return (f["detector"], f.get("kind"), f["pid"], f["start"], f["end"])

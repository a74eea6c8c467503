"""swfobjects' side of ``python -m benchmarks.replay --compare PY --instructions``.

    python benchmarks/_replay_once.py HISTORIES.json --once NAME [--skip]

The same arguments as ``_simpleflow_replay.py --once`` takes on simpleflow's side. Loads the
recorded histories, replays history ``NAME`` once to warm up (imports, caches), as that does,
collects garbage, then replays it once more; with ``--skip``, stops before that last replay.
Run under callgrind, the difference between the two instruction counts is that one replay and
nothing else.
"""

from __future__ import annotations

import gc
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks._histories import FanOut, Sequential  # noqa: E402
from benchmarks.replay import replay_once  # noqa: E402

WORKFLOWS = {"Sequential": Sequential, "FanOut": FanOut}


def main() -> None:
    name = sys.argv[sys.argv.index("--once") + 1]
    with open(sys.argv[1]) as handle:
        events = json.load(handle)[name]
    workflow = WORKFLOWS[name]
    replay_once(workflow, events)
    gc.collect()
    if "--skip" not in sys.argv:
        replay_once(workflow, events)


if __name__ == "__main__":
    main()

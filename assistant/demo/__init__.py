"""Sample calls shipped with Callsight: scripts and the committed demo recording.

``discovery_call.ogg`` is a dual-channel recording (rep left, prospect right) synthesised from
``discovery_call.txt`` by ``eval/synth_call.py``; ``discovery_call.ogg.json`` holds its reference turns.
``long_call.txt`` (about ten minutes spoken) has no committed audio: the benchmark synthesises it.
"""

from __future__ import annotations

from pathlib import Path

DEMO_DIR: Path = Path(__file__).resolve().parent
DISCOVERY_CALL_SCRIPT: Path = DEMO_DIR / "discovery_call.txt"
DISCOVERY_CALL_AUDIO: Path = DEMO_DIR / "discovery_call.ogg"
DISCOVERY_CALL_REFERENCE: Path = DEMO_DIR / "discovery_call.ogg.json"
LONG_CALL_SCRIPT: Path = DEMO_DIR / "long_call.txt"

__all__ = [
    "DEMO_DIR",
    "DISCOVERY_CALL_AUDIO",
    "DISCOVERY_CALL_REFERENCE",
    "DISCOVERY_CALL_SCRIPT",
    "LONG_CALL_SCRIPT",
]

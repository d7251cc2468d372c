import sys
from pathlib import Path

# bench/load.py imports its parts as `loadkit` from its own folder; so do the tests.
sys.path.append(str(Path(__file__).resolve().parents[2] / "bench"))

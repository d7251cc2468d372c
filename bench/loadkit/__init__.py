"""The parts of bench/load.py (a package, so that `make bench` runs only the script)."""

"""Word lists and the helpers of bench/synth.py (the synthetic matching data generator)."""

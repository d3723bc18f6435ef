"""A team's training pipeline (sample user code for tests/test_scan.py: every
line a finding points at is listed there; keep line numbers stable)."""

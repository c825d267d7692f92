"""Clips, bins, paper edits and their hand-over to editing applications."""

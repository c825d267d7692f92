"""Pure value types (time, timecode, asset kinds). Imports nothing else of rushes but errors."""

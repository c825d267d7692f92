"""Pure value types (time, timecode, asset kinds). Imports nothing else of rushes but errors."""

#: Every kind of asset, in the order listings show them.
ASSET_KINDS = ("video", "audio", "image", "document", "webpage")
#: The kinds with a timeline: sound to transcribe, times to cut at.
TIMED_KINDS = frozenset({"video", "audio"})

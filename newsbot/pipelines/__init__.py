"""Item pipelines, in the order the settings run them: validate -> deduplicate -> write JSON Lines."""

from newsbot.pipelines.dedup import DedupPipeline
from newsbot.pipelines.jsonl import JsonLinesWriterPipeline
from newsbot.pipelines.validate import ValidationPipeline

__all__ = ["DedupPipeline", "JsonLinesWriterPipeline", "ValidationPipeline"]

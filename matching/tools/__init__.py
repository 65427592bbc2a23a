"""The matcher's development tools: evaluation, benchmarks, the feedback simulator, the
bm25s baseline and the need-term counter.

Nothing in the runtime (``import matching``) imports this package; ``bm25s`` (a
development dependency) is imported only by ``baseline``.  Commands::

    python -m matching.tools.evaluate DIR [DIR ...] [--baseline bm25s] [--reverse] [--feedback]
    python -m matching.tools.bench --docs N
    python -m matching.tools.needterms DIR
"""

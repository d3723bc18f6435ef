"""The analysis stage: result files in, one typed :class:`~harness.analysis.model.Analysis` out.

Modules, in the order data flows: ``inputs`` (load every result file once),
``compare`` + ``stats`` + ``deprecations`` (verdicts per cell), ``matrix``
(columns, rows, comparisons), ``rollback`` / ``migrations`` / ``crossadvice``
/ ``guidance`` (what to do about it), ``policy`` (the configured gate policy),
``model`` (:func:`analyse`, the record every renderer and the gate read).
No I/O below ``inputs``, no printing anywhere. Kept import-light: the
configuration imports ``policy`` inside every per-version environment.
"""

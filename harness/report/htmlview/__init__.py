"""The HTML report's view model: pure functions turning the :class:`~harness.analysis.model.Analysis`
into what each template partial shows (rows, cells, chips, hover texts, detail blocks).

One module per part of the page: ``page`` (header, notes, summary cards,
differences), ``cells`` (the matrix), ``timings`` (charts and tables),
``guidance`` (rollback, migrations, deprecations, cross-version advice),
``cross`` (cross-version results), ``envs`` (install failures, environments);
``common`` holds what they share. A view returns plain data, or None when its
section has nothing to show; it never returns markup (the chart SVG, checked in
``timings.trusted_svg``, is the one exception).
"""

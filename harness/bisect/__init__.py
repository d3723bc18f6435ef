"""Bisect: the first release of each change between a baseline and a candidate.

The matrix says *that* code broke between 2.9.2 and 3.17.2; this says *where*:
for every change the comparison shows (regressed, fixed, newly_unsupported,
newly_warns, changed; not timings), it runs only the scenarios involved in
environments of the final releases between the two, binary-searching the
newest patch of each minor, then the patches of the minor where a step falls,
until each flip lies between two adjacent releases (asv's ``find`` over
releases instead of commits).

Modules: ``changes`` (what is bisected and what "has the change" means per
verdict), ``search`` (the pure search over cells, a runner handed in),
``releases`` (one environment per release, the runner subprocess, cells
already computed), ``pair`` (one baseline/candidate pair -> a
:class:`harness.results.bisect.BisectResult`), ``render`` (the one-line
"since" the command prints). The result file schema is
:mod:`harness.results.bisect`; the command is ``python -m harness bisect``.
"""

"""Comparing two signatures of one callable: what a call written for the old one hits.

The rules follow griffe's own API check (``griffe.find_breaking_changes``:
removed, moved, changed kind, changed default, newly required), with four
differences that are why this is not a call to it:

* a signature reached through ``functools.wraps`` is the wrapped target's: a
  wrapper ``def evaluate(*args, **kwargs)`` decorated with
  ``@functools.wraps(model_evaluate)`` accepts what ``model_evaluate`` does,
  so MLflow 3's ``mlflow.evaluate`` still reports ``validation_thresholds``
  as removed instead of "absorbed by ``**kwargs``";
* a parameter removed where a new one appears at the same position, of a
  compatible kind, is one *rename* (``old -> new``), not a removal plus an
  addition;
* a removed parameter that the new ``**kwargs`` swallows is still reported
  (``absorbed``: the call does not fail at the signature, the argument is no
  longer declared), unless the new body reads it by name (``kwargs["x"]`` or
  ``kwargs.get("x")``: a string constant equal to the name);
* defaults that are names (``DEFAULT_TIMEOUT``) are compared by the value
  they are bound to in each release, so a renamed constant with the same
  value is no change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from griffe import ParameterKind

from harness.api.release import is_private, string_constants
from harness.results.api import ChangeKind

POSITIONAL = frozenset((ParameterKind.positional_only, ParameterKind.positional_or_keyword))
VARIADIC = frozenset((ParameterKind.var_positional, ParameterKind.var_keyword))
WRAPS = frozenset(("functools.wraps",))


@dataclass
class ParamChange:
    kind: ChangeKind
    name: str
    old: str | None
    new: str | None
    #: the new signature still accepts the argument through ``**kwargs``/``*args``
    absorbed: bool = False
    #: the parameter's argument position in the old signature, when it can be passed positionally
    position: int | None = None


@dataclass
class Signature:
    """The parameters a call of ``function`` binds against, and where they come from."""

    function: Any
    parameters: list[Any]
    #: the path of the ``functools.wraps`` target the parameters were taken from, if any
    via: str | None = None

    @property
    def bound(self) -> int:
        """1 when the first parameter is bound at the call (``self``/``cls`` of a method), else 0:
        positions are reported as the user's argument positions."""
        parent = getattr(self.function, "parent", None)
        if parent is None or not parent.is_class or "staticmethod" in self.function.labels:
            return 0
        return 1 if self.parameters and self.parameters[0].kind in POSITIONAL else 0

    @property
    def names(self) -> set[str]:
        return {p.name for p in self.parameters}

    def has(self, kind: ParameterKind) -> bool:
        return any(p.kind is kind for p in self.parameters)


def effective_signature(function: Any, resolve: Callable[[str], Any | None]) -> Signature:
    """``function``'s own parameters, or those of its ``functools.wraps`` target when it only
    forwards (every parameter variadic); ``resolve`` maps a dotted path to an object."""
    seen = {function.path}
    current, via = function, None
    while current.parameters and all(p.kind in VARIADIC for p in current.parameters):
        target = _wrapped_target(current, resolve)
        if target is None or target.path in seen:
            break
        seen.add(target.path)
        current, via = target, target.path
    return Signature(current, list(current.parameters), via)


def _wrapped_target(function: Any, resolve: Callable[[str], Any | None]) -> Any | None:
    for decorator in function.decorators:
        call = decorator.value
        callee = getattr(call, "function", None)
        arguments = getattr(call, "arguments", None)
        if callee is None or not arguments or _canonical(callee) not in WRAPS:
            continue
        path = _canonical(arguments[0])
        target = resolve(path) if path else None
        if target is not None and target.is_function:
            return target
    return None


def _canonical(expr: Any) -> str | None:
    try:
        return expr.canonical_path if hasattr(expr, "canonical_path") else None
    except Exception:  # noqa: BLE001 - an unresolvable name: no path
        return None


def compare(
    old: Signature,
    new: Signature,
    old_value: Callable[[Any], str],
    new_value: Callable[[Any], str],
) -> list[ParamChange]:
    """Breaking changes for calls written against ``old`` when they run against ``new``.

    ``old_value``/``new_value`` turn a parameter's default into the text it is
    compared by (the bound value of a name, in its own release).
    """
    changes: list[ParamChange] = []
    new_index: dict[str, tuple[int, Any]] = {}
    for index, param in enumerate(new.parameters):
        new_index.setdefault(param.name, (index, param))
    removed: list[tuple[int, Any]] = []
    for index, param in enumerate(old.parameters):
        if is_private(param.name):
            continue  # ``_called_from_genai_evaluate=``: an internal hand-off, not an argument users pass
        if param.kind in VARIADIC:
            if not new.has(param.kind):
                changes.append(ParamChange(ChangeKind.PARAMETER_REMOVED, param.name, _star(param), None))
            continue
        if param.name not in new_index:
            removed.append((index, param))
            continue
        position, counterpart = new_index[param.name]
        changes.extend(_changed(index - old.bound, param, position - new.bound, counterpart, new, old_value, new_value))

    added = [(i, p) for i, p in enumerate(new.parameters) if p.name not in old.names and p.kind not in VARIADIC]
    renamed_to: set[str] = set()
    read_by_name = string_constants(new.function) if removed else set()
    for index, param in removed:
        twin = next(
            (p for i, p in added if i == index and p.name not in renamed_to and _same_slot(old, index, new, i)),
            None,
        )
        if twin is not None:
            renamed_to.add(twin.name)
            changes.append(ParamChange(ChangeKind.PARAMETER_RENAMED, param.name, param.name, twin.name))
            continue
        absorbed = _absorbed(param, new)
        if absorbed and param.name in read_by_name:
            continue  # still handled, through **kwargs
        changes.append(ParamChange(ChangeKind.PARAMETER_REMOVED, param.name, _default(param), None, absorbed))
    for index, param in added:
        if param.required and param.name not in renamed_to:
            changes.append(ParamChange(ChangeKind.REQUIRED_PARAMETER_ADDED, param.name, None, f"position {index - new.bound}"))
    positions = {
        p.name: i - old.bound for i, p in enumerate(old.parameters) if p.kind in POSITIONAL and i >= old.bound
    }
    for change in changes:
        change.position = positions.get(change.name)
    return changes


def _changed(
    index: int, old: Any, position: int, new: Any, new_sig: Signature,
    old_value: Callable[[Any], str], new_value: Callable[[Any], str],
) -> list[ParamChange]:
    changes = []
    if new.required and not old.required:
        # an optional parameter became required: calls that omitted it fail, as for an added one
        changes.append(ParamChange(ChangeKind.REQUIRED_PARAMETER_ADDED, old.name, f"default {_default(old)}", "required"))
    if old.kind in POSITIONAL and new.kind in POSITIONAL and position != index:
        changes.append(ParamChange(ChangeKind.PARAMETER_MOVED, old.name, str(index), str(position)))
    if old.kind is not new.kind and _kind_breaks(old.kind, new.kind, new_sig):
        changes.append(ParamChange(ChangeKind.KIND_CHANGED, old.name, old.kind.value, new.kind.value))
    if not old.required and not new.required and old.kind not in VARIADIC and new.kind not in VARIADIC:
        # the same expression is the same default (``mlflow.version.VERSION`` is "the running
        # release" in both); different expressions are compared by what they are bound to
        if _default(old) != _default(new) and old_value(old) != new_value(new):
            changes.append(ParamChange(ChangeKind.DEFAULT_CHANGED, old.name, _default(old), _default(new)))
    return changes


def _kind_breaks(old: ParameterKind, new: ParameterKind, new_sig: Signature) -> bool:
    """griffe's rule: which kind changes reject a call that the old kind accepted."""
    var_args, var_kwargs = new_sig.has(ParameterKind.var_positional), new_sig.has(ParameterKind.var_keyword)
    return any((
        old is ParameterKind.positional_only and new is ParameterKind.keyword_only,
        old is ParameterKind.keyword_only and new is ParameterKind.positional_only,
        old is ParameterKind.positional_or_keyword and new in (ParameterKind.positional_only, ParameterKind.keyword_only),
        new is ParameterKind.var_keyword and old is not ParameterKind.keyword_only and not var_args,
        new is ParameterKind.var_positional and old is not ParameterKind.positional_only and not var_kwargs,
    ))


def _same_slot(old: Signature, old_index: int, new: Signature, new_index: int) -> bool:
    """Is the new parameter at ``new_index`` the old one at ``old_index`` under another name?

    Same position, a kind passed the same way (positionally, or by keyword
    only), and the same neighbours on both sides: a position alone is a
    coincidence among keyword-only parameters (``evaluate(baseline_model=)``
    and ``inference_params`` share one across 2.9 -> 3.x and are unrelated).
    """
    if old_index != new_index:
        return False
    before, after = old.parameters[old_index].kind, new.parameters[new_index].kind
    if not ((before in POSITIONAL and after in POSITIONAL) or before is after is ParameterKind.keyword_only):
        return False

    def neighbour(sig: Signature, index: int) -> str | None:
        return sig.parameters[index].name if 0 <= index < len(sig.parameters) else None

    return all(neighbour(old, old_index + step) == neighbour(new, new_index + step) for step in (-1, 1))


def _absorbed(param: Any, new: Signature) -> bool:
    """Would ``new`` still accept an argument for the removed ``param`` (griffe's rule)?"""
    var_args, var_kwargs = new.has(ParameterKind.var_positional), new.has(ParameterKind.var_keyword)
    return (
        (param.kind is ParameterKind.keyword_only and var_kwargs)
        or (param.kind is ParameterKind.positional_only and var_args)
        or (param.kind is ParameterKind.positional_or_keyword and var_kwargs)
    )


def _default(param: Any) -> str | None:
    return None if param.default is None else str(param.default)


def _star(param: Any) -> str:
    return ("**" if param.kind is ParameterKind.var_keyword else "*") + param.name

"""Types the resolver infers without evaluating code: the instance an
annotation names, and the instance attributes a class's methods assign.
Pure functions of a scope (anything with ``lookup(name) -> Value``); they emit
no uses."""

from __future__ import annotations

import ast
from typing import Protocol

from harness.scan.values import INSTANCE, MLFLOW, UNKNOWN_VALUE, LocalClass, Value, attribute, call_result, is_class_name


class Scope(Protocol):
    def lookup(self, name: str) -> Value: ...


def peek(node: ast.AST, scope: Scope) -> Value | None:
    """The value of a name or attribute chain (no uses emitted)."""
    if type(node) is ast.Name:
        return scope.lookup(node.id)
    if type(node) is ast.Attribute:
        base = peek(node.value, scope)
        return attribute(base, node.attr) if base is not None else None
    return None


def annotated(node: ast.AST, scope: Scope) -> Value | None:
    """The instance type an annotation names, when it is an mlflow class (no uses emitted)."""
    kind = type(node)
    if kind is ast.BinOp and isinstance(node.op, ast.BitOr):
        return annotated(node.left, scope) or annotated(node.right, scope)
    if kind is ast.Subscript:  # Optional[X], "Union[X, None]"
        inner = node.slice
        items = inner.elts if isinstance(inner, ast.Tuple) else [inner]
        for item in items:
            found = annotated(item, scope)
            if found is not None:
                return found
        return None
    value = peek(node, scope)
    if value is not None and value.kind == MLFLOW and is_class_name(value.path.rsplit(".", 1)[-1]):
        return Value(INSTANCE, value.path)
    return None


def instance_attributes(node: ast.ClassDef, cls: LocalClass, scope: Scope) -> None:
    """``self.x = SomeMlflowClass(...)`` in any method: known before the methods are resolved,
    so module code after the class (``Trainer().client.m()``) sees it too."""
    for method in node.body:
        if not isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)) or not method.args.args:
            continue
        this = method.args.args[0].arg
        for child in ast.walk(method):
            if not (isinstance(child, ast.Assign) and isinstance(child.value, ast.Call)):
                continue
            value = call_result(peek(child.value.func, scope) or UNKNOWN_VALUE)
            if value.kind != INSTANCE:
                continue
            for target in child.targets:
                if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == this:
                    known = cls.attrs.get(target.attr)
                    cls.attrs[target.attr] = value if known is None or known == value else UNKNOWN_VALUE

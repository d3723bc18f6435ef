"""Qualified names in the user's code: what each call, attribute and import
refers to, through imports, aliases and instances.

``ast`` with our own scope tracking rather than libcst's qualified-name
provider: ``ast.parse`` is C code, and the scope walk below is one pass over
the tree, which keeps a 50,000-line tree well under the 5 s budget (libcst's
metadata resolution costs several times that; see ``nox -s bench``).

What is tracked (the forms users write):

* ``import mlflow`` / ``import mlflow.sklearn as mls`` / ``from mlflow.models
  import MetricThreshold as MT``: a name bound to a dotted mlflow path;
* ``client = MlflowClient()``, ``def f(client: MlflowClient)``, ``self.client =
  MlflowClient()`` in a method: a name or attribute bound to
  an *instance* of an mlflow class, so ``client.search_runs`` is the method
  ``mlflow.MlflowClient.search_runs`` (a call of a CamelCase mlflow name is an
  instance; a call of anything else returns a value of unknown type);
* local definitions (``class MetricThreshold``, ``def evaluate``), literals and
  non-mlflow modules: known *not* to be mlflow, so look-alikes never match;
* anything else (parameters, results of calls) is of unknown type: an
  attribute on it is a *member* use, matched by name with low confidence.

Function bodies are resolved after their enclosing scope is complete (as
Python resolves them at call time); module and class bodies in source order.
In ``except`` handlers and ``else`` branches a name that refers to an mlflow
object keeps that meaning (``try: from mlflow... except ImportError: X = None``).
"""

from __future__ import annotations

import ast

from harness.scan.infer import annotated, instance_attributes
from harness.scan.values import (
    BOUND, CALL, DIRECT, IMPORT, INSTANCE, LOCAL, LOCAL_CLASS, LOCAL_FUNC_VALUE, LOCAL_VALUE, MEMBER,
    MEMBER_USE, MLFLOW, REF, ROOT, UNKNOWN, UNKNOWN_VALUE, UNTYPED, LocalClass, Resolution, Use, Value, attribute,
    call_result,
)

class Scope:
    __slots__ = ("names", "parent", "star", "owner", "is_class")

    def __init__(self, parent: "Scope | None", owner: LocalClass | None = None, is_class: bool = False):
        self.names: dict[str, Value] = {}
        self.parent = parent
        self.star: list[str] = []
        self.owner = owner
        self.is_class = is_class

    def lookup(self, name: str) -> Value:
        scope: Scope | None = self
        star = None
        while scope is not None:
            value = scope.names.get(name)
            if value is not None:
                return value
            if star is None and scope.star:
                star = scope.star[-1]
            scope = scope.parent
        if star is not None:
            return Value(MLFLOW, f"{star}.{name}")
        return UNKNOWN_VALUE

    def function_parent(self) -> "Scope":
        """The scope a function defined here sees: class bodies are not visible to methods."""
        scope = self
        while scope.is_class and scope.parent is not None:
            scope = scope.parent
        return scope


def _is_mlflow_path(path: str) -> bool:
    return path == ROOT or path.startswith(ROOT + ".")


def _module_value(path: str) -> Value:
    return Value(MLFLOW, path) if _is_mlflow_path(path) else LOCAL_VALUE


def _mlflowish(value: Value | None) -> bool:
    return value is not None and value.kind in (MLFLOW, INSTANCE)


class _Resolver:
    def __init__(self) -> None:
        self.uses: list[Use] = []
        self.imports_mlflow = False
        self.deferred: list[tuple[ast.AST, Scope, LocalClass | None]] = []
        self.fallback = 0  # inside an except handler / else branch

    # -- bindings --------------------------------------------------------------
    def bind(self, scope: Scope, name: str, value: Value) -> None:
        if self.fallback and not _mlflowish(value) and _mlflowish(scope.names.get(name)):
            return
        scope.names[name] = value

    def bind_target(self, target: ast.AST, value: Value, scope: Scope) -> None:
        kind = type(target)
        if kind is ast.Name:
            self.bind(scope, target.id, value)
        elif kind in (ast.Tuple, ast.List):
            for elt in target.elts:
                self.bind_target(elt, UNKNOWN_VALUE, scope)
        elif kind is ast.Starred:
            self.bind_target(target.value, UNKNOWN_VALUE, scope)
        elif kind is ast.Attribute:  # ``self.client = MlflowClient()``: remembered on the local class
            owner = self.expr(target.value, scope)
            cls = owner.cls if owner.kind == LOCAL else None
            if cls is not None:
                known = cls.attrs.get(target.attr)
                cls.attrs[target.attr] = value if known is None or known == value else UNKNOWN_VALUE
        else:  # subscript targets: their parts are loads
            self.expr(target, scope)

    # -- statements ---------------------------------------------------------------
    def block(self, body: list[ast.stmt], scope: Scope) -> None:
        for node in body:
            self.stmt(node, scope)

    def stmt(self, node: ast.stmt, scope: Scope) -> None:
        kind = type(node)
        if kind is ast.Expr:
            self.expr(node.value, scope)
        elif kind is ast.Assign:
            value = self.expr(node.value, scope)
            for target in node.targets:
                self.bind_target(target, value, scope)
        elif kind is ast.AnnAssign:
            self.expr(node.annotation, scope)
            value = self.expr(node.value, scope) if node.value is not None else UNKNOWN_VALUE
            if value.kind in (UNKNOWN, MEMBER):
                value = annotated(node.annotation, scope) or value
            if node.value is not None or type(node.target) is not ast.Name:
                self.bind_target(node.target, value, scope)
        elif kind is ast.AugAssign:
            self.expr(node.value, scope)
            if type(node.target) is ast.Name:
                self.bind(scope, node.target.id, UNKNOWN_VALUE)
            else:
                self.expr(node.target, scope)
        elif kind is ast.Import:
            self.import_(node, scope)
        elif kind is ast.ImportFrom:
            self.import_from(node, scope)
        elif kind in (ast.FunctionDef, ast.AsyncFunctionDef):
            self.function_def(node, scope)
        elif kind is ast.ClassDef:
            self.class_def(node, scope)
        elif kind in (ast.For, ast.AsyncFor):
            self.expr(node.iter, scope)
            self.bind_target(node.target, UNKNOWN_VALUE, scope)
            self.block(node.body, scope)
            self.branch(node.orelse, scope)
        elif kind in (ast.While, ast.If):
            self.expr(node.test, scope)
            self.block(node.body, scope)
            self.branch(node.orelse, scope)
        elif kind in (ast.With, ast.AsyncWith):
            for item in node.items:
                self.expr(item.context_expr, scope)
                if item.optional_vars is not None:
                    self.bind_target(item.optional_vars, UNKNOWN_VALUE, scope)
            self.block(node.body, scope)
        elif kind is ast.Try or kind.__name__ == "TryStar":
            self.block(node.body, scope)
            for handler in node.handlers:
                if handler.type is not None:
                    self.expr(handler.type, scope)
                if handler.name:
                    self.bind(scope, handler.name, UNKNOWN_VALUE)
                self.branch(handler.body, scope)
            self.branch(node.orelse, scope)
            self.block(node.finalbody, scope)
        elif kind is ast.Match:
            self.expr(node.subject, scope)
            for case in node.cases:
                self.pattern(case.pattern, scope)
                if case.guard is not None:
                    self.expr(case.guard, scope)
                self.block(case.body, scope)
        elif kind in (ast.Global, ast.Nonlocal, ast.Pass, ast.Break, ast.Continue):
            return
        else:  # Return, Delete, Raise, Assert, TypeAlias ...: visit their expressions
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    self.expr(child, scope)
                elif isinstance(child, ast.stmt):
                    self.stmt(child, scope)

    def branch(self, body: list[ast.stmt], scope: Scope) -> None:
        if not body:
            return
        self.fallback += 1
        try:
            self.block(body, scope)
        finally:
            self.fallback -= 1

    def pattern(self, node: ast.AST, scope: Scope) -> None:
        for child in ast.walk(node):
            name = getattr(child, "name", None) if isinstance(child, (ast.MatchAs, ast.MatchStar)) else None
            if isinstance(child, ast.MatchMapping):
                name = child.rest
            if name:
                self.bind(scope, name, UNKNOWN_VALUE)
            if isinstance(child, ast.MatchValue):
                self.expr(child.value, scope)
            elif isinstance(child, ast.MatchClass):
                self.expr(child.cls, scope)

    def import_(self, node: ast.Import, scope: Scope) -> None:
        for alias in node.names:
            path = alias.name
            if _is_mlflow_path(path):
                self.imports_mlflow = True
                self.import_uses(path, alias, node)
            if alias.asname:
                self.bind(scope, alias.asname, _module_value(path))
            else:
                top = path.split(".", 1)[0]
                self.bind(scope, top, _module_value(top))

    def import_from(self, node: ast.ImportFrom, scope: Scope) -> None:
        module = node.module or ""
        if node.level or not _is_mlflow_path(module):
            for alias in node.names:
                if alias.name != "*":
                    self.bind(scope, alias.asname or alias.name, LOCAL_VALUE)
            return
        self.imports_mlflow = True
        for alias in node.names:
            if alias.name == "*":
                scope.star.append(module)
                self.import_uses(module, node, node)
                continue
            path = f"{module}.{alias.name}"
            self.import_uses(path, alias, node)
            self.bind(scope, alias.asname or alias.name, Value(MLFLOW, path))

    def import_uses(self, path: str, node: ast.AST, statement: ast.AST) -> None:
        """One use per dotted prefix below ``mlflow`` (a removed module fails the import too).

        ``import a.b.c``: the prefixes are one chain at the alias; ``from a.b import c``:
        the module's prefixes are a chain at the statement, ``a.b.c`` one at the alias.
        """
        parts = path.split(".")
        from_import = isinstance(statement, ast.ImportFrom)
        for i in range(2, len(parts) + 1):
            where = statement if from_import and i < len(parts) else node
            self.uses.append(Use(IMPORT, ".".join(parts[:i]), where, (where.lineno, where.col_offset)))

    def function_def(self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope) -> None:
        for decorator in node.decorator_list:
            self.expr(decorator, scope)
        self.arguments(node.args, scope)
        if node.returns is not None:
            self.expr(node.returns, scope)
        self.bind(scope, node.name, LOCAL_FUNC_VALUE)
        self.deferred.append((node, scope, scope.owner if scope.is_class else None))

    def arguments(self, args: ast.arguments, scope: Scope) -> None:
        for default in (*args.defaults, *args.kw_defaults):
            if default is not None:
                self.expr(default, scope)
        for arg in (*args.posonlyargs, *args.args, args.vararg, *args.kwonlyargs, args.kwarg):
            if arg is not None and arg.annotation is not None:
                self.expr(arg.annotation, scope)

    def class_def(self, node: ast.ClassDef, scope: Scope) -> None:
        for decorator in node.decorator_list:
            self.expr(decorator, scope)
        bases = []
        for base in node.bases:
            value = self.expr(base, scope)
            if value.kind == MLFLOW:
                bases.append(value.path)
        for keyword in node.keywords:
            self.expr(keyword.value, scope)
        cls = LocalClass(node.name, mlflow_bases=tuple(bases))
        body = Scope(scope, owner=cls, is_class=True)
        self.block(node.body, body)
        cls.members.update(body.names)
        instance_attributes(node, cls, scope.function_parent())
        self.bind(scope, node.name, Value(LOCAL_CLASS, node.name, cls))

    def function_body(self, node: ast.AST, scope: Scope, owner: LocalClass | None) -> None:
        inner = Scope(scope.function_parent())
        args = node.args
        positional = [*args.posonlyargs, *args.args]
        decorators = {d.id for d in getattr(node, "decorator_list", ()) if isinstance(d, ast.Name)}
        for i, arg in enumerate(positional):
            value = UNKNOWN_VALUE
            if arg.annotation is not None:
                value = annotated(arg.annotation, scope) or value
            if i == 0 and owner is not None and "staticmethod" not in decorators:
                value = Value(LOCAL_CLASS, owner.name, owner) if "classmethod" in decorators else Value(LOCAL, "", owner)
            inner.names[arg.arg] = value
        for arg in (args.vararg, *args.kwonlyargs, args.kwarg):
            if arg is not None:
                value = annotated(arg.annotation, scope) if arg.annotation is not None and arg in args.kwonlyargs else None
                inner.names[arg.arg] = value or UNKNOWN_VALUE
        if isinstance(node, ast.Lambda):
            self.expr(node.body, inner)
        else:
            self.block(node.body, inner)

    # -- expressions --------------------------------------------------------------
    def expr(self, node: ast.expr, scope: Scope) -> Value:
        kind = type(node)
        if kind is ast.Name:
            return scope.lookup(node.id) if type(node.ctx) is ast.Load else UNKNOWN_VALUE
        if kind is ast.Attribute:
            base = self.expr(node.value, scope)
            value = attribute(base, node.attr)
            if value.kind == MLFLOW:
                self.uses.append(Use(REF, value.path, node, (node.lineno, node.col_offset),
                                     BOUND if value.bound else DIRECT))
            elif value.kind == MEMBER:
                self.uses.append(Use(MEMBER_USE, node.attr, node, (node.lineno, node.col_offset), UNTYPED))
            return value
        if kind is ast.Call:
            func = self.expr(node.func, scope)
            for arg in node.args:
                self.expr(arg, scope)
            for keyword in node.keywords:
                self.expr(keyword.value, scope)
            if func.kind == MLFLOW:
                self.uses.append(Use(CALL, func.path, node, (node.lineno, node.col_offset),
                                     BOUND if func.bound else DIRECT))
            elif func.kind == MEMBER:
                self.uses.append(Use(CALL, func.path, node, (node.lineno, node.col_offset), UNTYPED))
            return call_result(func)
        if kind is ast.Constant:
            return LOCAL_VALUE
        if kind in (ast.List, ast.Tuple, ast.Set, ast.Dict, ast.JoinedStr):
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    self.expr(child, scope)
            return LOCAL_VALUE
        if kind is ast.NamedExpr:
            value = self.expr(node.value, scope)
            self.bind_target(node.target, value, scope)
            return value
        if kind is ast.Lambda:
            self.arguments(node.args, scope)
            self.function_body(node, scope, None)
            return LOCAL_FUNC_VALUE
        if kind in (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp):
            self.comprehension(node, scope)
            return LOCAL_VALUE
        for child in ast.iter_child_nodes(node):  # BinOp, Subscript, IfExp, Await, Starred ...
            if isinstance(child, ast.expr):
                self.expr(child, scope)
            elif isinstance(child, ast.keyword):
                self.expr(child.value, scope)
        return UNKNOWN_VALUE

    def comprehension(self, node: ast.AST, scope: Scope) -> None:
        inner = Scope(scope)
        for i, generator in enumerate(node.generators):
            self.expr(generator.iter, scope if i == 0 else inner)
            self.bind_target(generator.target, UNKNOWN_VALUE, inner)
            for condition in generator.ifs:
                self.expr(condition, inner)
        if isinstance(node, ast.DictComp):
            self.expr(node.key, inner)
            self.expr(node.value, inner)
        else:
            self.expr(node.elt, inner)

    def run(self, tree: ast.Module) -> Resolution:
        self.block(tree.body, Scope(None))
        i = 0
        while i < len(self.deferred):  # outer functions first: their scopes are final for inner ones
            node, scope, owner = self.deferred[i]
            self.function_body(node, scope, owner)
            i += 1
        return Resolution(self.uses, self.imports_mlflow)


def resolve(tree: ast.Module) -> Resolution:
    """Every use in ``tree`` that may refer to mlflow, in source order within each scope."""
    return _Resolver().run(tree)

"""What the resolver knows about a name or expression (:class:`Value`), and
what it reports (:class:`Use`): the vocabulary shared by ``resolve``,
``rules``, ``deprecations`` and ``evidence``."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

ROOT = "mlflow"

# value kinds
MLFLOW = "mlflow"  # an object reached by a dotted mlflow path (module, class, function, attribute)
INSTANCE = "instance"  # an instance of the mlflow class at ``path``
MEMBER = "member"  # an attribute (``path`` = its name) of a value of unknown type
LOCAL = "local"  # known not to be mlflow (a literal, a non-mlflow module, an instance of a local class)
LOCAL_CLASS = "local_class"
LOCAL_FUNC = "local_func"
UNKNOWN = "unknown"

# use kinds
IMPORT = "import"
REF = "ref"
CALL = "call"
MEMBER_USE = "member"

# how a call target was reached
DIRECT = "direct"
BOUND = "instance"
UNTYPED = "unknown"


def is_class_name(name: str) -> bool:
    """CamelCase, not an ALL_CAPS constant: the convention MLflow follows for classes."""
    return name[:1].isupper() and not name.isupper()


@dataclass(eq=False)
class LocalClass:
    name: str
    members: set[str] = field(default_factory=set)
    mlflow_bases: tuple[str, ...] = ()
    #: instance attributes assigned in its methods (``self.client = MlflowClient()``), in the
    #: order methods are resolved; one assigned two different values is of unknown type
    attrs: dict[str, "Value"] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Value:
    kind: str
    path: str = ""
    cls: LocalClass | None = None
    #: reached through an instance (a bound method: ``self`` is filled in)
    bound: bool = False


UNKNOWN_VALUE = Value(UNKNOWN)
LOCAL_VALUE = Value(LOCAL)
LOCAL_FUNC_VALUE = Value(LOCAL_FUNC)


@dataclass(slots=True)
class Use:
    """One place the code refers to something that may be mlflow's."""

    kind: str  # IMPORT, REF, CALL or MEMBER_USE
    #: the dotted mlflow path reached; for MEMBER_USE and UNTYPED calls, the attribute name
    path: str
    node: ast.AST
    #: uses in one attribute chain share it (report a removed prefix once per chain)
    chain: tuple[int, int]
    via: str = DIRECT

    @property
    def call(self) -> ast.Call | None:
        return self.node if isinstance(self.node, ast.Call) else None


@dataclass
class Resolution:
    uses: list[Use]
    #: the file imports mlflow somewhere: only then are members of unknown receivers considered
    imports_mlflow: bool


def attribute(base: Value, name: str) -> Value:
    """The value of ``base.name``."""
    kind = base.kind
    if kind == MLFLOW:
        return Value(MLFLOW, f"{base.path}.{name}")
    if kind == INSTANCE:
        return Value(MLFLOW, f"{base.path}.{name}", bound=True)
    if kind == LOCAL:
        cls = base.cls
        if cls is not None and name in cls.attrs:
            return cls.attrs[name]
        if cls is None or name in cls.members:
            return LOCAL_FUNC_VALUE if cls is not None else LOCAL_VALUE
        if cls.mlflow_bases:
            return Value(MLFLOW, f"{cls.mlflow_bases[0]}.{name}", bound=True)
        return UNKNOWN_VALUE  # an instance attribute set elsewhere (``self.client``): could be anything
    if kind == LOCAL_CLASS:
        cls = base.cls
        if cls is not None and name not in cls.members and cls.mlflow_bases:
            return Value(MLFLOW, f"{cls.mlflow_bases[0]}.{name}")
        return LOCAL_VALUE
    if kind == LOCAL_FUNC:
        return LOCAL_VALUE
    return Value(MEMBER, name)


def call_result(func: Value) -> Value:
    """What calling ``func`` returns, as far as names tell: an instance for an mlflow class."""
    if func.kind == MLFLOW and not func.bound and is_class_name(func.path.rsplit(".", 1)[-1]):
        return Value(INSTANCE, func.path)
    if func.kind == LOCAL_CLASS:
        return Value(LOCAL, "", func.cls)
    return UNKNOWN_VALUE

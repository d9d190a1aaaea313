"""The house follows the data: stages import earlier stages only, and checks and DSAR select
sources by what their tables are, never by export format."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import rgpd_audit

PACKAGE = Path(rgpd_audit.__file__).parent

# Layers in the order data flows; a module may import its own layer and the layers before it.
LAYERS = [
    {"errors", "spec", "sql", "plugins", "resources", "vocab", "legal", "dates", "holds", "data", "detect"},  # core (data: YAML files)
    {"policy"},
    {"workspace"},
    {"ingest"},
    {"mapping"},
    {"checks"},
    {"pipeline"},
    {"ropa"},
    {"report"},
    {"dsar"},
    {"cli"},
]
LAYER_OF = {name: i for i, names in enumerate(LAYERS) for name in names}
STANDALONE = {"sample"}  # the sample estate's generator: imports nothing of the package's stages

VENDOR_FORMATS = re.compile(
    r"hubspot|mailchimp|brevo|dropbox|gmail|\bmbox\b|\bsage(_\w+)?\b|\bfec\b|\bdsn\b|google_contacts|outlook|vcard"
    # and column names only a format's loader knows
    r"|member_email|shared_with|CompAuxNum|CompteNum|EcritureDate|CT_Num|from_address|event_type|S21\.G00",
    re.IGNORECASE,
)


def _top(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0].removesuffix(".py")


def _imports(path: Path) -> set[str]:
    """The package's top-level stages a module imports: relative or absolute import statements,
    module-level or inside functions, and module names written as strings (registries,
    ``importlib.import_module``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rel = path.relative_to(PACKAGE)
    pkg = ["rgpd_audit", *(rel.parent.parts if rel.name != "__init__.py" else rel.parent.parts)]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg[: len(pkg) - (node.level - 1)]
                target = [*base, *(node.module.split(".") if node.module else [])]
            elif node.module and (node.module == "rgpd_audit" or node.module.startswith("rgpd_audit.")):
                target = node.module.split(".")
            else:
                continue
            if len(target) == 1:  # from rgpd_audit import x / from .. import x: x is the stage
                out.update(a.name for a in node.names)
            else:
                out.add(target[1])
        elif isinstance(node, ast.Import):
            out.update(a.name.split(".")[1] for a in node.names if a.name.startswith("rgpd_audit."))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and re.fullmatch(r"rgpd_audit(\.\w+)+", node.value):
            out.add(node.value.split(".")[1])
    return out


def test_every_stage_is_in_a_layer():
    stages = {_top(p) for p in PACKAGE.rglob("*.py") if p.parent != PACKAGE or p.name != "__init__.py"}
    stages |= {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    unknown = stages - set(LAYER_OF) - STANDALONE - {"__init__", "__main__"}
    assert not unknown, f"add these to a layer of tests/test_architecture.py: {sorted(unknown)}"


def test_imports_run_one_way():
    backwards = []
    for path in PACKAGE.rglob("*.py"):
        top = _top(path)
        if top == "__main__":
            continue
        if top == "__init__":
            top = "cli"  # the package's own __init__ may import nothing the CLI could not
        for stage in _imports(path):
            if stage not in LAYER_OF:
                continue
            if top in STANDALONE:
                backwards.append(f"{path.relative_to(PACKAGE)} imports {stage}")
            elif LAYER_OF[stage] > LAYER_OF[top]:
                backwards.append(f"{path.relative_to(PACKAGE)} ({top}) imports the later stage {stage}")
    assert not backwards, "\n".join(sorted(backwards))


def test_checks_and_dsar_name_no_vendor_format():
    found = []
    for folder in ("checks", "dsar"):
        for path in (PACKAGE / folder).rglob("*.py"):
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if m := VENDOR_FORMATS.search(line):
                    found.append(f"{path.relative_to(PACKAGE)}:{n}: {m.group(0)}")
    assert not found, "select sources by capability, not by format:\n" + "\n".join(found)


def test_the_architecture_test_sees_imports():
    # relative and absolute, module-level and inside functions
    assert {"policy", "ingest", "sql", "vocab"} <= _imports(PACKAGE / "checks" / "retention.py")
    assert {"policy", "ingest"} <= _imports(PACKAGE / "report" / "panels.py")
    assert {"checks"} <= _imports(PACKAGE / "report" / "catalogue.py")  # inside a function
    assert {"checks"} <= _imports(PACKAGE / "checks" / "registry.py")  # BUILTIN_MODULES, as strings

"""Onboarding one's own exports: a draft manifest from a folder of exports.

>>> draft = draft_manifest("exports/")          # recognise, read a sample, suggest
>>> draft.write("exports/manifest.yaml")         # YAML with the person's questions as comments

``discover`` sorts the folder's files by format (the loaders' own signatures) and groups
them into sources; ``probe`` reads each source with its loader in memory; ``propose``
suggests the options (key, subject, date roles and formats…) with the classifier's rules and
lists what only a person can decide; ``render`` writes it all as a commented YAML file.
"""

from __future__ import annotations

import collections
import os
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import RgpdAuditError
from .discover import FoundFile, Group, discover
from .probe import probe
from .propose import Proposal, Question, propose
from .render import render


class DraftExists(RgpdAuditError):
    """The manifest to write exists already (and overwriting was not asked for)."""


@dataclass
class Draft:
    folder: Path
    name: str
    proposals: list[Proposal] = field(default_factory=list)
    left_out: list[FoundFile] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    folder_label: str = ""

    # where the manifest is written, relative to which its paths are written
    manifest_dir: Path | None = None

    def prefix(self) -> str:
        """What goes before each source's path: the exports folder seen from the manifest's folder."""
        if self.manifest_dir is None:
            return ""
        rel = Path(os.path.relpath(self.folder, self.manifest_dir)).as_posix()
        return "" if rel == "." else rel + "/"

    def root(self) -> str | None:
        """The manifest's ``root`` when the exports are not under the manifest's folder."""
        pre = self.prefix()
        return pre.rstrip("/") if pre.startswith("..") else None

    def text(self) -> str:
        return render(self)

    def summary(self):
        """One row per source (a pandas DataFrame): what was recognised and suggested."""
        import pandas as pd

        return pd.DataFrame([{
            "source": p.name, "format": p.format, "path": p.path, "files": len(p.files),
            "activities": ", ".join(p.activities) + ("" if p.activities_note == "suggested" else f" ({p.activities_note})"),
            "key": p.options.get("key", ""), "dates": ", ".join(f"{c}: {r}" for c, r in p.options.get("dates", {}).items()),
            "questions": len(p.questions),
        } for p in self.proposals])

    def questions(self) -> dict[str, list[Question]]:
        """What only a person can decide, per source name (and ``organisation``)."""
        out = {"organisation": [Question("organisation", "the controller's identity")]}
        out.update({p.name: p.questions for p in self.proposals})
        return out

    def write(self, path: str | Path, *, force: bool = False) -> Path:
        """Write the draft; refuse to replace an existing file unless ``force``."""
        path = Path(path)
        if path.exists() and not force:
            raise DraftExists(f"{path}: a manifest is already there; not overwritten (use --force to replace it)")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.manifest_dir = path.resolve().parent
        path.write_text(self.text(), encoding="utf-8")
        return path


def _staff_domains(proposals: list[Proposal], probes: dict) -> list[str]:
    """The e-mail domains of a source whose format lists the company's own members (a team's
    member list): a suggestion for ``organisation.domains``."""
    from ...ingest.loaders import registry

    counts: collections.Counter = collections.Counter()
    for p in proposals:
        caps = registry.get(p.format).capabilities
        for cap in caps:
            if cap.kind == "member_list" and cap.entity is None:
                col = cap.columns.get("email")
                pr = probes.get(p.name)
                if col and pr and col in pr.columns:
                    counts.update(v.rsplit("@", 1)[-1].lower() for v in pr.columns[col].values if "@" in v)
    return [d for d, _ in counts.most_common(3)]


def draft_manifest(folder: str | Path, policy=None) -> Draft:
    """Draft the manifest of a folder of exports (paths relative to the folder).

    ``policy``: a loaded policy (its activities are suggested by the words of each file's
    path); default: the bundled policy."""
    from ...policy import load_policy
    from ...resources import bundled_policy

    folder = Path(folder).resolve()
    if not folder.is_dir():
        raise RgpdAuditError(f"{folder}: not a folder of exports")
    pol = policy if policy is not None else load_policy(bundled_policy())
    groups, left = discover(folder)
    taken: set[str] = set()
    proposals, probes = [], {}
    for g in groups:
        pr = probe(g.format, [f.path for f in g.files], folder)
        prop = propose(g, pr, pol, taken)
        probes[prop.name] = pr
        proposals.append(prop)
    d = Draft(folder, f"Audit — {folder.name}", proposals, left, folder_label=folder.name)
    d.domains = _staff_domains(proposals, probes)
    return d


__all__ = ["Draft", "DraftExists", "FoundFile", "Group", "Proposal", "Question", "draft_manifest", "discover"]

"""The analysis notebooks of rgpd-audit, shipped as package data (``rgpd_audit.notebooks``).

Open them in JupyterLab (README, "Exploring in JupyterLab"), or copy them into an audit
folder with ``rgpd-audit notebooks DIR``. This file only makes the folder a package.
"""

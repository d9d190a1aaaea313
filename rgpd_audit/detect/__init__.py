"""Detectors of personal data written in text: identifiers (``identifiers``: e-mail, phone,
NIR with its key, IBAN) and the French special-category vocabulary (``special``), and the
one scanner combining them (``scan``). A core module: the loaders (content of mails and
documents), the classifier (free-text columns) and the report's guard use the same ones."""

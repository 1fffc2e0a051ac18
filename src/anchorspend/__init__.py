"""anchorspend: how much of an anchor institution's spend reaches local, SME, VCSE and
diverse-led suppliers, reconciled to the penny."""

__version__ = "0.1.0"
